/**
 * The gzip side of a fuzz source: where each member of a (possibly concatenated) gzip stream starts,
 * where its deflate data and trailer are, and how to compress an edited tar back in the source's
 * shape: one member (DOCSight), or ours (the meta entry, body chunks, the end-of-archive member)
 * with the meta's `gzip_members` rewritten to match (create-backup.ts).
 */
import zlib from 'node:zlib';
import { entryData, withData, type TarModel } from './tar-entries.ts';

export const FTEXT = 1;
export const FHCRC = 2;
export const FEXTRA = 4;
export const FNAME = 8;
export const FCOMMENT = 16;

export interface GzipMember {
  offset: number;
  length: number;
  /** Length of the header, optional fields included; deflate data starts here. */
  headerLength: number;
  flags: number;
}

/** The members of a well-formed gzip stream. */
export function splitGzipMembers(bytes: Buffer): GzipMember[] {
  const members: GzipMember[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const flags = bytes[offset + 3]!;
    let at = offset + 10;
    if (flags & FEXTRA) at += 2 + bytes.readUInt16LE(at);
    if (flags & FNAME) at = bytes.indexOf(0, at) + 1;
    if (flags & FCOMMENT) at = bytes.indexOf(0, at) + 1;
    if (flags & FHCRC) at += 2;
    const inflated = zlib.inflateRawSync(bytes.subarray(at), { info: true }) as unknown as { engine: { bytesWritten: number } };
    const length = at - offset + inflated.engine.bytesWritten + 8;
    members.push({ offset, length, headerLength: at - offset, flags });
    offset += length;
  }
  return members;
}

export type ArchiveStyle = { kind: 'single' } | { kind: 'multi'; chunkSize: number };

/** What compressTar needs of the source archive an edited tar came from. */
export interface CompressionSource {
  bytes: Buffer;
  members: GzipMember[];
  tar: TarModel;
  style: ArchiveStyle;
}

function sameBody(a: TarModel, b: TarModel): boolean {
  if (a.entries.length !== b.entries.length || !a.trailer.equals(b.trailer)) return false;
  return a.entries.every((entry, i) => i === 0 || entry.raw.equals(b.entries[i]!.raw));
}

/**
 * Compresses `model` in the shape of `source`. For ours, an edit of the first entry only keeps
 * every following member as it was (so the meta's index still fits); any other edit is cut into
 * body members anew and, with `reindex`, the first entry's `gzip_members` (when its JSON has one)
 * is rewritten to match, as our writer does. An edit aimed at the index itself passes false.
 */
export function compressTar(model: TarModel, source: CompressionSource, reindex: boolean): Buffer {
  const { style } = source;
  if (style.kind === 'single') return zlib.gzipSync(Buffer.concat([...model.entries.map((entry) => entry.raw), model.trailer]));
  const [first, ...rest] = model.entries;
  if (first !== undefined && sameBody(model, source.tar)) {
    return Buffer.concat([zlib.gzipSync(first.raw, { level: 9 }), source.bytes.subarray(source.members[0]!.length)]);
  }
  const body = Buffer.concat(rest.map((entry) => entry.raw));
  const members: Buffer[] = [];
  for (let at = 0; at < body.length; at += style.chunkSize) members.push(zlib.gzipSync(body.subarray(at, at + style.chunkSize)));
  if (model.trailer.length > 0) members.push(zlib.gzipSync(model.trailer, { level: 9 }));
  if (first === undefined) return Buffer.concat(members);
  let head = first;
  if (reindex) {
    try {
      const meta = JSON.parse(entryData(first).toString('utf8')) as Record<string, unknown>;
      if (Array.isArray(meta['gzip_members'])) {
        meta['gzip_members'] = members.map((member) => member.length);
        head = withData(first, Buffer.from(JSON.stringify(meta, null, 2)));
      }
    } catch {
      // not JSON: nothing to reindex
    }
  }
  return Buffer.concat([zlib.gzipSync(head.raw, { level: 9 }), ...members]);
}
