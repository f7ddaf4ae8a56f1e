/**
 * Mutations of the compressed bytes as they are: bit flips (anywhere, in the first KBs, in the
 * last bytes), overwritten runs, truncations, inserted and deleted runs, and data appended after
 * the gzip stream (zeros, garbage, zeros then garbage, a second archive, a stray gzip member).
 */
import zlib from 'node:zlib';
import { buildTar } from '../support/restore-support.ts';
import { biasedPosition, describeBytes, type MutationKind } from './mutation-kind.ts';

function flips(bias: 'any' | 'head' | 'tail'): MutationKind {
  return {
    name: `flip-${bias}`,
    weight: bias === 'any' ? 14 : 8,
    apply(source, prng) {
      const bytes = Buffer.from(source.bytes);
      const count = prng.weighted([
        [1, 6],
        [2, 2],
        [prng.int(3, 16), 1],
      ] as const);
      const changes: string[] = [];
      for (let i = 0; i < count; i += 1) {
        const at = biasedPosition(prng, bytes.length, bias);
        const mask = prng.chance(0.6) ? 1 << prng.int(0, 7) : prng.int(1, 255);
        bytes[at] = bytes[at]! ^ mask;
        changes.push(`${at}^0x${mask.toString(16)}`);
      }
      return { description: `flip bytes (${bias}) ${changes.join(',')}`, bytes };
    },
  };
}

const overwriteRun: MutationKind = {
  name: 'overwrite-run',
  weight: 4,
  apply(source, prng) {
    const bytes = Buffer.from(source.bytes);
    const at = biasedPosition(prng, bytes.length, prng.pick(['any', 'head', 'tail'] as const));
    const length = Math.min(prng.int(1, 64), bytes.length - at);
    const fill = prng.pick(['zero', 'ff', 'random'] as const);
    const run = fill === 'zero' ? Buffer.alloc(length) : fill === 'ff' ? Buffer.alloc(length, 0xff) : prng.bytes(length);
    run.copy(bytes, at);
    return { description: `overwrite ${length} bytes at ${at} with ${fill}`, bytes };
  },
};

const truncate: MutationKind = {
  name: 'truncate',
  weight: 10,
  apply(source, prng) {
    const length = source.bytes.length;
    const where = prng.pick(['any', 'tail', 'tiny', 'head', 'member-end'] as const);
    let keep: number;
    if (where === 'any') keep = prng.int(0, length - 1);
    else if (where === 'tail') keep = length - prng.int(1, 64);
    else if (where === 'tiny') keep = prng.int(0, 24);
    else if (where === 'head') keep = prng.int(0, Math.min(length, 4096) - 1);
    else {
      // Exactly at the end of a gzip member (before the last): every member so far is whole.
      if (source.members.length < 2) return undefined;
      const member = source.members[prng.int(0, source.members.length - 2)]!;
      keep = member.offset + member.length;
    }
    // A cut inside a gzip member leaves it without its trailer: always refused.
    const atBoundary = keep > 0 && source.members.some((member) => member.offset + member.length === keep);
    const description = `truncate to ${keep} of ${length} bytes (${where})`;
    return { description, bytes: Buffer.from(source.bytes.subarray(0, keep)), ...(atBoundary ? {} : { mustRefuse: true }) };
  },
};

const splice: MutationKind = {
  name: 'splice',
  weight: 4,
  apply(source, prng) {
    const bytes = source.bytes;
    const at = biasedPosition(prng, bytes.length, prng.pick(['any', 'head', 'tail'] as const));
    const what = prng.pick(['delete', 'insert', 'duplicate'] as const);
    const length = prng.int(1, 32);
    const before = bytes.subarray(0, at);
    if (what === 'delete') {
      return { description: `delete ${length} bytes at ${at}`, bytes: Buffer.concat([before, bytes.subarray(at + length)]) };
    }
    const run = what === 'insert' ? prng.bytes(length) : bytes.subarray(at, at + length);
    return { description: `${what} ${run.length} bytes at ${at}`, bytes: Buffer.concat([before, run, bytes.subarray(at)]) };
  },
};

const append: MutationKind = {
  name: 'append',
  weight: 8,
  async apply(source, prng) {
    const what = prng.pick([
      'zeros',
      'garbage',
      'zeros-then-garbage',
      'archive-again',
      'gzip-of-garbage',
      'gzip-of-tar',
      'gzip-header',
    ] as const);
    let tail: Buffer;
    if (what === 'zeros') tail = Buffer.alloc(prng.pick([1, 7, 512, 10_240, 2 * 1024 * 1024]));
    else if (what === 'garbage') tail = prng.bytes(prng.int(1, 64));
    else if (what === 'zeros-then-garbage') tail = Buffer.concat([Buffer.alloc(prng.int(1, 1024)), prng.bytes(prng.int(1, 16))]);
    else if (what === 'archive-again') tail = source.bytes;
    else if (what === 'gzip-of-garbage') tail = zlib.gzipSync(prng.bytes(prng.int(1, 2048)));
    else if (what === 'gzip-of-tar')
      tail = zlib.gzipSync(
        await buildTar([{ name: prng.pick(['config.json', 'notes.txt', '.auth_state']), content: '{"modem_type":"evil"}' }]),
      );
    else tail = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);
    return { description: `append ${what} (${describeBytes(tail)})`, bytes: Buffer.concat([source.bytes, tail]) };
  },
};

export const BYTE_MUTATIONS: MutationKind[] = [flips('any'), flips('head'), flips('tail'), overwriteRun, truncate, splice, append];
