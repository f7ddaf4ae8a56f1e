/**
 * The inflating stage of the archive reader: compressed bytes in, tar bytes out, with the CRC32 and
 * ISIZE of every gzip member checked by zlib. It reads its source once, in order, so the source may
 * be an upload.
 *
 * States:
 * 1. probe: the first compressed bytes (at most PROBE_LIMIT) are buffered until the first gzip
 *    member is complete. Its deflate data is inflated with a raw inflater, which says where it
 *    ends, and the whole member is then gunzipped once more to check its trailer;
 * 2. choose: if that member is exactly the tar entry of `backup_meta.json` and the meta carries a
 *    well-formed `gzip_members` (peek-gzip-member-index.ts), the rest is read indexed; anything
 *    else (DOCSight's single-member archives, our older archives, a first member over the limit, a
 *    gzip header with optional fields) is read sequentially. With `parallel` off (the default on 2
 *    cores) there is no probe and every archive is read sequentially;
 * 3a. sequential: one streaming gunzip over every byte from the first one, as zlib has always read
 *    concatenated members. zlib stops at a zero byte after a member; what follows must then be
 *    zero padding, at most TRAILING_ZEROS_LIMIT bytes (gzip and Python skip zero padding too),
 *    other bytes → ARCHIVE_CORRUPT, as on the indexed path;
 * 3b. indexed: the first member's output is passed on, the following bytes are cut at the listed
 *    sizes, and up to CONCURRENCY slices inflate at once on the libuv thread pool, their output
 *    passed on in order. On 2 cores this halved inflating's own wall time, but a whole validate
 *    or restore of a 1 GB database was no faster (the main thread's SHA-256, tar parsing and GC
 *    keep the second core busy) and peaked about 18 MB higher, hence the default. A 1 GB upload
 *    with the digests read back from the staged files was slower with it (3.7-3.9 s against
 *    3.3-3.6 s) and 35 MB higher: the file writes need that core;
 * 4. end (indexed): after the last listed member only zero bytes (padding, at most
 *    TRAILING_ZEROS_LIMIT) may follow; other bytes → ARCHIVE_CORRUPT.
 *
 * Correctness does not rest on trusting the index. Each slice must inflate as whole gzip members
 * (a cut inside a member fails zlib's header, length or CRC checks) and must be consumed to its
 * last byte (zlib stops silently at a zero byte between members; that is caught by counting the
 * bytes it took), and inflating concatenated members one after another yields the concatenation
 * of their outputs. So the indexed path yields exactly the bytes the sequential one would, or
 * fails: a slice that does not inflate → ARCHIVE_CORRUPT naming the member, an input that ends
 * before the listed sizes → ARCHIVE_TRUNCATED. Memory stays bounded whatever the index says:
 * each listed size is capped by the schema, and each slice may inflate to at most
 * MAX_INDEXED_MEMBER_INFLATED bytes.
 */
import { availableParallelism } from 'node:os';
import zlib from 'node:zlib';
import { LockerError } from '../../errors.ts';
import { MAX_INDEXED_MEMBER_INFLATED } from '../format/backup-meta.ts';
import { peekGzipMemberIndex } from './peek-gzip-member-index.ts';

/** Output buffer of the sequential gunzip; the 16 KiB default made inflating 3 times slower. */
const SEQUENTIAL_CHUNK_SIZE = 256 * 1024;
/** Compressed bytes buffered while looking for the end of the first member. */
const PROBE_LIMIT = 256 * 1024;
/** Largest first-member output that can be the meta entry: 1 MiB of JSON, header, padding. */
const META_ENTRY_LIMIT = 1024 * 1024 + 2 * 512;
/**
 * Slices inflating at once. Measured on 2 cores with a 1 GB database (validate, built CLI): 1 was
 * slower than 2 and 3 no faster; each slice holds a 4 MiB output buffer, and a restore also keeps
 * a staged write and a flush on libuv's 4 pool threads, which the source's reads need too.
 */
const CONCURRENCY = 2;
const TRAILING_ZEROS_LIMIT = 1024 * 1024;
const GZIP_HEADER_SIZE = 10;
const GZIP_TRAILER_SIZE = 8;
/** Header, an empty deflate block and trailer: the smallest possible gzip member. */
const MIN_MEMBER_SIZE = 20;

export type InflatePath = 'parallel' | 'sequential';

/** Whether readArchive inflates indexed archives in parallel by default: with more than 2 cores. */
export const DEFAULT_PARALLEL_INFLATE = availableParallelism() > 2;

export interface ArchiveInflaterOptions {
  /** Take the indexed path when the archive allows it; false reads every archive sequentially. */
  parallel: boolean;
  /** Learns which path was taken as soon as it is chosen. */
  onPath: (path: InflatePath) => void;
}

/** A pipeline stage that inflates an archive's gzip stream (see the top comment). */
export function createArchiveInflater(options: ArchiveInflaterOptions): (source: AsyncIterable<Buffer>) => AsyncGenerator<Buffer> {
  const { onPath } = options;
  return async function* inflateArchive(source) {
    if (!options.parallel) {
      onPath('sequential');
      yield* inflateSequential([], source[Symbol.asyncIterator]());
      return;
    }
    const input = source[Symbol.asyncIterator]();
    const probed: Buffer[] = [];
    let first: FirstMember | undefined;
    for (let probing = true; probing;) {
      const next = await input.next();
      if (next.done === true) break;
      probed.push(next.value);
      const bytes = probed.length === 1 ? probed[0]! : Buffer.concat(probed);
      const verdict = probeFirstMember(bytes);
      if (verdict === 'more' && bytes.length <= PROBE_LIMIT) continue;
      probing = false;
      if (typeof verdict === 'object') first = verdict;
    }
    const index = first === undefined ? undefined : peekGzipMemberIndex(first.output);
    if (first === undefined || index === undefined) {
      onPath('sequential');
      yield* inflateSequential(probed, input);
      return;
    }
    onPath('parallel');
    if (first.output.length > 0) yield first.output;
    yield* inflateIndexed(Buffer.concat(probed).subarray(first.length), input, index);
  };
}

interface FirstMember {
  /** Compressed length of the member. */
  length: number;
  output: Buffer;
}

/** The first gzip member of `bytes`, 'more' when it may still complete, 'no' when it cannot be indexed. */
function probeFirstMember(bytes: Buffer): FirstMember | 'more' | 'no' {
  if (bytes.length < GZIP_HEADER_SIZE) return 'more';
  // Magic, deflate, and no optional header fields: the header zlib.gzip writes.
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b || bytes[2] !== 8 || bytes[3] !== 0) return 'no';
  let deflateLength: number;
  try {
    const raw = zlib.inflateRawSync(bytes.subarray(GZIP_HEADER_SIZE), { info: true, maxOutputLength: META_ENTRY_LIMIT });
    deflateLength = (raw as unknown as { engine: zlib.InflateRaw }).engine.bytesWritten;
  } catch (error) {
    return (error as { code?: unknown }).code === 'Z_BUF_ERROR' ? 'more' : 'no';
  }
  const length = GZIP_HEADER_SIZE + deflateLength + GZIP_TRAILER_SIZE;
  if (bytes.length < length) return 'more';
  try {
    // The whole member once more, so zlib checks its CRC32 and ISIZE.
    return { length, output: zlib.gunzipSync(bytes.subarray(0, length)) };
  } catch {
    return 'no'; // the sequential path reports the problem with the usual code
  }
}

/**
 * One gunzip over every byte from the first one (state 3a). The input is written here, one chunk at
 * a time, rather than by pipeline(): zlib stops at a zero byte after a member, and pipeline() went
 * on writing into the stopped stream, which failed with an AbortError (an archive with zero padding
 * read from a stream came out as CANCELLED). Once zlib has stopped, the rest must be zero padding.
 */
async function* inflateSequential(probed: Buffer[], input: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  const gunzip = zlib.createGunzip({ chunkSize: SEQUENTIAL_CHUNK_SIZE });
  const feeding = feedGunzip(gunzip, probed, input);
  // A feeding failure (trailing data, a broken source) ends the loop below with it.
  feeding.catch((error: unknown) => gunzip.destroy(error instanceof Error ? error : new Error(String(error))));
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) yield chunk;
    await feeding;
  } finally {
    gunzip.destroy();
  }
}

/**
 * Writes `probed`, then the rest of `input`, into `gunzip`, waiting for each chunk to be inflated.
 * It never closes `input`: that would destroy the caller's upstream stage with an AbortError that
 * its pipeline() reports before the real error. After zlib stops early, only zeros may follow.
 */
async function feedGunzip(gunzip: zlib.Gunzip, probed: Buffer[], input: AsyncIterator<Buffer>): Promise<void> {
  let fed = 0;
  const padding = new TrailingZeros();
  let stopped = false;
  for (let chunk = probed.shift(); ; chunk = probed.shift()) {
    if (chunk === undefined) {
      const next = await input.next();
      if (next.done === true) break;
      chunk = next.value;
    }
    if (stopped) {
      // Read to the end even though gunzip is done: an unread rest would stall the caller's pipeline.
      padding.check(chunk);
      continue;
    }
    if (gunzip.destroyed) return; // the reader went away; its pipeline is being torn down
    fed += chunk.length;
    await new Promise<void>((resolve, reject) => gunzip.write(chunk, (error) => (error ? reject(error) : resolve())));
    const unconsumed = fed - gunzip.bytesWritten;
    if (unconsumed > 0) {
      stopped = true;
      padding.check(chunk.subarray(chunk.length - unconsumed));
    }
  }
  gunzip.end();
}

/** What may follow the last gzip member: zero bytes, at most TRAILING_ZEROS_LIMIT of them. */
class TrailingZeros {
  #bytes = 0;

  check(piece: Buffer): void {
    this.#bytes += piece.length;
    if (this.#bytes > TRAILING_ZEROS_LIMIT || piece.some((byte) => byte !== 0)) {
      throw new LockerError('ARCHIVE_CORRUPT', 'Invalid archive: trailing data after the last gzip member', {
        details: { reason: 'trailing_data' },
      });
    }
  }
}

async function* inflateIndexed(leftover: Buffer, input: AsyncIterator<Buffer>, index: number[]): AsyncGenerator<Buffer> {
  const slices = new SliceReader(leftover, input);
  const inflating: Promise<Buffer>[] = [];
  let next = 0;
  let offset = 0;
  const refill = async (): Promise<void> => {
    while (inflating.length < CONCURRENCY && next < index.length) {
      const size = index[next]!;
      const slice = await slices.take(size);
      const job = inflateSlice(slice, next, offset);
      job.catch(() => undefined); // awaited in order below; this only stops an unhandled-rejection report
      inflating.push(job);
      next += 1;
      offset += size;
    }
  };
  await refill();
  while (inflating.length > 0) {
    const output = await inflating.shift()!;
    // Refilled before handing the output on, so CONCURRENCY slices inflate while it is consumed.
    await refill();
    if (output.length > 0) yield output;
  }
  await slices.expectZerosToEnd();
}

/** Gunzips one slice that must be whole gzip members, on the thread pool. */
function inflateSlice(slice: Buffer, member: number, offset: number): Promise<Buffer> {
  const mismatch = (reason: string, cause?: unknown): LockerError =>
    new LockerError(
      'ARCHIVE_CORRUPT',
      `Invalid archive: gzip member ${member + 1} listed in backup_meta.json (${slice.length} bytes at offset ${offset} after the meta) does not inflate: ${reason}`,
      { ...(cause === undefined ? {} : { cause }), details: { reason: 'gzip_members', member: member + 1 } },
    );
  if (slice.length < MIN_MEMBER_SIZE) return Promise.reject(mismatch('too short for a gzip member'));
  // ISIZE of the (last) member sizes the output buffer, so zlib returns it without copying.
  const expected = slice.readUInt32LE(slice.length - 4);
  const chunkSize = Math.max(64 * 1024, Math.min(expected, MAX_INDEXED_MEMBER_INFLATED) + 1);
  return new Promise((resolve, reject) => {
    zlib.gunzip(slice, { chunkSize, maxOutputLength: MAX_INDEXED_MEMBER_INFLATED, info: true }, (error, result) => {
      if (error !== null) {
        reject(mismatch(error.message, error));
        return;
      }
      const { buffer, engine } = result as unknown as { buffer: Buffer; engine: zlib.Gunzip };
      if (engine.bytesWritten !== slice.length) {
        reject(mismatch(`${slice.length - engine.bytesWritten} bytes after the end of the gzip data`));
        return;
      }
      resolve(buffer);
    });
  });
}

/** Cuts exact byte counts off the compressed input. */
class SliceReader {
  #pending: Buffer[];
  #pendingBytes: number;

  constructor(
    leftover: Buffer,
    private readonly input: AsyncIterator<Buffer>,
  ) {
    this.#pending = leftover.length > 0 ? [leftover] : [];
    this.#pendingBytes = leftover.length;
  }

  /** The next `size` bytes; ARCHIVE_TRUNCATED when the input ends first. */
  async take(size: number): Promise<Buffer> {
    while (this.#pendingBytes < size) {
      const next = await this.input.next();
      if (next.done === true) {
        throw new LockerError('ARCHIVE_TRUNCATED', 'Invalid archive: compressed file ended before the end-of-stream marker was reached');
      }
      this.#pending.push(next.value);
      this.#pendingBytes += next.value.length;
    }
    const head = this.#pending[0]!;
    let slice: Buffer;
    if (head.length >= size) {
      slice = head.subarray(0, size);
      if (head.length === size) this.#pending.shift();
      else this.#pending[0] = head.subarray(size);
    } else {
      const pieces: Buffer[] = [];
      let missing = size;
      while (missing > 0) {
        const piece = this.#pending[0]!;
        if (piece.length <= missing) {
          pieces.push(piece);
          this.#pending.shift();
          missing -= piece.length;
        } else {
          pieces.push(piece.subarray(0, missing));
          this.#pending[0] = piece.subarray(missing);
          missing = 0;
        }
      }
      slice = Buffer.concat(pieces, size);
    }
    this.#pendingBytes -= size;
    return slice;
  }

  /** Reads the input to its end; only zero bytes (padding) may remain. */
  async expectZerosToEnd(): Promise<void> {
    const padding = new TrailingZeros();
    for (let piece: Buffer | undefined = this.#pending.shift(); ; piece = this.#pending.shift()) {
      if (piece === undefined) {
        const next = await this.input.next();
        if (next.done === true) return;
        piece = next.value;
      }
      padding.check(piece);
    }
  }
}
