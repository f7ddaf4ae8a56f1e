/**
 * One 512-byte POSIX ustar header for a regular file, written the way DOCSight's restore (Python's
 * tarfile), GNU tar and bsdtar all read it: bare name, octal numeric fields, typeflag `0`, magic
 * `ustar\0` version `00`, owner 0/0 with empty user and group names. Sizes of 8 GiB and more use
 * the base-256 encoding (GNU and Python both read it), so no database is too large to archive.
 */
export const TAR_BLOCK_SIZE = 512;
/** Python's tarfile pads the archive to a 20-block record; so do we. */
export const TAR_RECORD_SIZE = 20 * TAR_BLOCK_SIZE;

export interface UstarFile {
  /** Bare member name, ASCII, at most 100 bytes. */
  name: string;
  size: number;
  /** Permission bits, e.g. 0o644. */
  mode: number;
  /** Modification time in whole seconds since the epoch. */
  mtime: number;
}

function writeOctal(header: Buffer, offset: number, length: number, value: number): void {
  header.write(value.toString(8).padStart(length - 1, '0') + '\0', offset, length, 'ascii');
}

function writeBase256(header: Buffer, offset: number, length: number, value: number): void {
  let rest = BigInt(value);
  for (let i = offset + length - 1; i > offset; i--) {
    header[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  header[offset] = 0x80;
}

/** Encodes the ustar header of a regular file. */
export function ustarHeader(file: UstarFile): Buffer {
  if (!/^[\x21-\x7e][\x20-\x7e]*$/.test(file.name) || Buffer.byteLength(file.name) > 100) {
    throw new RangeError(`tar member name must be printable ASCII of at most 100 bytes: ${file.name}`);
  }
  if (!Number.isSafeInteger(file.size) || file.size < 0) throw new RangeError(`bad member size ${file.size}`);
  const header = Buffer.alloc(TAR_BLOCK_SIZE);
  header.write(file.name, 0, 100, 'ascii');
  writeOctal(header, 100, 8, file.mode & 0o7777);
  writeOctal(header, 108, 8, 0);
  writeOctal(header, 116, 8, 0);
  if (file.size < 8 ** 11) writeOctal(header, 124, 12, file.size);
  else writeBase256(header, 124, 12, file.size);
  writeOctal(header, 136, 12, Math.max(0, Math.floor(file.mtime)));
  header.write('        ', 148, 8, 'ascii');
  header.write('0', 156, 1, 'ascii');
  header.write('ustar\0' + '00', 257, 8, 'ascii');
  writeOctal(header, 329, 8, 0);
  writeOctal(header, 337, 8, 0);
  let checksum = 0;
  for (const byte of header) checksum += byte;
  header.write(checksum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii');
  return header;
}

/** Zero bytes that pad `size` bytes of member data to a whole block. */
export function tarPadding(size: number): Buffer {
  const rest = size % TAR_BLOCK_SIZE;
  return Buffer.alloc(rest === 0 ? 0 : TAR_BLOCK_SIZE - rest);
}

/** The end-of-archive marker (two zero blocks) plus zero padding to a full record. */
export function tarTrailer(bytesBefore: number): Buffer {
  const withMarker = bytesBefore + 2 * TAR_BLOCK_SIZE;
  const rest = withMarker % TAR_RECORD_SIZE;
  return Buffer.alloc(2 * TAR_BLOCK_SIZE + (rest === 0 ? 0 : TAR_RECORD_SIZE - rest));
}
