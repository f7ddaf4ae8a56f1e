/** The shape every fuzz mutation shares: a name and weight for the draw, and what it does. */
import type { FuzzSource } from './build-fuzz-world.ts';
import type { Prng } from './prng.ts';

/** One mutated archive and how to replay-read it. */
export interface Mutation {
  /** What was changed, precise enough to recognise the case in a failure message. */
  description: string;
  bytes: Buffer;
  /** The archive is broken in a way the reader must refuse (a gzip trailer that does not match, …). */
  mustRefuse?: boolean;
  /** A refusal's code must match this (a changed sealed file: a SEAL_ code). */
  refuseWith?: RegExp;
  /** The plain archive Python's tarfile is to read for the reference (a sealed mutation's plain bytes). */
  referenceBytes?: Buffer;
}

export interface MutationKind {
  name: string;
  weight: number;
  /** The mutated archive, or undefined when this kind does not apply to `source`. */
  apply(source: FuzzSource, prng: Prng): Mutation | undefined | Promise<Mutation | undefined>;
}

/** A position in [0, length), biased as the kind asks: anywhere, the first KBs, or the last bytes. */
export function biasedPosition(prng: Prng, length: number, bias: 'any' | 'head' | 'tail'): number {
  if (bias === 'head') return prng.int(0, Math.min(length, 4096) - 1);
  if (bias === 'tail') return length - 1 - prng.int(0, Math.min(length, 64) - 1);
  return prng.int(0, length - 1);
}

/** `hex` of a short buffer, or its length when long: for descriptions. */
export function describeBytes(bytes: Buffer): string {
  return bytes.length <= 16 ? `0x${bytes.toString('hex')}` : `${bytes.length} bytes`;
}
