/**
 * Writes one archive member to a private staging file in the data dir, on the same file system as
 * its final name so publishing is a rename.
 *
 * Measured on a 1 GB database (2 cores, virtio disk, 24 GB RAM): the inflated pieces (up to
 * 256 KiB, often smaller where tar-stream cuts at a member boundary) are copied into 1 MiB buffers,
 * and each full buffer is written while the next one fills, so the write syscall overlaps the
 * hashing and inflating on the main thread. Linux starts background writeback only at 10 % of RAM
 * dirty, which a 1 GB file on a big machine never reaches; one fsync at the end then had to write
 * the whole GB (about 2 s) with nothing else to do. A `fdatasync` started every 64 MiB (one at a
 * time, never awaited inline) makes the disk write while the archive is still being read, so the
 * final fsync finds little left; and it runs after the member is handed back (`synced`), beside the
 * integrity check that reads the staged database.
 */
import { randomBytes } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { RESTORE_PREFIX } from '../../data-dir-layout.ts';
import { LockerError, errnoCode, isDiskFullErrno } from '../../errors.ts';

/** A fresh staging name for member `name`: `<prefix><name>.<random>.tmp` (default `.evidence-locker-restore-`). */
export function stagedFileName(name: string, prefix: string = RESTORE_PREFIX): string {
  return `${prefix}${name}.${randomBytes(6).toString('hex')}.tmp`;
}

const WRITE_SIZE = 1024 * 1024;
const FLUSH_EVERY = 64 * 1024 * 1024;

export interface StageMemberOptions {
  /** Name prefix of the staging file; default a restore's. */
  prefix?: string;
  /**
   * Whether the file must reach the disk: background flushes while writing and an fsync at the
   * end (default). A scratch copy that is removed afterwards (verify) skips both.
   */
  durable?: boolean;
  /** Sees each chunk before it is written; throwing stops the staging with that error. */
  onChunk?: (chunk: Buffer) => void;
}

/** A member written to its staging file. */
export interface StagedMember {
  path: string;
  /**
   * Settles once the file is fsynced (when durable) and closed; rejects with DISK_FULL or the I/O
   * error. Always observe it: the file handle stays open until it settles.
   */
  synced: Promise<void>;
}

function diskFull(error: unknown, dataDir: string, name: string): unknown {
  if (!isDiskFullErrno(errnoCode(error))) return error;
  return new LockerError(
    'DISK_FULL',
    `The disk filled up while ${name} was unpacked into ${dataDir}; nothing was changed. Free up space there and try again.`,
    {
      cause: error,
      details: { dataDir, name },
    },
  );
}

/**
 * Streams `content` into a new staging file for member `name` (mode 0600, created exclusively).
 * It resolves once every byte is written; the final fsync then runs in `synced`, so a caller can
 * start reading the file (SQLite's integrity check) while the disk catches up. `onCreated` gets the
 * path as soon as the file exists, so a caller can remove it even when writing fails halfway. A
 * full disk becomes DISK_FULL.
 */
export async function stageMember(
  dataDir: string,
  name: string,
  content: Readable,
  onCreated: (path: string) => void,
  options: StageMemberOptions = {},
): Promise<StagedMember> {
  const path = join(dataDir, stagedFileName(name, options.prefix));
  const durable = options.durable ?? true;
  let handle: FileHandle;
  try {
    handle = await open(path, 'wx', 0o600);
  } catch (error) {
    throw diskFull(error, dataDir, name);
  }
  onCreated(path);
  const writer = new StagedFileWriter(handle, durable);
  try {
    // The archive reader may have stopped while the file was opened: iterating a stream that is
    // already destroyed would wait forever.
    if (content.destroyed) throw new LockerError('CANCELLED', `The archive read stopped before ${name} was staged.`);
    for await (const chunk of content as AsyncIterable<Buffer>) {
      options.onChunk?.(chunk);
      await writer.write(chunk);
    }
    await writer.flush();
  } catch (error) {
    await writer.settle();
    await handle.close();
    throw diskFull(error, dataDir, name);
  }
  const synced = (async () => {
    try {
      if (durable) await handle.sync();
    } catch (error) {
      throw diskFull(error, dataDir, name);
    } finally {
      await handle.close();
    }
  })();
  // Observed by the caller; this only keeps a failure before that from counting as unhandled.
  synced.catch(() => undefined);
  return { path, synced };
}

/**
 * Writes `content` to a new staging file for `name` (mode 0600, created exclusively, fsynced), for
 * a file the restore publishes that does not come from the archive (archive/restore/restore-backup.ts).
 */
export async function writeStagedFile(
  dataDir: string,
  name: string,
  content: Buffer | string,
  onCreated: (path: string) => void,
): Promise<string> {
  const staged = await stageMember(dataDir, name, Readable.from([Buffer.from(content)]), onCreated);
  await staged.synced;
  return staged.path;
}

/** Coalesces pieces into 1 MiB writes, one in flight, with background flushes (see above). */
class StagedFileWriter {
  #buffers = [Buffer.allocUnsafe(WRITE_SIZE), Buffer.allocUnsafe(WRITE_SIZE)];
  #current = 0;
  #filled = 0;
  #position = 0;
  #unflushed = 0;
  #writing: Promise<void> | undefined;
  #flushing: Promise<void> | undefined;
  /** The first failed flush's error, boxed so that an `undefined` rejection still counts. */
  #flushFailure: { error: unknown } | undefined;

  constructor(
    private readonly handle: FileHandle,
    private readonly durable: boolean,
  ) {}

  async write(piece: Buffer): Promise<void> {
    if (this.#filled === 0 && piece.length >= WRITE_SIZE) {
      // Big pieces (the parallel inflater's 2 MiB members) are written as they are, without a copy.
      await this.#submit(piece);
      return;
    }
    for (let offset = 0; offset < piece.length;) {
      const buffer = this.#buffers[this.#current]!;
      const copied = piece.copy(buffer, this.#filled, offset);
      offset += copied;
      this.#filled += copied;
      if (this.#filled === WRITE_SIZE) await this.#submit();
    }
  }

  /** Writes what is buffered and waits for every write and background flush. */
  async flush(): Promise<void> {
    if (this.#filled > 0) await this.#submit();
    await this.#writing;
    this.#writing = undefined;
    await this.#flushing;
    this.#flushing = undefined;
    if (this.#flushFailure) throw this.#flushFailure.error;
  }

  /** Waits for whatever is still in flight, so the handle can be closed; errors were reported. */
  async settle(): Promise<void> {
    await this.#writing?.catch(() => undefined);
    await this.#flushing;
  }

  /** Queues the filled buffer, or `piece` instead when given. */
  async #submit(piece?: Buffer): Promise<void> {
    // The previous write must be done before its buffer is filled again and before this one is queued.
    await this.#writing;
    let bytes: Buffer;
    if (piece === undefined) {
      bytes = this.#buffers[this.#current]!.subarray(0, this.#filled);
      this.#current = 1 - this.#current;
      this.#filled = 0;
    } else {
      bytes = piece;
    }
    const position = this.#position;
    this.#position += bytes.length;
    this.#unflushed += bytes.length;
    this.#writing = writeAllAt(this.handle, bytes, position).then(() => this.#maybeFlush());
    // Awaited before the next write or in finish(); this only keeps an early failure from counting as unhandled.
    this.#writing.catch(() => undefined);
  }

  #maybeFlush(): void {
    if (!this.durable || this.#unflushed < FLUSH_EVERY || this.#flushing !== undefined) return;
    this.#unflushed = 0;
    this.#flushing = this.handle.datasync().then(
      () => {
        this.#flushing = undefined;
      },
      (error: unknown) => {
        this.#flushFailure ??= { error };
        this.#flushing = undefined;
      },
    );
  }
}

async function writeAllAt(handle: FileHandle, bytes: Buffer, position: number): Promise<void> {
  for (let offset = 0; offset < bytes.length;) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset, position + offset);
    offset += bytesWritten;
  }
}
