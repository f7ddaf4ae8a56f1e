/**
 * Strict checks of the tar header fields tar-stream reads leniently. tar-stream parses a numeric
 * field with `parseInt(text, 8)`, which stops at the first character that is not an octal digit: a
 * size field `1e3` is read as 1, and `17\0 99` as 15. Python's tarfile (DOCSight's reader) and GNU
 * tar refuse such a header. Accepting it would restore a member cut to the wrong length, which an
 * archive without `members` digests (every DOCSight archive) cannot reveal.
 *
 * tar-stream also reads on past a zero block, the end-of-archive marker, while Python's tarfile
 * stops there: a member after one (a size field shrunk by a block whose data was zeros, archives
 * joined with `cat`) would be restored by one reader and not by the other, so it is refused.
 *
 * The reader keeps the inflated tar bytes that may still hold a header (RawHeaderWindow): from the
 * end of the last member's data on, never more than that, so a member's data passes through
 * without being retained. Each header tar-stream announces is then looked at in its raw form, with
 * the extension headers (PAX, GNU long names) and any zero blocks between it and the last member.
 */
import { TAR_BLOCK_SIZE } from '../format/ustar-header.ts';

const SIZE_FIELD = [124, 136] as const;
/** Optional leading spaces, octal digits, then only spaces and NULs: what tar and Python accept. */
const STRICT_OCTAL = /^ *[0-7]*[ \0]*$/;
const STRICT_DECIMAL = /^[0-9]+$/;

/** The tar bytes written to the extractor that may still hold an unchecked header. */
export class RawHeaderWindow {
  #chunks: { start: number; bytes: Buffer }[] = [];
  #end = 0;
  #floor = 0;

  /** Records `chunk` as the next bytes of the tar stream (before the extractor sees it). */
  push(chunk: Buffer): void {
    this.#chunks.push({ start: this.#end, bytes: chunk });
    this.#end += chunk.length;
    this.#drop();
  }

  /** Where the next header can start: the end of the last announced member's data. */
  get floor(): number {
    return this.#floor;
  }

  /** Bytes before `offset` hold no header that is still to come. */
  release(offset: number): void {
    if (offset > this.#floor) this.#floor = offset;
    this.#drop();
  }

  /** The 512 bytes at `offset`, or undefined when they are not (or no longer) kept. */
  block(offset: number): Buffer | undefined {
    const end = offset + TAR_BLOCK_SIZE;
    if (offset < 0 || end > this.#end) return undefined;
    const pieces: Buffer[] = [];
    for (const { start, bytes } of this.#chunks) {
      const chunkEnd = start + bytes.length;
      if (chunkEnd <= offset) continue;
      if (start >= end) break;
      if (pieces.length === 0 && start > offset) return undefined;
      pieces.push(bytes.subarray(Math.max(offset, start) - start, Math.min(end, chunkEnd) - start));
    }
    if (pieces.length === 0) return undefined;
    return pieces.length === 1 ? pieces[0] : Buffer.concat(pieces);
  }

  #drop(): void {
    while (this.#chunks.length > 0) {
      const first = this.#chunks[0]!;
      if (first.start + first.bytes.length > this.#floor) return;
      this.#chunks.shift();
    }
  }
}

/** What tar-stream tells about a header: its data offset (`byteOffset`), size, type, PAX records. */
export interface AnnouncedHeader {
  byteOffset?: number;
  size?: number;
  type?: string | null;
  pax?: unknown;
}

/**
 * Checks the raw header of the entry tar-stream just announced and releases the bytes before its
 * successor. Returns why the header is malformed, or undefined when it is sound.
 */
export function checkAnnouncedHeader(window: RawHeaderWindow, header: AnnouncedHeader): string | undefined {
  const dataStart = header.byteOffset;
  if (dataStart === undefined || !Number.isSafeInteger(dataStart)) return 'no header offset';
  const headerAt = dataStart - TAR_BLOCK_SIZE;
  const between = checkBlocksBefore(window, headerAt);
  const block = window.block(headerAt);
  const size = header.size;
  if (size !== undefined && Number.isSafeInteger(size) && size >= 0) {
    // tar-stream reads no data for a directory, whatever its size field says.
    window.release(dataStart + (header.type === 'directory' ? 0 : Math.ceil(size / TAR_BLOCK_SIZE) * TAR_BLOCK_SIZE));
  }
  if (between !== undefined) return between;
  if (block === undefined) return 'header bytes not available';
  const sizeProblem = checkSizeField(block);
  if (sizeProblem !== undefined) return sizeProblem;
  const pax = header.pax;
  const paxSize = typeof pax === 'object' && pax !== null ? (pax as Record<string, unknown>)['size'] : undefined;
  if (paxSize !== undefined && (typeof paxSize !== 'string' || !STRICT_DECIMAL.test(paxSize))) {
    return `PAX size ${JSON.stringify(paxSize)} is not a decimal number`;
  }
  return undefined;
}

/**
 * Checks what follows the last member's data once the archive has ended: the end-of-archive marker
 * (or nothing), not an extension header that no member came after. tar-stream drops such a header
 * silently, while Python's tarfile refuses the archive; a member whose header was turned into one
 * would just be missing from the restore.
 */
export function checkArchiveEnd(window: RawHeaderWindow): string | undefined {
  const block = window.block(window.floor);
  // Less than a block left: tar-stream has already failed on it.
  if (block === undefined || isZeroBlock(block)) return undefined;
  return `an extension header at byte ${window.floor} is followed by no member`;
}

function checkSizeField(block: Buffer): string | undefined {
  const sizeField = block.subarray(...SIZE_FIELD);
  // Base-256 (GNU, Python and our writer use it for 8 GiB and more) is read exactly by tar-stream.
  if ((sizeField[0]! & 0x80) === 0 && !STRICT_OCTAL.test(sizeField.toString('latin1'))) {
    return `size field ${JSON.stringify(sizeField.toString('latin1').replace(/\0+$/, ''))} is not an octal number`;
  }
  return undefined;
}

/** A block tar-stream takes for a zero block: everything but the checksum field is zero. */
function isZeroBlock(block: Buffer): boolean {
  for (let i = 0; i < TAR_BLOCK_SIZE; i += 1) if ((i < 148 || i >= 156) && block[i] !== 0) return false;
  return true;
}

/**
 * Walks from the end of the last member's data to the header at `headerAt`: only extension headers
 * with their data may lie between, no zero block, and they must end exactly at `headerAt`.
 */
function checkBlocksBefore(window: RawHeaderWindow, headerAt: number): string | undefined {
  let at = window.floor;
  while (at < headerAt) {
    const block = window.block(at);
    if (block === undefined) return 'header bytes not available';
    if (isZeroBlock(block)) return `a member follows the end-of-archive marker at byte ${at}`;
    const sizeProblem = checkSizeField(block);
    if (sizeProblem !== undefined) return sizeProblem;
    const size =
      (block[124]! & 0x80) === 0 ? Number.parseInt(block.toString('latin1', 124, 136).replace(/[ \0]+/g, '') || '0', 8) : Number.NaN;
    if (!Number.isSafeInteger(size)) return 'extension header size out of range';
    at += TAR_BLOCK_SIZE + Math.ceil(size / TAR_BLOCK_SIZE) * TAR_BLOCK_SIZE;
  }
  return at === headerAt ? undefined : 'extension header length does not match the next header';
}
