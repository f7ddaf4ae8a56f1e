import { describe, expect, it } from 'vitest';
import { createPrng } from './prng.ts';

describe('createPrng', () => {
  it('repeats the same sequence for the same seed', () => {
    const a = createPrng(42);
    const b = createPrng(42);
    expect(Array.from({ length: 20 }, () => a.next())).toEqual(Array.from({ length: 20 }, () => b.next()));
  });

  it('gives different sequences for different seeds and for forked streams', () => {
    const first = createPrng(1).next();
    expect(createPrng(2).next()).not.toBe(first);
    const parent = createPrng(1);
    expect(parent.fork('events').next()).not.toBe(parent.fork('weather').next());
    expect(createPrng(1).fork('events').next()).toBe(createPrng(1).fork('events').next());
  });

  it('keeps int() within its inclusive bounds and reaches both ends', () => {
    const prng = createPrng(7);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) seen.add(prng.int(3, 6));
    expect([...seen].sort()).toEqual([3, 4, 5, 6]);
  });

  it('picks weighted entries in proportion to their weights, and refuses to pick from nothing', () => {
    const prng = createPrng(11);
    const counts = { rare: 0, common: 0, never: 0 };
    for (let i = 0; i < 10_000; i++)
      counts[
        prng.weighted([
          ['rare', 1],
          ['common', 3],
          ['never', 0],
        ] as const)
      ] += 1;
    expect(counts.never).toBe(0);
    expect(counts.common / counts.rare).toBeGreaterThan(2.5);
    expect(counts.common / counts.rare).toBeLessThan(3.5);
    expect(() => prng.pick([])).toThrow(RangeError);
  });

  it('gives bytes() of the requested length that cover the whole byte range', () => {
    const bytes = createPrng(13).bytes(4096);
    expect(bytes).toHaveLength(4096);
    expect(new Set(bytes).size).toBe(256);
    expect(createPrng(13).bytes(16)).toEqual(bytes.subarray(0, 16));
  });

  it('draws gauss() values around the requested mean', () => {
    const prng = createPrng(9);
    let sum = 0;
    for (let i = 0; i < 5000; i++) sum += prng.gauss(10, 2);
    expect(sum / 5000).toBeCloseTo(10, 0);
  });
});
