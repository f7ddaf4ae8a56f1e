/**
 * The first stage of every archive reader: it decides from the first bytes whether the input is a
 * sealed archive (an age file) or a plain one, checks that against what the file's name promised,
 * and hands the plain archive's bytes on. A sealed input is opened with the caller's key in the
 * same streaming pass (open-sealed-stream.ts), so decryption, validation and staging stay one pass
 * with flat memory.
 *
 * What the name promises (`sealExpectationOf`): `….tar.gz.age` must be sealed (else SEAL_NOT_SEALED,
 * or SEAL_ARMORED for `age -a` text); `….tar.gz` must be plain (a sealed file under that name is
 * ARCHIVE_SEALED: renamed by someone, and the name would mislead every tool that trusts it); a name
 * that says neither (a stream with no name) takes what it finds.
 */
import { Readable } from 'node:stream';
import { LockerError } from '../errors.ts';
import { openSealedStream } from './open-sealed-stream.ts';
import type { OpenKey } from './seal-key.ts';
import { sealError } from './seal-error.ts';
import { isArmoredSealedHeader, isSealedHeader, isSealedMagicPrefix, SEALED_HEADER_PROBE_BYTES } from './sealed-header.ts';
import { SEALED_SUFFIX } from './sealed-archive-name.ts';

/** What an archive's name says it is: sealed (`.age`), plain (`.tar.gz`, `.tgz`), or nothing. */
export type SealExpectation = 'sealed' | 'plain' | 'any';

/** How a sealed archive is opened, as the readers take it. */
export interface SealedInputOptions {
  /** The key that opens a sealed input; without it a sealed input fails with SEAL_KEY_REQUIRED. */
  key?: OpenKey | undefined;
  /** What the input's name promised (`sealExpectationOf`). Default `any`. */
  expect?: SealExpectation | undefined;
}

/** How a sealed archive's file key is wrapped, as far as can be told without its key. */
export type SealedWith = 'identity' | 'passphrase';

/** What `fileName` promises: `sealed` for `….age`, `plain` for `….tar.gz`/`….tgz`, else `any`. */
export function sealExpectationOf(fileName: string | undefined): SealExpectation {
  if (typeof fileName !== 'string') return 'any';
  const name = fileName.toLowerCase();
  if (name.endsWith(SEALED_SUFFIX)) return 'sealed';
  if (name.endsWith('.tar.gz') || name.endsWith('.tgz')) return 'plain';
  return 'any';
}

/** Longer than any header age or this product writes; the same bound the opener keeps. */
const MAX_HEADER_BYTES = 64 * 1024;

/**
 * How the file key of the sealed archive whose first bytes are `head` is wrapped: `passphrase` when
 * a stanza is scrypt (age allows no other stanza beside it), `identity` for any other stanza kind,
 * or null when `head` does not hold a whole header (or is not sealed).
 */
export function sealedWithOf(head: Uint8Array): SealedWith | null {
  if (!isSealedHeader(head)) return null;
  const text = Buffer.from(head.buffer, head.byteOffset, Math.min(head.length, MAX_HEADER_BYTES)).toString('latin1');
  const macLine = text.indexOf('\n--- ');
  if (macLine === -1) return null;
  const kinds = text
    .slice(0, macLine)
    .split('\n')
    .filter((line) => line.startsWith('-> '))
    .map((line) => line.split(' ')[1] ?? '');
  if (kinds.length === 0) return null;
  return kinds.includes('scrypt') ? 'passphrase' : 'identity';
}

function keyRequired(sealedWith: SealedWith | null): LockerError {
  const what =
    sealedWith === 'passphrase'
      ? 'It is sealed with a passphrase: enter that passphrase.'
      : 'Give its key: the identity from the recovery kit (AGE-SECRET-KEY-1…), or the passphrase it was sealed with.';
  return new LockerError('SEAL_KEY_REQUIRED', `This backup is sealed (age-encrypted). ${what}`, {
    details: sealedWith === null ? {} : { sealedWith },
  });
}

function sealedUnderPlainName(): LockerError {
  return new LockerError(
    'ARCHIVE_SEALED',
    'This file is a sealed backup (age-encrypted), but its name ends in .tar.gz, the name of a plain backup. Rename it to end in .tar.gz.age, then open it with its key.',
  );
}

/**
 * A pipeline stage (`stream.pipeline(input, unsealStage(options), …)`) that passes a plain archive
 * through and opens a sealed one with `options.key`, after checking both against
 * `options.expect` (see the file comment). Fails with the codes of openSealedStream, and with
 * SEAL_KEY_REQUIRED (details.sealedWith says which key) when a sealed input comes without a key.
 */
export function unsealStage(options: SealedInputOptions = {}): (source: AsyncIterable<Buffer>) => AsyncGenerator<Buffer> {
  const expect = options.expect ?? 'any';
  return async function* unseal(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    const chunks = source[Symbol.asyncIterator]();
    let ended = false;
    const held: Buffer[] = [];
    let heldBytes = 0;
    const pull = async (bytes: number): Promise<void> => {
      while (heldBytes < bytes && !ended) {
        const next = await chunks.next();
        if (next.done === true) ended = true;
        else {
          held.push(next.value);
          heldBytes += next.value.length;
        }
      }
    };
    try {
      await pull(SEALED_HEADER_PROBE_BYTES);
      let head = Buffer.concat(held);
      if (!isSealedHeader(head)) {
        if (isArmoredSealedHeader(head)) throw sealError('SEAL_ARMORED', 'version line');
        if (expect === 'sealed') throw sealError(ended && isSealedMagicPrefix(head) ? 'SEAL_TRUNCATED' : 'SEAL_NOT_SEALED', 'version line');
        if (head.length > 0) yield head;
        for (;;) {
          const next = await chunks.next();
          if (next.done === true) return;
          yield next.value;
        }
      }
      if (expect === 'plain') throw sealedUnderPlainName();
      if (options.key === undefined) {
        // Enough of the header to say which key it needs.
        while (sealedWithOf(head) === null && !ended && heldBytes < MAX_HEADER_BYTES) {
          await pull(heldBytes + 1);
          head = Buffer.concat(held);
        }
        throw keyRequired(sealedWithOf(head));
      }
      const sealed = Readable.from(
        (async function* () {
          yield* held;
          held.length = 0;
          for (;;) {
            const next = await chunks.next();
            if (next.done === true) return;
            yield next.value;
          }
        })(),
        { objectMode: false },
      );
      for await (const plain of openSealedStream(sealed, options.key)) yield plain as Buffer;
    } finally {
      await chunks.return?.();
    }
  };
}
