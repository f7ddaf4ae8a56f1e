import { describe, expect, it } from 'vitest';
import { LoginRateLimiter } from './login-rate-limiter.ts';

describe('LoginRateLimiter', () => {
  it('locks an address out after 5 failures, for 30 s doubling with each further failure', () => {
    let now = 0;
    const limiter = new LoginRateLimiter({ now: () => now });
    for (let i = 0; i < 4; i++) expect(limiter.recordFailure('1.2.3.4')).toEqual({ allowed: true });
    expect(limiter.recordFailure('1.2.3.4')).toEqual({ allowed: false, retryAfterSeconds: 30 });
    expect(limiter.check('1.2.3.4')).toEqual({ allowed: false, retryAfterSeconds: 30 });
    expect(limiter.check('5.6.7.8')).toEqual({ allowed: true });
    now += 30_000;
    expect(limiter.check('1.2.3.4')).toEqual({ allowed: true });
    expect(limiter.recordFailure('1.2.3.4')).toEqual({ allowed: false, retryAfterSeconds: 60 });
  });

  it('forgets failures older than 15 minutes and after a success', () => {
    let now = 0;
    const limiter = new LoginRateLimiter({ now: () => now });
    for (let i = 0; i < 4; i++) limiter.recordFailure('a');
    now += 15 * 60_000;
    expect(limiter.recordFailure('a')).toEqual({ allowed: true });
    for (let i = 0; i < 3; i++) limiter.recordFailure('b');
    limiter.recordSuccess('b');
    for (let i = 0; i < 4; i++) expect(limiter.recordFailure('b')).toEqual({ allowed: true });
  });
});
