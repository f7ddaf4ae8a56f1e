/**
 * DOCSight's login limiter: at most 5 failed logins per client address within 15 minutes; from the
 * 5th failure on, the address is locked out for 30 s, doubling with each further failure (capped at
 * one hour). While locked out, a login is refused without checking the password, so guessing speed
 * stays bounded even for correct guesses. A success clears the address's record. In memory only.
 *
 * An attempt counts when it starts, not when its password check ends: {@link LoginRateLimiter.begin}
 * checks the lockout and counts the attempt as a failure in one synchronous step, and a success
 * takes it back ({@link LoginRateLimiter.recordSuccess}). Checking first and counting after the
 * (asynchronous) password check let every concurrent attempt pass the check: 150 logins in one
 * batched request or 200 parallel ones all had their password checked.
 */

/** Options of {@link LoginRateLimiter}; defaults are DOCSight's. */
export interface LoginRateLimiterOptions {
  /** Failures in the window that start a lockout (default 5). */
  maxFailures?: number;
  /** Sliding window in ms (default 15 minutes). */
  windowMs?: number;
  /** First lockout in ms (default 30 s), doubled per further failure. */
  baseLockoutMs?: number;
  /** Longest lockout in ms (default 1 hour). */
  maxLockoutMs?: number;
  /** Clock (default Date.now). */
  now?: () => number;
}

/**
 * Outcome of {@link LoginRateLimiter.begin}: refused for `retryAfterSeconds`, or allowed; an allowed
 * attempt that started a lockout carries its length in `lockoutSeconds` (null otherwise), so a
 * wrong password can say how long to wait.
 */
export type LoginAttempt = { allowed: true; lockoutSeconds: number | null } | { allowed: false; retryAfterSeconds: number };

interface AddressRecord {
  failures: number[];
  lockedUntil: number;
}

/** Upper bound of tracked addresses, so a flood of spoofed sources cannot grow memory forever. */
const MAX_ADDRESSES = 10_000;

export class LoginRateLimiter {
  readonly #records = new Map<string, AddressRecord>();
  readonly #maxFailures: number;
  readonly #windowMs: number;
  readonly #baseLockoutMs: number;
  readonly #maxLockoutMs: number;
  readonly #now: () => number;

  constructor(options: LoginRateLimiterOptions = {}) {
    this.#maxFailures = options.maxFailures ?? 5;
    this.#windowMs = options.windowMs ?? 15 * 60_000;
    this.#baseLockoutMs = options.baseLockoutMs ?? 30_000;
    this.#maxLockoutMs = options.maxLockoutMs ?? 60 * 60_000;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Starts a password check for `address`: refused while it is locked out; otherwise the attempt is
   * counted as a failure at once (and may start a lockout for the attempts after it). Call
   * {@link recordSuccess} when the password was right.
   */
  begin(address: string): LoginAttempt {
    const now = this.#now();
    const record = this.#records.get(address) ?? { failures: [], lockedUntil: 0 };
    if (record.lockedUntil > now) {
      return { allowed: false, retryAfterSeconds: Math.ceil((record.lockedUntil - now) / 1000) };
    }
    record.failures = record.failures.filter((at) => now - at < this.#windowMs);
    record.failures.push(now);
    this.#records.delete(address);
    this.#records.set(address, record);
    this.#prune(now);
    const over = record.failures.length - this.#maxFailures;
    if (over < 0) return { allowed: true, lockoutSeconds: null };
    const lockoutMs = Math.min(this.#baseLockoutMs * 2 ** Math.min(over, 20), this.#maxLockoutMs);
    record.lockedUntil = now + lockoutMs;
    return { allowed: true, lockoutSeconds: Math.ceil(lockoutMs / 1000) };
  }

  /** Forgets `address`'s failures and lockout after a correct password (its own attempt included). */
  recordSuccess(address: string): void {
    this.#records.delete(address);
  }

  #prune(now: number): void {
    if (this.#records.size <= MAX_ADDRESSES) return;
    for (const [address, record] of this.#records) {
      const stale = record.lockedUntil <= now && record.failures.every((at) => now - at >= this.#windowMs);
      if (stale || this.#records.size > MAX_ADDRESSES) this.#records.delete(address);
      if (this.#records.size <= MAX_ADDRESSES) break;
    }
  }
}
