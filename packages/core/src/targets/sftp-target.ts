/**
 * SFTP target (ssh2): a directory on an SSH server (a NAS, a storage box), reached with a password
 * or a private key, the server pinned by its host key fingerprint (sftp-connection.ts).
 *
 * Upload, in order, so nothing appears under a final name before it is complete and checked:
 * 1. the final name is looked up: taken → TARGET_NAME_TAKEN before any byte is sent;
 * 2. `TARGET_TEMP_PREFIX<random>` is created exclusively in the directory (mode 0600) and the
 *    stream written to it with several requests in flight and back-pressure (sftp-file-writer.ts);
 * 3. the handle is closed and the temp file's size compared with `size` (SFTP v3 gives no checksum;
 *    OpenSSH offers none as an extension either): a difference is TARGET_UPLOAD_MISMATCH;
 * 4. it is renamed with plain SFTP RENAME, never `posix-rename@openssh.com` (which replaces).
 *    SFTP v3 says renaming onto an existing name is an error, and OpenSSH's sftp-server does it
 *    with link() + unlink() for regular files, so the rename itself never replaces a file there
 *    (on file systems without hard links it falls back to stat() + rename(), which has a race).
 *    Servers that ignore that part of the protocol and replace are covered by step 1 only, with
 *    a window of the upload's duration: the guarantee is "never replaces" on OpenSSH and on
 *    servers that follow SFTP v3, "never replaces a file that existed when the upload began" on the rest.
 * Any failure or an aborted `signal` removes the temp file (when the connection still lives).
 *
 * One connection per target object, opened on first use and reused; a lost one is reopened by the
 * next call. `close()` ends it.
 */
import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { SFTPWrapper, Stats } from 'ssh2';
import { LockerError } from '../errors.ts';
import { TARGET_TEMP_PREFIX, type BackupTarget, type TargetEntry, type TransferOptions, type UploadOptions } from './backup-target.ts';
import { connectSftp, type SftpSession } from './sftp-connection.ts';
import { SFTP_STATUS, saysFull, sftpError, sftpStatus, type SftpOperation } from './sftp-error.ts';
import { sftpFileReader } from './sftp-file-reader.ts';
import { SftpFileWriter } from './sftp-file-writer.ts';
import { targetError } from './target-error.ts';
import { transferMeter } from './transfer-meter.ts';

export interface SftpTargetOptions {
  host: string;
  /** Default 22. */
  port?: number;
  username: string;
  password?: string;
  /** A private key in OpenSSH or PEM format (the file's text). */
  privateKey?: string;
  privateKeyPassphrase?: string;
  /** The remote directory (absolute, or relative to the user's home); it must exist. */
  directory: string;
  /**
   * The server's host key: `fingerprint` pinned (`SHA256:…` as ssh-keygen -lf prints it), or
   * `acceptUnknown` to trust whatever key the server presents (first contact, once the user accepted
   * it). Neither: every call fails with TARGET_HOST_KEY_UNKNOWN carrying the fingerprint.
   */
  hostKey: { fingerprint?: string; acceptUnknown?: boolean };
  /** Milliseconds to wait for the SSH handshake and login. Default 20000. */
  readyTimeoutMs?: number;
}

export interface SftpTarget extends BackupTarget {
  readonly kind: 'sftp';
  /** The fingerprint the server presented on the last connection attempt, or null before one. */
  hostKeyFingerprint(): string | null;
  /** The cipher negotiated on the current connection (e.g. `aes128-gcm@openssh.com`), or null. */
  negotiatedCipher(): string | null;
}

/** Unacknowledged bytes an upload keeps in flight (sftp-file-writer.ts). */
const WRITE_WINDOW_BYTES = 4 * 1024 * 1024;
const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}$/;

function invalid(message: string): LockerError {
  return new LockerError('INVALID_ARGUMENT', message);
}

function entryOf(name: string, stats: Stats): TargetEntry {
  return { name, size: stats.size, modified: stats.mtime > 0 ? new Date(stats.mtime * 1000).toISOString() : null };
}

function cancelled(location: string, cause?: unknown): LockerError {
  return new LockerError('CANCELLED', `${location}: The transfer was cancelled.`, cause === undefined ? {} : { cause });
}

/** An SFTP target; see the file comment. Throws INVALID_ARGUMENT for options that cannot work. */
export function createSftpTarget(options: SftpTargetOptions): SftpTarget {
  const port = options.port ?? 22;
  if (options.host.trim() === '' || /[\s/@]/.test(options.host))
    throw invalid(`The SFTP host "${options.host}" is not a host name or address.`);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw invalid(`The SFTP port ${port} is not between 1 and 65535.`);
  if (options.username === '') throw invalid('The SFTP user name is empty.');
  if (options.password === undefined && options.privateKey === undefined)
    throw invalid('An SFTP target needs a password or a private key.');
  if (options.directory === '')
    throw invalid('The SFTP directory is empty: give a path such as /backups or backups (in the home directory).');
  // Some tools print the base64 padded; OpenSSH does not.
  const pinned = options.hostKey.fingerprint?.replace(/=+$/, '');
  if (pinned !== undefined && !FINGERPRINT.test(pinned)) {
    throw invalid(`The host key fingerprint "${pinned}" is not one ssh-keygen prints (SHA256: followed by 43 base64 characters).`);
  }
  const directory = options.directory.length > 1 ? options.directory.replace(/\/+$/, '') : options.directory;
  const hostForUrl = options.host.includes(':') ? `[${options.host}]` : options.host;
  const location = `sftp://${options.username}@${hostForUrl}:${port}${directory.startsWith('/') ? '' : '/'}${directory}`;
  const connectOptions = {
    host: options.host,
    port,
    username: options.username,
    password: options.password,
    privateKey: options.privateKey,
    privateKeyPassphrase: options.privateKeyPassphrase,
    hostKey: { fingerprint: pinned, acceptUnknown: options.hostKey.acceptUnknown },
    readyTimeoutMs: options.readyTimeoutMs ?? 20_000,
  };

  let presented: string | null = null;
  let connecting: Promise<SftpSession> | undefined;
  let current: SftpSession | undefined;

  /** The open session, connecting (and checking that the directory exists) when there is none. */
  async function session(signal: AbortSignal | undefined): Promise<SftpSession> {
    if (signal?.aborted === true) throw cancelled(location, signal.reason);
    if (current !== undefined && !current.closed()) return current;
    connecting ??= (async () => {
      const opened = await connectSftp(connectOptions, location, (fingerprint) => (presented = fingerprint));
      try {
        const stats = await opened.call<Stats>((sftp, done) => sftp.stat(directory, done));
        if (!stats.isDirectory()) throw targetError('TARGET_LOCATION_MISSING', location, { specifics: `${directory} is not a directory.` });
      } catch (error) {
        opened.end();
        throw sftpError(error, location, 'list', directory);
      }
      current = opened;
      return opened;
    })().finally(() => (connecting = undefined));
    return connecting;
  }

  function pathOf(name: string): string {
    if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0')) {
      throw invalid(`"${name}" is not a file name (no slashes, not . or ..).`);
    }
    return posix.join(directory, name);
  }

  /** One SFTP request on the session, its failure mapped for `operation`. */
  async function request<T>(
    operation: SftpOperation,
    path: string,
    signal: AbortSignal | undefined,
    run: (sftp: SFTPWrapper, done: (error: Error | null | undefined, value: T) => void) => void,
  ): Promise<T> {
    const open = await session(signal);
    try {
      return await open.call(run);
    } catch (error) {
      throw sftpError(error, location, operation, path);
    }
  }

  /** The entry at `path`, or null when nothing is there (anything else: a directory, a link to one, counts as there). */
  async function lookup(path: string, signal: AbortSignal | undefined): Promise<Stats | null> {
    try {
      return await request<Stats>('stat', path, signal, (sftp, done) => sftp.stat(path, done));
    } catch (error) {
      if ((error as LockerError).code === 'TARGET_LOCATION_MISSING') return null;
      throw error;
    }
  }

  /** After a FAILURE while writing: the server's words, or its file system's free space, say whether it is full. */
  async function writeFailureIsFull(open: SftpSession, error: unknown, bytesLeft: number): Promise<boolean> {
    if (error instanceof LockerError) return false;
    if (saysFull(error)) return true;
    if (sftpStatus(error) !== SFTP_STATUS.FAILURE || open.closed()) return false;
    try {
      const space = await open.call<{ f_bavail: number; f_frsize: number }>((sftp, done) => sftp.ext_openssh_statvfs(directory, done));
      return space.f_bavail * space.f_frsize < Math.max(bytesLeft, 1);
    } catch {
      // No statvfs@openssh.com on this server (ssh2 throws), or it failed: it stays TARGET_FAILED.
      return false;
    }
  }

  async function upload(name: string, content: Readable, uploadOptions: UploadOptions): Promise<TargetEntry> {
    const { signal, size } = uploadOptions;
    if (!Number.isSafeInteger(size) || size < 0) throw invalid(`The upload size ${size} is not a number of bytes.`);
    const finalPath = pathOf(name);
    if ((await lookup(finalPath, signal)) !== null) {
      throw targetError('TARGET_NAME_TAKEN', location, { specifics: `${name} already exists.`, details: { name } });
    }
    const tempPath = posix.join(directory, `${TARGET_TEMP_PREFIX}${randomBytes(8).toString('hex')}`);
    const open = await session(signal);
    const handle = await request<Buffer>('write', tempPath, signal, (sftp, done) => sftp.open(tempPath, 'wx', { mode: 0o600 }, done));
    let handleOpen = true;
    const closeHandle = async (): Promise<void> => {
      handleOpen = false;
      await open.call<unknown>((sftp, done) => sftp.close(handle, (error) => done(error, undefined)));
    };
    const writer = new SftpFileWriter(open, handle, WRITE_WINDOW_BYTES);
    const meter = transferMeter({
      size,
      onBytes: uploadOptions.onBytes,
      mismatch: (bytesDone) =>
        targetError('TARGET_UPLOAD_MISMATCH', location, {
          specifics:
            bytesDone > size
              ? `The stream for ${name} holds more than the ${size} bytes announced.`
              : `The stream for ${name} ended after ${bytesDone} of the ${size} bytes announced.`,
          details: { name, expected: size },
        }),
    });
    try {
      try {
        await pipeline(content, meter, writer, ...(signal === undefined ? [] : [{ signal }]));
        await closeHandle();
      } catch (error) {
        if (signal?.aborted === true) throw cancelled(location, error);
        if (await writeFailureIsFull(open, error, size - writer.bytesWritten)) {
          throw targetError('TARGET_FULL', location, {
            specifics: `The server ran out of space after ${writer.bytesWritten} of ${size} bytes.`,
            cause: error,
          });
        }
        throw sftpError(error, location, 'write', tempPath);
      }
      const stored = await request<Stats>('stat', tempPath, signal, (sftp, done) => sftp.stat(tempPath, done));
      if (stored.size !== size) {
        throw targetError('TARGET_UPLOAD_MISMATCH', location, {
          specifics: `${stored.size} bytes were stored, ${size} were expected.`,
          details: { name, expected: size, stored: stored.size, sent: writer.bytesWritten },
        });
      }
      if (signal?.aborted === true) throw cancelled(location, signal.reason);
      try {
        await request<unknown>('write', finalPath, undefined, (sftp, done) =>
          sftp.rename(tempPath, finalPath, (error) => done(error, undefined)),
        );
      } catch (error) {
        // OpenSSH answers a rename onto a taken name with a bare FAILURE: look whether that is why.
        if ((error as LockerError).code === 'TARGET_FAILED' && (await lookup(finalPath, undefined).catch(() => null)) !== null) {
          throw targetError('TARGET_NAME_TAKEN', location, {
            specifics: `${name} appeared during the upload.`,
            details: { name },
            cause: error,
          });
        }
        throw error;
      }
      return entryOf(name, stored);
    } catch (error) {
      if (!open.closed()) {
        if (handleOpen) await closeHandle().catch(() => undefined);
        await open.call<unknown>((sftp, done) => sftp.unlink(tempPath, (failure) => done(failure, undefined))).catch(() => undefined);
      }
      throw error;
    }
  }

  async function download(name: string, transfer: TransferOptions = {}): Promise<{ stream: Readable; size: number }> {
    const path = pathOf(name);
    const stats = await request<Stats>('read', path, transfer.signal, (sftp, done) => sftp.stat(path, done));
    if (!stats.isFile()) throw targetError('TARGET_OBJECT_MISSING', location, { specifics: `${name} is not a file.`, details: { name } });
    const open = await session(transfer.signal);
    const handle = await request<Buffer>('read', path, transfer.signal, (sftp, done) => sftp.open(path, 'r', done));
    const source = sftpFileReader(open, handle, stats.size);
    const counted = transferMeter({
      size: stats.size,
      onBytes: transfer.onBytes,
      mismatch: (bytesDone) =>
        targetError('TARGET_FAILED', location, {
          specifics: `The download of ${name} ended after ${bytesDone} of ${stats.size} bytes.`,
          details: { name, expected: stats.size, received: bytesDone },
        }),
    });
    const stream = new PassThrough({ highWaterMark: 256 * 1024 });
    // Not pipeline's own `signal`: it would destroy `stream` with a bare AbortError before the catch below.
    const { signal } = transfer;
    const onAbort = (): void => {
      stream.destroy(cancelled(location, signal?.reason));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    pipeline(source, counted, stream)
      .catch((error: unknown) => stream.destroy(sftpError(error, location, 'read', path)))
      .finally(() => signal?.removeEventListener('abort', onAbort));
    return { stream, size: stats.size };
  }

  return {
    kind: 'sftp',
    location,
    upload,
    download,
    async list(listOptions = {}) {
      const entries = await request<{ filename: string; attrs: Stats }[]>('list', directory, listOptions.signal, (sftp, done) =>
        sftp.readdir(directory, done),
      );
      return entries.filter((entry) => entry.attrs.isFile()).map((entry) => entryOf(entry.filename, entry.attrs));
    },
    async stat(name, statOptions = {}) {
      const stats = await lookup(pathOf(name), statOptions.signal);
      return stats?.isFile() === true ? entryOf(name, stats) : null;
    },
    async delete(name, deleteOptions = {}) {
      const path = pathOf(name);
      try {
        await request<unknown>('delete', path, deleteOptions.signal, (sftp, done) => sftp.unlink(path, (error) => done(error, undefined)));
      } catch (error) {
        if ((error as LockerError).code !== 'TARGET_LOCATION_MISSING') throw error;
      }
    },
    async close() {
      const pending = connecting;
      connecting = undefined;
      (await pending?.catch(() => undefined))?.end();
      current?.end();
      current = undefined;
    },
    hostKeyFingerprint: () => presented,
    negotiatedCipher: () => (current !== undefined && !current.closed() ? current.cipher : null),
  };
}
