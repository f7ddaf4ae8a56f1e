/**
 * Reads a backup archive (gzip + tar) in one streaming pass; the archive is never held in memory.
 *
 * Data flow: source → byte count → unseal (an age-sealed archive is opened here, seal/sealed-input.ts)
 * → gzip gate (magic check) → inflater (CRC32 and ISIZE of
 * every member checked, concatenated members allowed; members inflate in parallel when the meta
 * indexes them: inflate-archive.ts) → overhead counter → tar-stream extract → one entry at a time
 * through the member rules below → the caller's `sink`.
 *
 * Member states, in archive order:
 * 0. every header: the size field must be a well-formed number (read-archive-raw-headers.ts), since
 *    tar-stream would read `1e3` as 1 and cut the member short; no member may follow a zero block
 *    and no extension header may lack its member → ARCHIVE_INVALID_TAR;
 * 1. every entry: member-count cap, name classified (unsafe → MEMBER_UNSAFE), type checked (only
 *    regular files are accepted; links, devices and fifos → MEMBER_NOT_REGULAR; directories are
 *    skipped unless they carry an allowlisted name), duplicates → MEMBER_DUPLICATE, size caps;
 * 2. `backup_meta.json` may stand anywhere. DOCSight writes it first, but its restore finds it by
 *    name, so an archive a user extracted, edited and packed again (`tar czf`, Python's tarfile)
 *    restores there whatever order the packer chose. It is parsed (parseArchiveMeta) when it
 *    arrives; if it never does → META_MISSING once the archive has been read;
 * 3. DATA_FILES members go to `sink(member, content)` as they arrive, while their size and SHA-256
 *    are computed (or, with `sinkDigests`, while their size is counted; the sink hands back the
 *    SHA-256 of what it wrote, checked once the whole archive is read); other safe names are
 *    drained and reported as warnings;
 * 4. each data member is checked against the meta's `members` (listed, declared size, SHA-256). A
 *    member after the meta is checked as it streams; a member before it was hashed as it passed
 *    (nothing is held back or read twice) and is checked as soon as the meta arrives. The caller
 *    removes whatever its sink wrote when the read fails, a meta that never came included.
 * Success is declared only after gunzip has ended cleanly and every digest matched, so a bad gzip
 * trailer fails the read even when every tar member parsed.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tarStream from 'tar-stream';
import { z } from 'zod';
import { LockerError } from '../../errors.ts';
import { archiveWarning, type ArchiveWarning } from '../format/archive-warning.ts';
import { DATA_FILES, META_FILE, isDataFileName, isDatabaseFileName, type DataFileName } from '../../data-dir-layout.ts';
import { FORMAT_VERSION, type ArchiveMeta } from '../format/backup-meta.ts';
import { classifyMemberName, printableMemberName } from '../format/archive-member-name.ts';
import { classifyInputError, createByteCounter, createGzipGate } from './read-archive-input.ts';
import { unsealStage, type SealedInputOptions } from '../../seal/sealed-input.ts';
import { resolveReadArchiveLimits, type ReadArchiveLimits } from '../format/read-archive-limits.ts';
import { parseArchiveMeta } from './parse-archive-meta.ts';
import { DEFAULT_PARALLEL_INFLATE, createArchiveInflater, type InflatePath } from './inflate-archive.ts';
import { noteTransientBytes } from '../../memory/transient-buffers.ts';
import { RawHeaderWindow, checkAnnouncedHeader, checkArchiveEnd } from './read-archive-raw-headers.ts';

/** Where an archive comes from: a byte stream, or bytes already in memory (small archives, tests). */
export type ArchiveSource = Readable | Uint8Array;

/** A data member as announced to the sink. `size` is the size the tar header declares. */
export interface ArchiveMemberHeader {
  name: DataFileName;
  size: number;
}

/** A data member as read: its real size and SHA-256 (lowercase hex). */
export const ArchiveMemberDigestSchema = z.object({
  name: z.enum(DATA_FILES),
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type ArchiveMemberDigest = z.infer<typeof ArchiveMemberDigestSchema>;

/**
 * Receives each data member. It must consume `content` (what it leaves is drained) and may throw to
 * abort the read. With `sinkDigests` it resolves with the SHA-256 of what it consumed (a staged
 * file read back, say); otherwise the reader hashes the content as it streams and the sink's
 * result is ignored. The checksum check happens after it resolves.
 */
export type ArchiveMemberSink = (member: ArchiveMemberHeader, content: Readable) => Promise<SinkDigest | void>;

/** What a sink resolves with under `sinkDigests`. */
export interface SinkDigest {
  /** Lowercase hex SHA-256 of the member's bytes; may settle after the sink returned. */
  sha256: Promise<string>;
}

/** Progress of a job that reads an archive. `bytesDone` counts compressed bytes read so far. */
export interface ArchiveProgress {
  phase: 'read' | 'verify' | 'publish';
  bytesDone: number;
  bytesTotal?: number;
}

export interface ReadArchiveOptions {
  /** Caps; every one left out takes its default (DEFAULT_READ_ARCHIVE_LIMITS). */
  limits?: Partial<ReadArchiveLimits>;
  /** Called at most once per MiB read and once at the end. */
  onProgress?: (progress: ArchiveProgress) => void;
  /** Compressed size when known (a file, a Content-Length), passed through to onProgress. */
  bytesTotal?: number;
  /** Aborting it stops the read with CANCELLED. */
  signal?: AbortSignal;
  /**
   * Inflate the members a meta's `gzip_members` lists in parallel. Default: when the machine has
   * more than 2 cores (DEFAULT_PARALLEL_INFLATE). On 2 cores the main thread (SHA-256, tar, GC)
   * already keeps the second core busy, and parallel inflating measured no faster for a 1 GB
   * database while holding about 18 MB more (inflate-archive.ts).
   */
  parallelInflate?: boolean;
  /**
   * The sink computes each data member's SHA-256 (it resolves with a SinkDigest) and the reader
   * only counts bytes. prepareRestore reads its staged files back, beside the integrity check,
   * which took the hashing off the main thread's busiest stretch (staged-file-digest.ts). A
   * mismatch is then reported after the last member instead of right after the member.
   */
  sinkDigests?: boolean;
  /**
   * How a sealed archive is opened, and what the file's name promised (seal/sealed-input.ts). A
   * sealed input is opened in the same pass; without a key it fails with SEAL_KEY_REQUIRED.
   */
  seal?: SealedInputOptions;
}

export interface ReadArchiveResult {
  meta: ArchiveMeta;
  /** Data members in archive order (the meta itself is not listed). */
  members: ArchiveMemberDigest[];
  /** Names of the accepted members in archive order, `backup_meta.json` included. */
  files: string[];
  /** Unknown members and directories that were skipped, a newer format_version. */
  warnings: ArchiveWarning[];
  /** Bytes of the file read (the sealed file's, for a sealed archive). */
  bytesRead: number;
  /** How the gzip stream was inflated: in parallel along the meta's `gzip_members`, or in one stream. */
  inflation: InflatePath;
}

/** tar-stream's header as it really arrives: `type` is null for typeflags it does not know. */
type EntryHeader = Omit<tarStream.Header, 'type'> & { type: tarStream.Header['type'] | null };
type TarEntry = AsyncIterable<Buffer> & { header: EntryHeader };

/** Thrown into the feeding loop when the extract closed because the reader is stopping. */
class ExtractClosed extends Error {}

/**
 * Reads `source` once, checks every rule of the archive format, passes each data member's content
 * to `sink`, and returns the meta and the member digests. Throws a LockerError with the specific
 * code on the first problem; when it throws, the sink may have seen some members (the caller
 * cleans up what it wrote).
 */
export async function readArchive(
  source: ArchiveSource,
  sink: ArchiveMemberSink,
  options: ReadArchiveOptions = {},
): Promise<ReadArchiveResult> {
  const limits = resolveReadArchiveLimits(options.limits);
  const input = source instanceof Uint8Array ? Readable.from([source]) : source;
  const extract = tarStream.extract();
  const abort = new AbortController();
  const onCallerAbort = (): void => abort.abort();
  options.signal?.addEventListener('abort', onCallerAbort, { once: true });

  let stopping = false;
  let inputError: Error | undefined;
  let feedError: unknown;
  let tarError: Error | undefined;
  let bytesRead = 0;
  let unpacked = 0;
  let memberBytes = 0;
  let inflation: InflatePath = 'sequential';
  extract.on('error', (error: Error) => {
    if (!stopping) tarError ??= error;
  });
  const rawHeaders = new RawHeaderWindow();
  /** Headers tar-stream accepted but whose raw bytes are malformed, with the reason. */
  const malformed = new WeakMap<object, string>();
  extract.on('entry', (header: tarStream.Header) => {
    // Counted as soon as tar-stream parses the header, so member data never counts as overhead.
    const size = header.size;
    if (header.type !== 'directory' && Number.isSafeInteger(size) && size > 0) memberBytes += Math.ceil(size / 512) * 512;
    const problem = checkAnnouncedHeader(rawHeaders, header);
    if (problem !== undefined) malformed.set(header, problem);
  });

  const counter = createByteCounter((bytesDone) => {
    bytesRead = bytesDone;
    options.onProgress?.({ phase: 'read', bytesDone, ...(options.bytesTotal === undefined ? {} : { bytesTotal: options.bytesTotal }) });
  });
  const feeding = pipeline(
    input,
    counter,
    unsealStage(options.seal),
    createGzipGate(),
    createArchiveInflater({
      parallel: options.parallelInflate ?? DEFAULT_PARALLEL_INFLATE,
      onPath: (path) => {
        inflation = path;
      },
    }),
    async (tarBytes: AsyncIterable<Buffer>) => {
      try {
        await feedExtract(tarBytes);
      } catch (error) {
        // pipeline() may reject with its own AbortError instead of this one; keep the real cause.
        feedError ??= error;
        throw error;
      }
    },
    { signal: abort.signal },
  ).catch((error: unknown) => {
    const cause = feedError ?? error;
    if (!stopping && !(cause instanceof ExtractClosed)) inputError ??= classifyInputError(cause);
    extract.destroy(inputError);
    throw error;
  });
  feeding.catch(() => undefined); // observed below; this only stops an unhandled-rejection report

  async function feedExtract(tarBytes: AsyncIterable<Buffer>): Promise<void> {
    for await (const chunk of tarBytes) {
      if (unpacked - memberBytes > limits.maxOverheadSize) {
        throw new LockerError(
          'ARCHIVE_TOO_LARGE',
          `Invalid archive: more than ${limits.maxOverheadSize} bytes of tar headers and padding`,
          { details: { limit: limits.maxOverheadSize } },
        );
      }
      unpacked += chunk.length;
      noteTransientBytes(chunk.length);
      if (extract.destroyed) throw new ExtractClosed();
      rawHeaders.push(chunk);
      if (!extract.write(chunk)) await drainOrClose(extract);
    }
    extract.end(null);
  }

  const state = new MemberRules(limits, sink, options.sinkDigests === true);
  const entries = (extract as AsyncIterable<unknown>)[Symbol.asyncIterator]() as AsyncIterator<TarEntry>;
  try {
    for (;;) {
      const next = await entries.next();
      if (next.done === true) break;
      const problem = malformed.get(next.value.header);
      if (problem !== undefined) {
        throw new LockerError('ARCHIVE_INVALID_TAR', 'Invalid archive: invalid header', { details: { reason: problem } });
      }
      await state.accept(next.value);
    }
    await feeding;
    const endProblem = checkArchiveEnd(rawHeaders);
    if (endProblem !== undefined) {
      throw new LockerError('ARCHIVE_INVALID_TAR', 'Invalid archive: invalid header', { details: { reason: endProblem } });
    }
    await state.checkDigests();
    const meta = state.finish();
    return { meta, members: state.members, files: state.files, warnings: state.warnings, bytesRead, inflation };
  } catch (error) {
    stopping = true;
    abort.abort();
    extract.destroy(null);
    await feeding.catch(() => undefined);
    if (options.signal?.aborted === true) {
      throw new LockerError('CANCELLED', 'The archive read was cancelled', { cause: error });
    }
    if (inputError !== undefined) throw inputError;
    if (tarError !== undefined) {
      const classified = classifyInputError(tarError);
      // A few bytes that are not even one tar header are not "truncated", just not a tar.
      if (state.entriesSeen === 0 && isLockerCode(classified, 'ARCHIVE_TRUNCATED')) {
        throw new LockerError('ARCHIVE_INVALID_TAR', 'Invalid archive: invalid header', { cause: tarError });
      }
      throw classified;
    }
    throw error;
  } finally {
    options.signal?.removeEventListener('abort', onCallerAbort);
  }
}

function isLockerCode(error: Error, code: LockerError['code']): boolean {
  return error instanceof LockerError && error.code === code;
}

function drainOrClose(stream: NodeJS.EventEmitter): Promise<void> {
  return new Promise((resolve, reject) => {
    const onDrain = (): void => {
      stream.off('close', onClose);
      resolve();
    };
    const onClose = (): void => {
      stream.off('drain', onDrain);
      reject(new ExtractClosed());
    };
    stream.once('drain', onDrain);
    stream.once('close', onClose);
  });
}

async function drain(content: AsyncIterable<unknown>): Promise<void> {
  for await (const _chunk of content) {
    // discarded on purpose: the member is skipped
  }
}

const TYPE_WORDS: Record<string, string> = {
  link: 'hard link',
  symlink: 'symbolic link',
  'character-device': 'character device',
  'block-device': 'block device',
  directory: 'directory',
  fifo: 'fifo',
};

/** A data member read, with its digest still to come (sinkDigests) or already known. */
interface ReadMember {
  name: DataFileName;
  /** Bytes read. */
  size: number;
  /** Size the tar header declared, checked against the meta. */
  declared: number;
  sha256: Promise<string> | string;
}

/** The per-member rules of the reader (states 1-4 of the top comment). */
class MemberRules {
  /** Filled by checkDigests(), in archive order. */
  readonly members: ArchiveMemberDigest[] = [];
  private readonly read: ReadMember[] = [];
  readonly files: string[] = [];
  readonly warnings: ArchiveWarning[] = [];
  entriesSeen = 0;
  private meta: ArchiveMeta | undefined;
  private readonly names = new Set<string>();
  private declaredTotal = 0;

  constructor(
    private readonly limits: ReadArchiveLimits,
    private readonly sink: ArchiveMemberSink,
    private readonly sinkDigests: boolean,
  ) {}

  async accept(entry: TarEntry): Promise<void> {
    const { header } = entry;
    this.entriesSeen += 1;
    if (this.entriesSeen > this.limits.maxMembers) {
      throw new LockerError('MEMBER_TOO_MANY', `Invalid archive: more than ${this.limits.maxMembers} members`, {
        details: { limit: this.limits.maxMembers },
      });
    }
    const size = header.size ?? 0;
    if (!Number.isSafeInteger(size) || size < 0) {
      throw new LockerError('ARCHIVE_INVALID_TAR', 'Invalid archive: invalid header');
    }
    const isDirectory = header.type === 'directory';
    const verdict = classifyMemberName(header.name, isDirectory);
    if (verdict.kind === 'unsafe' || (verdict.kind === 'root' && !isDirectory)) {
      throw new LockerError('MEMBER_UNSAFE', `Unsafe path in archive: ${printableMemberName(header.name)}`, {
        details: {
          name: printableMemberName(header.name),
          reason: verdict.kind === 'unsafe' ? verdict.reason : 'root entry is not a directory',
        },
      });
    }
    if (verdict.kind === 'root') return drain(entry);
    const { name } = verdict;
    const allowlisted = name === META_FILE || isDataFileName(name);

    if (header.type !== 'file' && header.type !== 'contiguous-file') {
      if (isDirectory && !allowlisted) {
        this.warnings.push(archiveWarning('DIRECTORY_SKIPPED', `Skipping directory in backup: ${name}`, { name }));
        return drain(entry);
      }
      const what = (header.type !== null && header.type !== undefined && TYPE_WORDS[header.type]) || 'special member';
      throw new LockerError('MEMBER_NOT_REGULAR', `Invalid backup: ${name} is a ${what}, not a regular file`, {
        details: { name, type: header.type ?? null },
      });
    }

    if (this.names.has(name)) {
      throw new LockerError('MEMBER_DUPLICATE', `Invalid backup: ${name} appears more than once in the archive`, {
        details: { name },
      });
    }
    this.names.add(name);
    this.checkSize(name, size);

    if (name === META_FILE) return this.acceptMeta(entry);
    if (isDataFileName(name)) return this.acceptData(name, size, entry);
    this.warnings.push(archiveWarning('MEMBER_SKIPPED', `Skipping unknown file in backup: ${name}`, { name }));
    return drain(entry);
  }

  /** The meta once the whole archive has been read and the gzip trailer checked. */
  finish(): ArchiveMeta {
    const meta = this.requireMeta();
    const listed = meta.members ?? {};
    for (const name of Object.keys(listed)) {
      if (!this.members.some((member) => member.name === name)) {
        throw new LockerError(
          'MEMBER_CHECKSUM_MISMATCH',
          `Invalid backup: ${name} is listed in backup_meta.json but missing from the archive`,
          { details: { name } },
        );
      }
    }
    return meta;
  }

  /** The meta; META_MISSING when the archive had none. */
  private requireMeta(): ArchiveMeta {
    if (this.meta === undefined) {
      throw new LockerError('META_MISSING', 'Missing backup_meta.json - not a valid DOCSight backup');
    }
    return this.meta;
  }

  private checkSize(name: string, size: number): void {
    const small = name === META_FILE || (isDataFileName(name) && !isDatabaseFileName(name));
    const limit = small ? this.limits.maxSmallFileSize : this.limits.maxDatabaseSize;
    if (size > limit) {
      throw new LockerError('MEMBER_TOO_LARGE', `Invalid backup: ${name} is ${size} bytes, more than the limit of ${limit}`, {
        details: { name, size, limit },
      });
    }
    this.declaredTotal += size;
    if (this.declaredTotal > this.limits.maxTotalSize) {
      throw new LockerError(
        'ARCHIVE_TOO_LARGE',
        `Invalid backup: the members unpack to more than the limit of ${this.limits.maxTotalSize} bytes`,
        { details: { limit: this.limits.maxTotalSize } },
      );
    }
  }

  private async acceptMeta(entry: TarEntry): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk);
    this.meta = parseArchiveMeta(Buffer.concat(chunks));
    this.files.push(META_FILE);
    // The members that came before the meta, checked now as the later ones are while they stream.
    for (const member of this.read) {
      const expected = this.listedDigest(member.name, member.declared);
      if (typeof member.sha256 === 'string') checkDigest(member.name, expected?.sha256, member.sha256);
    }
    if (this.meta.format_version > FORMAT_VERSION) {
      this.warnings.push(
        archiveWarning(
          'FORMAT_VERSION_NEWER',
          `Backup format_version ${this.meta.format_version} is newer than supported ${FORMAT_VERSION} - attempting restore anyway`,
          { version: this.meta.format_version, supported: FORMAT_VERSION },
        ),
      );
    }
  }

  /**
   * What the meta's `members` says about data member `name` whose header declares `size` bytes
   * (undefined when the meta has no `members`, as DOCSight's never has). Throws when the member is
   * not listed or its size differs. Call only once the meta is parsed.
   */
  private listedDigest(name: DataFileName, size: number): { size: number; sha256: string } | undefined {
    const listed = this.meta?.members;
    if (listed === undefined) return undefined;
    const expected = listed[name];
    if (expected === undefined) {
      throw new LockerError('MEMBER_CHECKSUM_MISMATCH', `Invalid backup: ${name} is not listed in backup_meta.json`, {
        details: { name },
      });
    }
    if (expected.size !== size) {
      throw new LockerError(
        'MEMBER_CHECKSUM_MISMATCH',
        `Invalid backup: ${name} is ${size} bytes but backup_meta.json says ${expected.size}`,
        { details: { name, size, expected: expected.size } },
      );
    }
    return expected;
  }

  private async acceptData(name: DataFileName, size: number, entry: TarEntry): Promise<void> {
    // Before the meta nothing can be checked yet: acceptMeta checks this member when it arrives.
    const metaSeen = this.meta !== undefined;
    const expected = metaSeen ? this.listedDigest(name, size) : undefined;

    const hash = this.sinkDigests ? undefined : createHash('sha256');
    let bytes = 0;
    let complete = false;
    const content = Readable.from(
      (async function* counting() {
        for await (const chunk of entry) {
          bytes += chunk.length;
          hash?.update(chunk);
          yield chunk;
        }
        complete = true;
      })(),
      { objectMode: false },
    );
    const fromSink = await this.sink({ name, size }, content);
    if (!complete) await drain(content);

    let sha256: Promise<string> | string;
    if (hash !== undefined) {
      sha256 = hash.digest('hex');
      if (metaSeen) checkDigest(name, expected?.sha256, sha256);
    } else {
      if (!fromSink) throw new Error(`readArchive: the sink gave no digest for ${name} (sinkDigests)`);
      sha256 = fromSink.sha256;
      sha256.catch(() => undefined); // awaited in checkDigests(); a read that fails first reports its own error
    }
    this.read.push({ name, size: bytes, declared: size, sha256 });
    this.files.push(name);
  }

  /**
   * Once the archive is read: META_MISSING if it had no meta; else waits for the digests still to
   * come, checks them in archive order, and fills `members`.
   */
  async checkDigests(): Promise<void> {
    const listed = this.requireMeta().members;
    for (const member of this.read) {
      const sha256 = await member.sha256;
      checkDigest(member.name, listed?.[member.name]?.sha256, sha256);
      this.members.push({ name: member.name, size: member.size, sha256 });
    }
  }
}

function checkDigest(name: string, expected: string | undefined, actual: string): void {
  if (expected !== undefined && expected !== actual) {
    throw new LockerError('MEMBER_CHECKSUM_MISMATCH', `Invalid backup: checksum mismatch for ${name}`, {
      details: { name, expected, actual },
    });
  }
}
