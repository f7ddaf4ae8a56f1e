import { describe, expect, it } from 'vitest';
import { SetupAttemptLimiter } from './setup-attempt-limiter.ts';

describe('SetupAttemptLimiter', () => {
  it('allows 5 attempts per address per hour, then refuses with the wait', () => {
    let now = 0;
    const limiter = new SetupAttemptLimiter({ now: () => now });
    for (let i = 0; i < 5; i++) expect(limiter.consume('ip').allowed).toBe(true);
    now += 10 * 60_000;
    expect(limiter.consume('ip')).toEqual({ allowed: false, retryAfterSeconds: 50 * 60 });
    expect(limiter.consume('other').allowed).toBe(true);
    now += 50 * 60_000;
    expect(limiter.consume('ip').allowed).toBe(true);
  });

  it('counts an upload and the restore of that upload once', () => {
    const limiter = new SetupAttemptLimiter();
    expect(limiter.consume('ip', 'upload-1')).toEqual({ allowed: true, remaining: 4 });
    expect(limiter.consume('ip', 'upload-1')).toEqual({ allowed: true, remaining: 4 });
    for (let i = 2; i <= 5; i++) expect(limiter.consume('ip', `upload-${i}`).allowed).toBe(true);
    expect(limiter.consume('ip', 'upload-1').allowed).toBe(true);
    expect(limiter.consume('ip', 'upload-6').allowed).toBe(false);
  });

  it('does not let another address reuse a key counted for someone else', () => {
    const limiter = new SetupAttemptLimiter({ maxAttempts: 1 });
    limiter.consume('a', 'k');
    expect(limiter.consume('b', 'k')).toEqual({ allowed: true, remaining: 0 });
    expect(limiter.consume('b', 'k2').allowed).toBe(false);
  });
});
