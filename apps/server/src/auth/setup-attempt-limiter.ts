/**
 * How much setup work one client address may start while the instance is unconfigured and open to
 * anyone (the setup wizard: upload, validate, restore). It is meant to stop abuse without stopping a
 * person who retries with a few wrong or damaged files, so it counts what costs the server:
 * - uploads started: 60 per address per hour, sliding. Each reads and checks a whole archive, so a
 *   refused or discarded one counts too; 60 is far more than a person picks in an hour.
 * - restores started: 5 per address per hour, sliding. Each replaces the data and may write a
 *   pre-restore backup. A restore that could not start (unknown upload, another job busy) is
 *   given back.
 * What an upload leaves on disk is bounded elsewhere: an address may have 2 uploads arriving or
 * waiting at once ({@link SETUP_PENDING_UPLOADS}; the upload store replaces the oldest waiting one),
 * and the wizard discards the upload it leaves behind. So a pick no longer holds a place for an hour.
 * A refused attempt is not recorded, so waiting always helps. Old entries are pruned on every call,
 * so the map cannot grow without bound.
 */

/**
 * What is counted. `offsite`: a listing of a target's backups in the wizard ("From offsite
 * storage"), which makes the server connect where the client says: 60 per address per hour, like
 * uploads.
 */
export type SetupAction = 'upload' | 'restore' | 'offsite';

/** Uploads one address may have arriving or waiting at once while the instance is unconfigured. */
export const SETUP_PENDING_UPLOADS = 2;

/** Options of {@link SetupAttemptLimiter}. */
export interface SetupAttemptLimiterOptions {
  /** Uploads per address in the window (default 60). */
  maxUploads?: number;
  /** Restores per address in the window (default 5). */
  maxRestores?: number;
  /** Listings of a target's backups per address in the window (default 60). */
  maxOffsiteListings?: number;
  /** Sliding window in ms (default 1 hour). */
  windowMs?: number;
  /** Clock (default Date.now). */
  now?: () => number;
}

/** Outcome of {@link SetupAttemptLimiter.consume}. */
export type SetupAttempt = { allowed: true; remaining: number } | { allowed: false; limit: number; retryAfterSeconds: number };

const MAX_ADDRESSES = 10_000;

export class SetupAttemptLimiter {
  /** Start times per `action address`, oldest first. */
  readonly #attempts = new Map<string, number[]>();
  readonly #limits: Record<SetupAction, number>;
  readonly #windowMs: number;
  readonly #now: () => number;

  constructor(options: SetupAttemptLimiterOptions = {}) {
    this.#limits = { upload: options.maxUploads ?? 60, restore: options.maxRestores ?? 5, offsite: options.maxOffsiteListings ?? 60 };
    this.#windowMs = options.windowMs ?? 60 * 60_000;
    this.#now = options.now ?? Date.now;
  }

  /** The most `action`s one address may start in the window. */
  limit(action: SetupAction): number {
    return this.#limits[action];
  }

  /** Counts one `action` for `address`, or refuses it with the wait until the oldest one leaves the window. */
  consume(action: SetupAction, address: string): SetupAttempt {
    const now = this.#now();
    this.#pruneAll(now);
    const key = `${action} ${address}`;
    const recent = this.#attempts.get(key) ?? [];
    const limit = this.#limits[action];
    if (recent.length >= limit) {
      const oldest = recent[0] ?? now;
      return { allowed: false, limit, retryAfterSeconds: Math.max(1, Math.ceil((oldest + this.#windowMs - now) / 1000)) };
    }
    recent.push(now);
    this.#attempts.set(key, recent);
    return { allowed: true, remaining: limit - recent.length };
  }

  /** Gives back the newest `action` of `address` (it was counted but could not start). */
  refund(action: SetupAction, address: string): void {
    const key = `${action} ${address}`;
    const recent = this.#attempts.get(key);
    if (!recent) return;
    recent.pop();
    if (recent.length === 0) this.#attempts.delete(key);
  }

  #pruneAll(now: number): void {
    for (const [key, attempts] of this.#attempts) {
      const recent = attempts.filter((at) => now - at < this.#windowMs);
      if (recent.length === 0) this.#attempts.delete(key);
      else if (recent.length !== attempts.length) this.#attempts.set(key, recent);
    }
    // A flood of distinct addresses: drop the oldest-inserted ones rather than grow forever.
    for (const key of this.#attempts.keys()) {
      if (this.#attempts.size <= MAX_ADDRESSES) break;
      this.#attempts.delete(key);
    }
  }
}
