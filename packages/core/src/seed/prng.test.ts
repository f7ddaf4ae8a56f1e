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

  it('draws gauss() values around the requested mean', () => {
    const prng = createPrng(9);
    let sum = 0;
    for (let i = 0; i < 5000; i++) sum += prng.gauss(10, 2);
    expect(sum / 5000).toBeCloseTo(10, 0);
  });
});
