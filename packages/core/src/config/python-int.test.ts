import { describe, expect, it } from 'vitest';
import { pythonInt } from './python-int.ts';

describe('pythonInt', () => {
  it('parses integer strings the way Python int() does', () => {
    expect(pythonInt(' 8')).toBe(8);
    expect(pythonInt('+8')).toBe(8);
    expect(pythonInt('0008')).toBe(8);
    expect(pythonInt('1_0')).toBe(10);
    expect(pythonInt('\t-3\n')).toBe(-3);
  });

  it('returns undefined where Python int() raises', () => {
    for (const bad of ['1__0', '_1', '12.5', '', 'abc', null, [], {}]) {
      expect(pythonInt(bad)).toBeUndefined();
    }
  });

  it('truncates floats toward zero and maps booleans to 0 and 1', () => {
    expect(pythonInt(12.9)).toBe(12);
    expect(pythonInt(-12.9)).toBe(-12);
    expect(pythonInt(true)).toBe(1);
    expect(pythonInt(false)).toBe(0);
  });
});
