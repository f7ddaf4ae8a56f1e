import { afterEach, describe, expect, it } from 'vitest';
import { formatBytes } from './format-bytes.ts';
import { setLocale } from './i18n.ts';

afterEach(() => setLocale('en'));

describe('formatBytes', () => {
  it('formats sizes in binary units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(3_021_406)).toBe('2.9 MB');
    expect(formatBytes(8 * 1024)).toBe('8 KB');
  });

  it("writes the number in the user's language", () => {
    setLocale('de');
    expect(formatBytes(3_021_406)).toBe('2,9 MB');
  });
});
