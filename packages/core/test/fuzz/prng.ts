/**
 * The fuzzer's seeded generator: core's (src/seed/prng.ts). Every case draws from its own fork, so
 * case 4711 replays on its own, from the run's seed and its index, with the same numbers as inside
 * the full sequence.
 */
import { createPrng, type Prng } from '../../src/seed/prng.ts';

export type { Prng };

/** The generator of case `index` of a run seeded with `seed`. */
export function forCase(seed: number, index: number): Prng {
  return createPrng(seed).fork(`case ${index}`);
}
