/**
 * A small seeded PRNG (mulberry32) so a crash run is reproducible from its seed. Each trial draws
 * from its own generator, seeded from the run seed and the trial index, so one trial can be replayed
 * alone with the same choices.
 */

/** Uniform numbers in [0, 1) from a 32-bit state. */
export interface Prng {
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  /** One element of `items`. */
  pick<T>(items: readonly T[]): T;
}

/** mulberry32, seeded with a 32-bit integer. */
export function createPrng(seed: number): Prng {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (items) => {
      if (items.length === 0) throw new Error('pick from an empty list');
      return items[Math.floor(next() * items.length)]!;
    },
  };
}

/** The generator of trial `index` in the run seeded with `seed` (independent of other trials). */
export function trialPrng(seed: number, index: number): Prng {
  // Mix the two so neighbouring indexes do not give correlated first draws.
  const mixed = createPrng((Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0);
  mixed.next();
  return mixed;
}
