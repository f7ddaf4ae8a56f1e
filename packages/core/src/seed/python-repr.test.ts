import { describe, expect, it } from 'vitest';
import { pyFloat, round1, toPyJson } from './python-repr.ts';

describe('toPyJson', () => {
  it('writes whole floats with .0 the way Python does, and ints without', () => {
    const text = toPyJson({ power: 5, snr: 37.25, channel_id: 3 }, { floatKeys: new Set(['power', 'snr']) });
    expect(text).toBe('{"power": 5.0, "snr": 37.25, "channel_id": 3}');
  });

  it("uses Python's default separators and keeps key order, including nested arrays", () => {
    const text = toPyJson({ b: [1, 2], a: { x: null, y: true, z: 'q"' } });
    expect(text).toBe('{"b": [1, 2], "a": {"x": null, "y": true, "z": "q\\""}}');
  });

  it('writes compact separators when asked', () => {
    expect(toPyJson({ a: [1, { b: 2.5 }] }, { compact: true, floatKeys: new Set(['b']) })).toBe('{"a":[1,{"b":2.5}]}');
  });
});

describe('pyFloat and round1', () => {
  it('prints shortest round-trip floats and rounds to tenths', () => {
    expect(pyFloat(-37)).toBe('-37.0');
    expect(pyFloat(7.486315876035594)).toBe('7.486315876035594');
    expect(round1(44.66)).toBe(44.7);
  });
});

describe('pyFloat fast path', () => {
  it('prints the same text as the float printer for every tenth from -100 to 100', () => {
    for (let tenths = -1000; tenths <= 1000; tenths++) {
      const value = tenths / 10;
      const expected = Number.isInteger(value) ? value.toFixed(1) : String(value);
      if (Object.is(value, -0)) continue;
      expect(pyFloat(value)).toBe(expected);
    }
    expect(pyFloat(0.30000000000000004)).toBe('0.30000000000000004');
    expect(pyFloat(7.486315876035594 + 0.1)).toBe(String(7.486315876035594 + 0.1));
  });
});
