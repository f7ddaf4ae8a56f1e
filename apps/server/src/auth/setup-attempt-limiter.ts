/**
 * Limits what an unconfigured instance lets anyone do (upload, validate, restore): DOCSight's
 * 5 attempts per client address per hour, sliding. Unlike DOCSight (weakness 4) one wizard run
 * counts once: an attempt may carry a key (the upload id), and a key already counted for that
 * address is free, so "upload, then restore that upload" costs one attempt, while each new upload
 * costs one. Old entries are pruned on every call, so the map cannot grow without bound.
 */

/** Options of {@link SetupAttemptLimiter}; defaults are DOCSight's. */
export interface SetupAttemptLimiterOptions {
  /** Attempts per address in the window (default 5). */
  maxAttempts?: number;
  /** Sliding window in ms (default 1 hour). */
  windowMs?: number;
  /** Clock (default Date.now). */
  now?: () => number;
}

/** Outcome of {@link SetupAttemptLimiter.consume}. */
export type SetupAttempt =
  | { allowed: true; remaining: number }
  | { allowed: false; retryAfterSeconds: number };

interface Attempt {
  at: number;
  key: string | undefined;
}

const MAX_ADDRESSES = 10_000;

export class SetupAttemptLimiter {
  readonly #attempts = new Map<string, Attempt[]>();
  readonly #maxAttempts: number;
  readonly #windowMs: number;
  readonly #now: () => number;

  constructor(options: SetupAttemptLimiterOptions = {}) {
    this.#maxAttempts = options.maxAttempts ?? 5;
    this.#windowMs = options.windowMs ?? 60 * 60_000;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Counts one attempt for `address`, unless `key` was already counted for it within the window.
   * A refused attempt is not recorded, so waiting always helps.
   */
  consume(address: string, key?: string): SetupAttempt {
    const now = this.#now();
    this.#pruneAll(now);
    const recent = this.#attempts.get(address) ?? [];
    if (key !== undefined && recent.some((attempt) => attempt.key === key)) {
      return { allowed: true, remaining: this.#maxAttempts - recent.length };
    }
    if (recent.length >= this.#maxAttempts) {
      const oldest = recent[0]?.at ?? now;
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((oldest + this.#windowMs - now) / 1000)) };
    }
    recent.push({ at: now, key });
    this.#attempts.set(address, recent);
    return { allowed: true, remaining: this.#maxAttempts - recent.length };
  }

  #pruneAll(now: number): void {
    for (const [address, attempts] of this.#attempts) {
      const recent = attempts.filter((attempt) => now - attempt.at < this.#windowMs);
      if (recent.length === 0) this.#attempts.delete(address);
      else if (recent.length !== attempts.length) this.#attempts.set(address, recent);
    }
    // A flood of distinct addresses: drop the oldest-inserted ones rather than grow forever.
    for (const address of this.#attempts.keys()) {
      if (this.#attempts.size <= MAX_ADDRESSES) break;
      this.#attempts.delete(address);
    }
  }
}
