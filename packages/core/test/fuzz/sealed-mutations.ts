/**
 * Mutations for sealed archives (issue 17). A sealed source is a fuzz source's plain archive sealed
 * with age, for an X25519 recipient or with a passphrase. Two families:
 * - the sealed bytes themselves: bit flips (header, payload nonce, a middle chunk, the last chunk,
 *   anywhere), cuts (at a chunk boundary, inside a chunk, inside the header), spliced runs, data
 *   appended, chunks dropped, swapped or repeated, and header edits (another recipient's stanza,
 *   the header of another sealing of the same archive, a changed or oversized work factor, a
 *   missing stanza, another version line). Every one of them must be refused with a SEAL_ code:
 *   age authenticates every byte, so none may restore or reach the archive reader as a different
 *   archive;
 * - a plain mutation (mutate-archive.ts) sealed afterwards: age hides nothing and adds nothing, so
 *   the case must end as the plain mutation does (run-fuzz-case.ts judges it against Python's
 *   reading of the mutated plain archive, `referenceBytes`).
 * age's file keys and nonces are random, so a case replays the same mutation of a new sealing.
 */
import { Readable } from 'node:stream';
import { openSealedStream, sealStream, type OpenKey, type SealKey } from '../../src/index.ts';
import type { FuzzSource } from './build-fuzz-world.ts';
import { mutateArchive } from './mutate-archive.ts';
import type { Mutation } from './mutation-kind.ts';
import type { Prng } from './prng.ts';

const CHUNK = 64 * 1024 + 16;

/** A plain source with its sealing. */
export interface SealedSource {
  plain: FuzzSource;
  /** How it is sealed (`identity` or `passphrase`), for the summary. */
  label: string;
  bytes: Buffer;
  seal: SealKey;
  open: OpenKey;
  /** Another recipient's identity (for stanza swaps) or passphrase. */
  stranger: { seal: SealKey };
}

/** A mutation of a sealed archive; `refuseWith` is /^SEAL_/ when the sealed bytes were changed. */
export interface SealedMutation extends Mutation {
  kind: string;
}

export async function sealBuffer(plain: Buffer, key: SealKey): Promise<Buffer> {
  return Buffer.concat(await sealStream(Readable.from([plain]), key).toArray());
}

/** Where the header ends (after the `--- MAC` line) and where the payload chunks start. */
function layout(sealed: Buffer): { headerEnd: number; payloadStart: number; chunks: number } {
  const text = sealed.toString('latin1', 0, Math.min(sealed.length, 64 * 1024));
  const headerEnd = text.indexOf('\n', text.indexOf('\n--- ') + 1) + 1;
  const payloadStart = headerEnd + 16;
  return { headerEnd, payloadStart, chunks: Math.ceil((sealed.length - payloadStart) / CHUNK) };
}

function flipAt(bytes: Buffer, at: number, mask: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[at] = copy[at]! ^ mask;
  return copy;
}

type SealedByteMutation = (source: SealedSource, prng: Prng) => Promise<{ description: string; bytes: Buffer }>;

const BYTE_MUTATIONS: [string, number, SealedByteMutation][] = [
  [
    'flip',
    10,
    async (source, prng) => {
      const { headerEnd, payloadStart, chunks } = layout(source.bytes);
      const where = prng.pick(['header', 'nonce', 'middle-chunk', 'last-chunk', 'any'] as const);
      let at: number;
      if (where === 'header') at = prng.int(0, headerEnd - 1);
      else if (where === 'nonce') at = prng.int(headerEnd, payloadStart - 1);
      else if (where === 'middle-chunk' && chunks > 1) at = payloadStart + prng.int(0, chunks - 2) * CHUNK + prng.int(0, CHUNK - 1);
      else if (where === 'last-chunk') at = prng.int(payloadStart + (chunks - 1) * CHUNK, source.bytes.length - 1);
      else at = prng.int(0, source.bytes.length - 1);
      const mask = prng.chance(0.6) ? 1 << prng.int(0, 7) : prng.int(1, 255);
      return { description: `flip (${where}) ${at}^0x${mask.toString(16)}`, bytes: flipAt(source.bytes, at, mask) };
    },
  ],
  [
    'cut',
    8,
    async (source, prng) => {
      const { headerEnd, payloadStart, chunks } = layout(source.bytes);
      const where = prng.pick(['chunk-boundary', 'inside-chunk', 'header', 'nonce', 'last-byte'] as const);
      let keep: number;
      if (where === 'chunk-boundary') keep = payloadStart + prng.int(0, chunks - 1) * CHUNK;
      else if (where === 'inside-chunk') keep = prng.int(payloadStart + 1, source.bytes.length - 1);
      else if (where === 'header') keep = prng.int(0, headerEnd - 1);
      else if (where === 'nonce') keep = prng.int(headerEnd, payloadStart - 1);
      else keep = source.bytes.length - 1;
      return { description: `cut to ${keep} of ${source.bytes.length} (${where})`, bytes: source.bytes.subarray(0, keep) };
    },
  ],
  [
    'splice',
    5,
    async (source, prng) => {
      const at = prng.int(0, source.bytes.length - 1);
      const length = prng.pick([1, prng.int(2, 64), 16, CHUNK]);
      const what = prng.pick(['delete', 'insert', 'duplicate'] as const);
      const before = source.bytes.subarray(0, at);
      if (what === 'delete') {
        return { description: `delete ${length} at ${at}`, bytes: Buffer.concat([before, source.bytes.subarray(at + length)]) };
      }
      const run = what === 'insert' ? prng.bytes(length) : source.bytes.subarray(at, at + length);
      return { description: `${what} ${run.length} at ${at}`, bytes: Buffer.concat([before, run, source.bytes.subarray(at)]) };
    },
  ],
  [
    'append',
    4,
    async (source, prng) => {
      const what = prng.pick(['zeros', 'garbage', 'chunk-of-garbage', 'itself'] as const);
      const tail =
        what === 'zeros'
          ? Buffer.alloc(prng.pick([1, 16, 512]))
          : what === 'garbage'
            ? prng.bytes(prng.int(1, 64))
            : what === 'chunk-of-garbage'
              ? prng.bytes(CHUNK)
              : source.bytes;
      return { description: `append ${what} (${tail.length} bytes)`, bytes: Buffer.concat([source.bytes, tail]) };
    },
  ],
  [
    'reorder-chunks',
    4,
    async (source, prng) => {
      const { payloadStart, chunks } = layout(source.bytes);
      const parts = Array.from({ length: chunks }, (_, k) =>
        source.bytes.subarray(payloadStart + k * CHUNK, payloadStart + (k + 1) * CHUNK),
      );
      const what = prng.pick(['drop', 'swap', 'repeat'] as const);
      const k = prng.int(0, Math.max(0, chunks - 2));
      if (what === 'drop') parts.splice(k, 1);
      else if (what === 'repeat') parts.splice(k, 0, parts[k]!);
      else if (chunks > 1) [parts[k], parts[k + 1]] = [parts[k + 1]!, parts[k]!];
      else parts.push(parts[0]!);
      return { description: `${what} chunk ${k} of ${chunks}`, bytes: Buffer.concat([source.bytes.subarray(0, payloadStart), ...parts]) };
    },
  ],
  [
    'header-edit',
    6,
    async (source, prng) => {
      const { headerEnd } = layout(source.bytes);
      const header = source.bytes.toString('latin1', 0, headerEnd);
      const payload = source.bytes.subarray(headerEnd);
      const what = prng.pick(['other-sealing', 'stranger-stanza', 'work-factor', 'drop-stanza', 'version', 'mac'] as const);
      let edited: string;
      if (what === 'other-sealing' || what === 'stranger-stanza') {
        // The header of another sealing of the same archive (same key kind, or a stranger's): its
        // MAC is right for its own file key, which then fails the first payload chunk.
        const other = await sealBuffer(source.plain.bytes.subarray(0, 100), what === 'other-sealing' ? source.seal : source.stranger.seal);
        edited = other.toString('latin1', 0, layout(other).headerEnd);
      } else if (what === 'work-factor') {
        edited = header.replace(/^(-> scrypt \S+ )(\d+)$/m, (_, prefix: string) => `${prefix}${prng.pick([9, 11, 21, 99])}`);
        if (edited === header) edited = header.replace('-> X25519 ', '-> scrypt ');
      } else if (what === 'drop-stanza') {
        edited = header.replace(/^-> .*\n.*\n/m, '');
      } else if (what === 'version') {
        edited = header.replace(
          'age-encryption.org/v1',
          prng.pick(['age-encryption.org/v2', 'age-encryption.org/v1 ', 'AGE-encryption.org/v1']),
        );
      } else {
        edited = header.replace(/^--- (\S+)$/m, (_, mac: string) => `--- ${mac.slice(0, -2)}${mac.endsWith('AA') ? 'BA' : 'AA'}`);
      }
      return { description: `header ${what}`, bytes: Buffer.concat([Buffer.from(edited, 'latin1'), payload]) };
    },
  ],
];

/**
 * One mutation of `source`: mostly of the sealed bytes, the rest a plain mutation sealed afterwards.
 * Byte mutations that happen to leave the file as it was (a splice duplicating nothing) are redrawn.
 */
export async function mutateSealedArchive(source: SealedSource, prng: Prng): Promise<SealedMutation> {
  if (prng.chance(0.3)) {
    const plain = await mutateArchive(source.plain, prng);
    return {
      kind: `sealed-plain:${plain.kind}`,
      description: `sealed (${source.label}) after ${plain.description}`,
      bytes: await sealBuffer(plain.bytes, source.seal),
      referenceBytes: plain.bytes,
      ...(plain.mustRefuse === true ? { mustRefuse: true } : {}),
    };
  }
  for (let attempt = 0; attempt < 20; attempt++) {
    const [name, , apply] = prng.weighted(BYTE_MUTATIONS.map((entry) => [entry, entry[1]] as const));
    const { description, bytes } = await apply(source, prng);
    if (bytes.equals(source.bytes)) continue;
    return {
      kind: `sealed-bytes:${name}`,
      description: `[sealed-bytes:${name}] (${source.label}) ${description}`,
      bytes,
      mustRefuse: true,
      refuseWith: /^SEAL_/,
    };
  }
  throw new Error(`no sealed mutation changed ${source.plain.label}`);
}

/** Checks that `sealed` opens with `key` to exactly `plain` (the world's sources are sound). */
export async function opensTo(sealed: Buffer, key: OpenKey, plain: Buffer): Promise<boolean> {
  return Buffer.concat(await openSealedStream(Readable.from([sealed]), key).toArray()).equals(plain);
}
