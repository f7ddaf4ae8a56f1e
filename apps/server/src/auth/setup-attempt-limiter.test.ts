import { describe, expect, it } from 'vitest';
import { SetupAttemptLimiter } from './setup-attempt-limiter.ts';

describe('SetupAttemptLimiter', () => {
  it('allows 60 uploads per address per hour, then refuses with the wait until the oldest leaves the window', () => {
    let now = 0;
    const limiter = new SetupAttemptLimiter({ now: () => now });
    for (let i = 0; i < 60; i++) expect(limiter.consume('upload', 'ip').allowed).toBe(true);
    now += 10 * 60_000;
    expect(limiter.consume('upload', 'ip')).toEqual({ allowed: false, limit: 60, retryAfterSeconds: 50 * 60 });
    expect(limiter.consume('upload', 'other').allowed).toBe(true);
    now += 50 * 60_000;
    expect(limiter.consume('upload', 'ip').allowed).toBe(true);
  });

  it('allows 5 restores per address per hour, counted apart from uploads', () => {
    const limiter = new SetupAttemptLimiter();
    for (let i = 0; i < 5; i++) expect(limiter.consume('restore', 'ip').allowed).toBe(true);
    expect(limiter.consume('restore', 'ip')).toMatchObject({ allowed: false, limit: 5 });
    expect(limiter.consume('upload', 'ip')).toEqual({ allowed: true, remaining: 59 });
  });

  it('does not record a refused attempt, so waiting always helps', () => {
    let now = 0;
    const limiter = new SetupAttemptLimiter({ maxRestores: 1, now: () => now });
    limiter.consume('restore', 'ip');
    for (let i = 0; i < 10; i++) {
      now += 60_000;
      expect(limiter.consume('restore', 'ip').allowed).toBe(false);
    }
    now = 60 * 60_000;
    expect(limiter.consume('restore', 'ip').allowed).toBe(true);
  });

  it('gives back an attempt that could not start', () => {
    const limiter = new SetupAttemptLimiter({ maxRestores: 1 });
    expect(limiter.consume('restore', 'ip').allowed).toBe(true);
    limiter.refund('restore', 'ip');
    expect(limiter.consume('restore', 'ip').allowed).toBe(true);
    expect(limiter.consume('restore', 'ip').allowed).toBe(false);
    // A refund for someone who has nothing counted changes nothing.
    limiter.refund('restore', 'nobody');
    expect(limiter.consume('restore', 'nobody').allowed).toBe(true);
  });
});
