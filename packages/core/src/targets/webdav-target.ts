/**
 * WebDAV target (Nextcloud, Hetzner Storage Box, Apache mod_dav, rclone) through the `webdav`
 * package. The URL is the directory backups go to (`https://host/remote.php/dav/files/user/backups/`).
 *
 * An upload: PROPFIND the directory (it must exist: LOCATION_MISSING) and the name (taken:
 * NAME_TAKEN, before any byte is sent); PUT the stream to `TARGET_TEMP_PREFIX<random>` with its
 * Content-Length (the package hands a Readable to node-fetch, which pipes it with back-pressure:
 * nothing is buffered); PROPFIND the temporary file and compare its size; MOVE it to the final name
 * with `Overwrite: F` (412: NAME_TAKEN). Any failure or cancel after the PUT began deletes the
 * temporary file. WebDAV gives no standard checksum, so the check is the size.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import { createClient, type FileStat, type Response as WebdavResponse, type WebDAVClient } from 'webdav';
import { LockerError } from '../errors.ts';
import { TARGET_TEMP_PREFIX, type BackupTarget, type TargetEntry, type TransferOptions, type UploadOptions } from './backup-target.ts';
import { webdavFailure, type WebdavStep } from './webdav-failure.ts';
import { targetError } from './target-error.ts';
import { meteredDownload, transferMeter } from './transfer-meter.ts';

export interface WebdavTargetOptions {
  /** The directory's URL, `http://` or `https://` (a `webdav+` prefix is accepted too). */
  url: string;
  /** Basic auth user; none by default (the URL's user part is used when this is not given). */
  username?: string | undefined;
  password?: string | undefined;
}

/** The target's directory URL (always ending in `/`), its location, and the login the URL carried. */
function parseWebdavUrl(raw: string): { url: string; location: string; username?: string; password?: string } {
  let parsed: URL;
  try {
    parsed = new URL(raw.replace(/^webdav\+/i, ''));
  } catch {
    throw targetError('TARGET_URL_INVALID', 'webdav', { specifics: 'This WebDAV address is not a URL.' });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw targetError('TARGET_URL_INVALID', 'webdav', {
      specifics: `A WebDAV address starts with https:// or http://, not ${parsed.protocol}//.`,
    });
  }
  const login = {
    ...(parsed.username === '' ? {} : { username: decodeURIComponent(parsed.username) }),
    ...(parsed.password === '' ? {} : { password: decodeURIComponent(parsed.password) }),
  };
  parsed.username = '';
  parsed.password = '';
  parsed.hash = '';
  parsed.search = '';
  if (!parsed.pathname.endsWith('/')) parsed.pathname = `${parsed.pathname}/`;
  const shown = parsed.pathname === '/' ? '/' : parsed.pathname.replace(/\/$/, '');
  return { url: parsed.href, location: `webdav+${parsed.protocol}//${parsed.host}${decodeURI(shown)}`, ...login };
}

/** A name that is one file directly in the target's directory. */
function checkName(name: string, location: string): void {
  if (name === '' || name === '.' || name === '..' || /[/\\\0]/.test(name)) {
    throw new LockerError('BACKUP_NAME_INVALID', `${location}: "${name}" is not a file name (no slashes, not . or ..).`, {
      details: { location },
    });
  }
}

function toEntry(stat: FileStat): TargetEntry {
  const modified = stat.lastmod === '' ? null : new Date(stat.lastmod);
  return {
    name: stat.basename,
    size: stat.size,
    modified: modified === null || Number.isNaN(modified.getTime()) ? null : modified.toISOString(),
  };
}

/** A BackupTarget on the WebDAV directory at `options.url`. */
export function createWebdavTarget(options: WebdavTargetOptions): BackupTarget {
  const { url, location, ...fromUrl } = parseWebdavUrl(options.url);
  const username = options.username ?? fromUrl.username;
  const password = options.password ?? fromUrl.password;
  const agent = url.startsWith('https:') ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
  const client: WebDAVClient = createClient(url, {
    ...(username === undefined ? {} : { username, password: password ?? '' }),
    ...(url.startsWith('https:') ? { httpsAgent: agent } : { httpAgent: agent }),
  });

  const fail = (error: unknown, step: WebdavStep, signal: AbortSignal | undefined, name?: string): Error =>
    webdavFailure(error, { step, location, signal, name });

  async function statFile(name: string, signal: AbortSignal | undefined): Promise<TargetEntry | null> {
    try {
      const stat = (await client.stat(name, { signal })) as FileStat;
      return stat.type === 'file' ? toEntry(stat) : null;
    } catch (error) {
      if ((error as { status?: unknown }).status === 404) return null;
      throw fail(error, 'stat', signal, name);
    }
  }

  /**
   * Best effort after a failure (the failure itself is what the user needs to see). A server may
   * still be closing the aborted PUT when the DELETE comes and create the file after it, so the
   * temp file is looked for again a few times, briefly.
   */
  async function removeQuietly(name: string): Promise<void> {
    for (let attempt = 1; attempt <= 4; attempt += 1) {
      try {
        await client.deleteFile(name);
      } catch {
        // Gone already, or the server is: either way the next stat says.
      }
      try {
        if ((await statFile(name, undefined)) === null) return;
      } catch {
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }

  return {
    kind: 'webdav',
    location,

    async upload(name: string, content: Readable, upload: UploadOptions): Promise<TargetEntry> {
      checkName(name, location);
      const { signal } = upload;
      try {
        signal?.throwIfAborted();
        const directory = ((await client.stat('', { signal, details: true })) as { data: FileStat }).data;
        if (directory.type !== 'directory') throw Object.assign(new Error('not a directory'), { status: 409 });
        // RFC 4331 (Nextcloud, Hetzner): a copy that cannot fit is refused before its first byte.
        const available = Number(directory.props?.['quota-available-bytes'] ?? Number.NaN);
        if (Number.isSafeInteger(available) && available >= 0 && available < upload.size) {
          throw targetError('TARGET_FULL', location, {
            specifics: `The directory has ${available} bytes of quota left, and the copy needs ${upload.size}.`,
          });
        }
      } catch (error) {
        content.destroy();
        throw fail(error, 'directory', signal);
      }
      if ((await statFile(name, signal)) !== null) {
        content.destroy();
        throw targetError('TARGET_NAME_TAKEN', location, { specifics: `"${name}" is already there.` });
      }
      const temp = `${TARGET_TEMP_PREFIX}${randomBytes(8).toString('hex')}`;
      // The source's own failure (or a wrong length) is the one to report, not the request it broke.
      let localError: Error | undefined;
      const meter = transferMeter({
        size: upload.size,
        onBytes: upload.onBytes,
        mismatch: (done) =>
          (localError = targetError('TARGET_UPLOAD_MISMATCH', location, {
            specifics: `The backup being sent held ${done > upload.size ? 'more than ' : ''}${done} bytes, not the ${upload.size} announced.`,
          })),
      });
      meter.on('error', () => {}); // seen through the request's rejection
      content.on('error', (error) => {
        localError ??= error instanceof Error ? error : new Error(String(error));
        meter.destroy(error);
      });
      meter.once('close', () => content.destroy());
      content.pipe(meter);
      try {
        await client.putFileContents(temp, meter, { headers: { 'Content-Length': String(upload.size) }, signal });
        const stored = await statFile(temp, signal);
        if (stored === null || stored.size !== upload.size) {
          throw targetError('TARGET_UPLOAD_MISMATCH', location, {
            specifics: `The server stored ${stored === null ? 'nothing' : `${stored.size} bytes`} of the ${upload.size} sent.`,
          });
        }
        try {
          await client.moveFile(temp, name, { overwrite: false, signal });
        } catch (error) {
          throw fail(error, 'move', signal, name);
        }
      } catch (error) {
        await removeQuietly(temp);
        if (signal?.aborted) throw fail(error, 'put', signal, name);
        if (localError !== undefined) throw localError;
        throw fail(error, 'put', signal, name);
      }
      const stored = await statFile(name, signal);
      return stored ?? { name, size: upload.size, modified: null };
    },

    async download(name: string, transfer: TransferOptions = {}): Promise<{ stream: Readable; size: number }> {
      checkName(name, location);
      const { signal } = transfer;
      let response: WebdavResponse;
      try {
        signal?.throwIfAborted();
        // identity: a compressed answer would change the bytes' count and the copy's checksum.
        response = await client.customRequest(name, { method: 'GET', headers: { 'Accept-Encoding': 'identity' }, signal });
      } catch (error) {
        throw fail(error, 'get', signal, name);
      }
      // node-fetch (the package's fetch on Node) answers with a Node Readable body.
      const body = (response as { body?: Readable | null }).body ?? null;
      const length = Number(response.headers.get('content-length') ?? Number.NaN);
      const size = Number.isSafeInteger(length) ? length : (await statFile(name, signal))?.size;
      if (body === null || size === undefined) {
        body?.destroy();
        throw targetError('TARGET_OBJECT_MISSING', location, { specifics: `"${name}" gave no content.` });
      }
      const meter = meteredDownload(body, {
        size,
        name,
        location,
        onBytes: transfer.onBytes,
        failure: (error) => fail(error, 'get', signal, name),
      });
      return { stream: meter, size };
    },

    async list(listOptions = {}): Promise<TargetEntry[]> {
      const { signal } = listOptions;
      try {
        signal?.throwIfAborted();
        const stats = await client.getDirectoryContents('', { signal });
        return stats.filter((stat) => stat.type === 'file').map(toEntry);
      } catch (error) {
        throw fail(error, 'directory', signal);
      }
    },

    async stat(name: string, statOptions = {}): Promise<TargetEntry | null> {
      checkName(name, location);
      statOptions.signal?.throwIfAborted();
      return statFile(name, statOptions.signal);
    },

    async delete(name: string, deleteOptions = {}): Promise<void> {
      checkName(name, location);
      const { signal } = deleteOptions;
      try {
        signal?.throwIfAborted();
        await client.deleteFile(name, { signal });
      } catch (error) {
        if ((error as { status?: unknown }).status === 404) return;
        throw fail(error, 'delete', signal, name);
      }
    },

    async close(): Promise<void> {
      agent.destroy();
    },
  };
}
