/**
 * Gzip on several cores without blocking the event loop. The input byte stream is cut into
 * fixed-size chunks; each chunk becomes one independent gzip member, compressed by node:zlib's
 * asynchronous streams on the libuv thread pool, with a few chunks in flight at once. Members are
 * handed to the sink in input order. Concatenated gzip members are one valid gzip file (RFC 1952
 * §2.2): `gzip -d`, Python's `gzip`/`tarfile` (so DOCSight's restore) and node's `gunzip` read them
 * as one stream. Independent members cannot match across a chunk boundary: on the 1 GB database
 * below, 2 MiB members made the archive 0.6 % larger than 4 MiB ones (67.6 against 67.3 MB).
 *
 * Memory is fixed: `concurrency + 1` chunk buffers and `concurrency` zlib streams (gzip-lane.ts)
 * are allocated once and reused, and file data is read straight into the buffers (`fill`). A
 * stream pipeline allocating a fresh 4 MiB buffer per read left the garbage to V8's
 * external-memory heuristics and peaked 60 MB higher on a 1 GB database.
 */
import { createHash } from 'node:crypto';
import { GzipLane } from './gzip-lane.ts';

export interface ParallelGzipOptions {
  /** Uncompressed bytes per gzip member. Default 2 MiB. */
  chunkSize?: number;
  /**
   * Members compressed at once, each on a libuv thread-pool thread. Default 3: one of the pool's 4
   * threads stays free for the file reads that feed the compressor (and the server's own fs
   * calls). On 2 cores, 3 in flight beat 2 (1 GB at level 7: 5.3 s against 6.2 s), since the
   * compressors then never wait for the reader.
   */
  concurrency?: number;
  /**
   * Compression level of each member, cycled by member index: `[8, 7, 7]` compresses every third
   * member at 8 and the others at 7, landing between the two in size and CPU time.
   * Default DEFAULT_GZIP_LEVELS.
   */
  levels?: readonly number[];
}

/**
 * 2 MiB: the `concurrency + 1` chunk buffers are most of a backup's own memory, and with 4 MiB the
 * CLI's peak RSS for a 1 GB database was 97-98 MB, with 2 MiB 90-91 MB (target: under 100), for
 * 0.6 % more archive and no measurable time.
 */
export const DEFAULT_GZIP_CHUNK_SIZE = 2 * 1024 * 1024;
/**
 * Measured on the 1.05 GB docsis_history.db of 27 months of user data (4 MiB members), size against
 * `gzip -9` of the same file (DOCSight's level) and zlib CPU seconds for the GB: level 6 +19 %
 * (7.8 s), level 7 +8 % (9.3 s), `[8, 7, 7]` +6 % (11.3 s), `[8, 7]` +5 % (13.6 s). Level 7 meets
 * both "at most 10 % larger than DOCSight's archive" and "under 7 s on 2 cores"; mixes with 8 buy a
 * few percent of size with time the 7 s goal does not have.
 */
export const DEFAULT_GZIP_LEVELS: readonly number[] = [7];
const DEFAULT_CONCURRENCY = 3;

/** What the sink learns about each member beside its bytes. */
export interface GzipMemberInfo {
  /** Hex SHA-256 of the member's uncompressed bytes. */
  sha256: string;
  /** Uncompressed bytes. */
  inflatedSize: number;
  /** True when the bytes came from `reuse` instead of the compressor. */
  reused: boolean;
}

/**
 * Receives each finished gzip member, as consecutive parts, in order; the next member waits until
 * the promise settles.
 */
export type GzipMemberSink = (member: readonly Buffer[], info: GzipMemberInfo) => Promise<void>;

/** Members to use instead of compressing (reuse-previous-members.ts). */
export interface GzipMemberReuse {
  /**
   * Offered every member's uncompressed bytes and their SHA-256 before it is compressed: returns
   * the compressed member to use instead (it must be exactly what compressing would give), or
   * undefined to compress. `input` stays unchanged until the returned promise settles; a
   * rejection fails the writer.
   */
  take(sha256: string, input: Buffer): Promise<Buffer[]> | undefined;
  /** Gets back a member `take` gave, once the sink is done with it (its buffers may be reused). */
  recycle(member: readonly Buffer[]): void;
}

interface Job {
  slot: Buffer;
  lane: GzipLane | undefined;
  member: Promise<Buffer[]>;
  info: GzipMemberInfo;
}

/** Compresses bytes written to it into ordered gzip members, several at a time. */
export class ParallelGzipWriter {
  readonly #sink: GzipMemberSink;
  readonly #chunkSize: number;
  readonly #concurrency: number;
  readonly #levels: readonly number[];
  readonly #freeSlots: Buffer[] = [];
  readonly #freeLanes: GzipLane[] = [];
  #allocatedSlots = 0;
  #slot: Buffer | undefined;
  #filled = 0;
  #jobs: Job[] = [];
  #memberIndex = 0;

  readonly #reuse: GzipMemberReuse | undefined;

  constructor(sink: GzipMemberSink, options: ParallelGzipOptions = {}, reuse?: GzipMemberReuse) {
    this.#sink = sink;
    this.#reuse = reuse;
    this.#chunkSize = options.chunkSize ?? DEFAULT_GZIP_CHUNK_SIZE;
    this.#concurrency = Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY);
    this.#levels = options.levels && options.levels.length > 0 ? options.levels : DEFAULT_GZIP_LEVELS;
  }

  /** Copies `bytes` into the stream. */
  async write(bytes: Buffer): Promise<void> {
    for (let offset = 0; offset < bytes.length;) {
      const slot = await this.#currentSlot();
      const copied = bytes.copy(slot, this.#filled, offset);
      offset += copied;
      await this.#advance(copied);
    }
  }

  /**
   * Adds `length` bytes produced by `read`, which fills `target[offset, offset + length)` and
   * returns how many bytes it wrote (more than 0). `onBytes` sees each piece before compression.
   */
  async fill(
    length: number,
    read: (target: Buffer, offset: number, length: number) => Promise<number>,
    onBytes?: (piece: Buffer) => void,
  ): Promise<void> {
    for (let remaining = length; remaining > 0;) {
      const slot = await this.#currentSlot();
      const room = Math.min(remaining, slot.length - this.#filled);
      const bytesRead = await read(slot, this.#filled, room);
      if (bytesRead <= 0 || bytesRead > room) throw new Error(`short read: ${bytesRead} of ${room} bytes`);
      onBytes?.(slot.subarray(this.#filled, this.#filled + bytesRead));
      remaining -= bytesRead;
      await this.#advance(bytesRead);
    }
  }

  /**
   * Ends the current member here (when it holds any bytes), so the next byte written starts a new
   * member: the archive body starts each database at a member boundary, and its chunks then sit at
   * fixed offsets of its content.
   */
  async boundary(): Promise<void> {
    if (!this.#slot || this.#filled === 0) return;
    this.#dispatch(this.#slot.subarray(0, this.#filled), this.#slot);
    this.#slot = undefined;
    while (this.#jobs.length >= this.#concurrency) await this.#retireOldest();
  }

  /** Compresses what is left and waits until the sink has every member. */
  async end(): Promise<void> {
    try {
      if (this.#slot && this.#filled > 0) this.#dispatch(this.#slot.subarray(0, this.#filled), this.#slot);
      this.#slot = undefined;
      while (this.#jobs.length > 0) await this.#retireOldest();
    } finally {
      this.close();
    }
  }

  /** Frees the compressors; call it when giving up before `end()`. */
  close(): void {
    for (const lane of this.#freeLanes.splice(0)) lane.close();
    for (const job of this.#jobs.splice(0))
      void job.member.then(
        () => job.lane?.close(),
        () => job.lane?.close(),
      );
  }

  async #currentSlot(): Promise<Buffer> {
    if (this.#slot) return this.#slot;
    while (this.#freeSlots.length === 0 && this.#allocatedSlots > this.#concurrency) await this.#retireOldest();
    let slot = this.#freeSlots.pop();
    if (!slot) {
      slot = Buffer.allocUnsafe(this.#chunkSize);
      this.#allocatedSlots += 1;
    }
    this.#slot = slot;
    this.#filled = 0;
    return slot;
  }

  async #advance(bytes: number): Promise<void> {
    this.#filled += bytes;
    if (this.#filled < this.#chunkSize) return;
    await this.boundary();
  }

  #dispatch(bytes: Buffer, slot: Buffer): void {
    const level = this.#levels[this.#memberIndex % this.#levels.length]!;
    this.#memberIndex += 1;
    // Hashed here, on this thread: WebCrypto's digest on the thread pool copies every chunk into a
    // fresh buffer first, and measured slower in both wall and CPU time.
    const info: GzipMemberInfo = { sha256: createHash('sha256').update(bytes).digest('hex'), inflatedSize: bytes.length, reused: false };
    const reused = this.#reuse?.take(info.sha256, bytes);
    if (reused) {
      info.reused = true;
      reused.catch(() => undefined);
      this.#jobs.push({ slot, lane: undefined, member: reused, info });
      return;
    }
    // At most `concurrency` jobs exist, so at most that many lanes are ever made.
    const lane = this.#freeLanes.pop() ?? new GzipLane();
    const member = lane.compress(bytes, level);
    // Awaited in order by #retireOldest; this only keeps an early failure from counting as unhandled.
    member.catch(() => undefined);
    this.#jobs.push({ slot, lane, member, info });
  }

  async #retireOldest(): Promise<void> {
    const job = this.#jobs.shift();
    if (!job) return;
    const member = await job.member;
    this.#freeSlots.push(job.slot);
    if (job.lane) this.#freeLanes.push(job.lane);
    await this.#sink(member, job.info);
    if (job.info.reused) this.#reuse?.recycle(member);
  }
}
