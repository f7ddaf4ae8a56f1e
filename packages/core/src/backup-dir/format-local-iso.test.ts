import { afterEach, describe, expect, it } from 'vitest';
import { formatLocalIso } from './format-local-iso.ts';

const originalTz = process.env.TZ;
afterEach(() => {
  if (originalTz === undefined) delete process.env.TZ;
  else process.env.TZ = originalTz;
});

describe('formatLocalIso', () => {
  it('writes local wall-clock time with milliseconds and the offset', () => {
    process.env.TZ = 'Europe/Berlin';
    expect(formatLocalIso(new Date('2026-11-26T07:07:13.713Z'))).toBe('2026-11-26T08:07:13.713+01:00');
    expect(formatLocalIso(new Date('2026-07-01T22:30:00.005Z'))).toBe('2026-07-02T00:30:00.005+02:00');
  });

  it('writes negative and half-hour offsets, and +00:00 for UTC', () => {
    process.env.TZ = 'America/St_Johns';
    expect(formatLocalIso(new Date('2026-11-26T07:07:13.000Z'))).toBe('2026-11-26T03:37:13.000-03:30');
    process.env.TZ = 'UTC';
    expect(formatLocalIso(new Date('2026-11-26T07:07:13.000Z'))).toBe('2026-11-26T07:07:13.000+00:00');
  });

  it('names the same instant it was given', () => {
    const time = new Date(1_764_140_833_713);
    expect(new Date(formatLocalIso(time)).getTime()).toBe(time.getTime());
  });
});
