/**
 * DOCSight's login limiter: at most 5 failed logins per client address within 15 minutes; from the
 * 5th failure on, the address is locked out for 30 s, doubling with each further failure (capped at
 * one hour). While locked out, a login is refused without checking the password, so guessing speed
 * stays bounded even for correct guesses. A success clears the address's record. In memory only.
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

/** Outcome of a check: allowed, or refused for `retryAfterSeconds`. */
export type LoginCheck = { allowed: true } | { allowed: false; retryAfterSeconds: number };

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

  /** Whether `address` may try a password now. */
  check(address: string): LoginCheck {
    const record = this.#records.get(address);
    const now = this.#now();
    if (record && record.lockedUntil > now) {
      return { allowed: false, retryAfterSeconds: Math.ceil((record.lockedUntil - now) / 1000) };
    }
    return { allowed: true };
  }

  /** Records a wrong password; returns the lockout it started, if any. */
  recordFailure(address: string): LoginCheck {
    const now = this.#now();
    const record = this.#records.get(address) ?? { failures: [], lockedUntil: 0 };
    record.failures = record.failures.filter((at) => now - at < this.#windowMs);
    record.failures.push(now);
    this.#records.delete(address);
    this.#records.set(address, record);
    this.#prune(now);
    const over = record.failures.length - this.#maxFailures;
    if (over < 0) return { allowed: true };
    const lockoutMs = Math.min(this.#baseLockoutMs * 2 ** Math.min(over, 20), this.#maxLockoutMs);
    record.lockedUntil = now + lockoutMs;
    return { allowed: false, retryAfterSeconds: Math.ceil(lockoutMs / 1000) };
  }

  /** Forgets `address`'s failures after a correct password. */
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
