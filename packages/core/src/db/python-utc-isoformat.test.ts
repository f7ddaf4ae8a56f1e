import { describe, expect, it } from 'vitest';
import { pythonUtcIsoformat, pythonUtcNow } from './python-utc-isoformat.ts';

describe('pythonUtcIsoformat', () => {
  it('writes microseconds and a +00:00 offset like Python', () => {
    expect(pythonUtcIsoformat(new Date('2026-11-26T07:01:08.661Z'), 304)).toBe('2026-11-26T07:01:08.661304+00:00');
  });

  it('omits the fraction when the microseconds are 0, as Python does', () => {
    expect(pythonUtcIsoformat(new Date('2026-11-26T07:01:08.000Z'))).toBe('2026-11-26T07:01:08+00:00');
  });

  it('produces non-decreasing timestamps for successive calls', () => {
    const stamps = Array.from({ length: 50 }, () => pythonUtcNow());
    expect(stamps).toEqual(stamps.toSorted());
    expect(stamps[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00$/);
  });
});
