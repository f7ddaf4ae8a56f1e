import { describe, expect, it } from 'vitest';
import { LoginRateLimiter } from './login-rate-limiter.ts';

describe('LoginRateLimiter', () => {
  it('locks an address out after 5 failures, for 30 s doubling with each further failure', () => {
    let now = 0;
    const limiter = new LoginRateLimiter({ now: () => now });
    for (let i = 0; i < 4; i++) expect(limiter.begin('1.2.3.4')).toEqual({ allowed: true, lockoutSeconds: null });
    expect(limiter.begin('1.2.3.4')).toEqual({ allowed: true, lockoutSeconds: 30 });
    expect(limiter.begin('1.2.3.4')).toEqual({ allowed: false, retryAfterSeconds: 30 });
    expect(limiter.begin('5.6.7.8')).toEqual({ allowed: true, lockoutSeconds: null });
    now += 30_000;
    expect(limiter.begin('1.2.3.4')).toEqual({ allowed: true, lockoutSeconds: 60 });
    expect(limiter.begin('1.2.3.4')).toEqual({ allowed: false, retryAfterSeconds: 60 });
  });

  it('counts an attempt when it starts, so attempts whose checks are still running use up the budget', () => {
    const limiter = new LoginRateLimiter();
    // 50 attempts begin before any password check has finished: only 5 may check a password.
    const attempts = Array.from({ length: 50 }, () => limiter.begin('192.0.2.1'));
    expect(attempts.filter((attempt) => attempt.allowed)).toHaveLength(5);
    expect(attempts.slice(5).every((attempt) => !attempt.allowed)).toBe(true);
  });

  it('forgets failures older than 15 minutes, and every failure and lockout after a success', () => {
    let now = 0;
    const limiter = new LoginRateLimiter({ now: () => now });
    for (let i = 0; i < 4; i++) limiter.begin('a');
    now += 15 * 60_000;
    expect(limiter.begin('a')).toEqual({ allowed: true, lockoutSeconds: null });
    for (let i = 0; i < 5; i++) limiter.begin('b');
    expect(limiter.begin('b').allowed).toBe(false);
    // The 5th attempt was the right password after all: its success lifts the lockout it started.
    limiter.recordSuccess('b');
    for (let i = 0; i < 4; i++) expect(limiter.begin('b')).toEqual({ allowed: true, lockoutSeconds: null });
  });
});
