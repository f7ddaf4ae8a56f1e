/**
 * One SSH connection with its SFTP session, for sftp-target.ts. The server's host key is checked
 * before anything is sent: its fingerprint is computed as OpenSSH prints it (`SHA256:` and the
 * unpadded base64 of the SHA-256 of the key blob, as `ssh-keygen -lf` and `ssh` show it), then
 * - a pinned fingerprint that differs refuses the server (TARGET_HOST_KEY_CHANGED);
 * - no pinned fingerprint refuses it too (TARGET_HOST_KEY_UNKNOWN, with the fingerprint in the
 *   details, so a UI or CLI can show it and pin it), unless `acceptUnknown` asks to trust it.
 *
 * `call` wraps one SFTP request in a promise that also rejects when the connection ends while it
 * waits: ssh2 never answers a request sent on a session that has already closed.
 */
import { createHash } from 'node:crypto';
import { Client, type ConnectConfig, type SFTPWrapper } from 'ssh2';
import { errnoCode } from '../errors.ts';
import { networkFailureCode, targetError } from './target-error.ts';

export interface SftpConnectOptions {
  host: string;
  port: number;
  username: string;
  password?: string | undefined;
  privateKey?: string | undefined;
  privateKeyPassphrase?: string | undefined;
  hostKey: { fingerprint?: string | undefined; acceptUnknown?: boolean | undefined };
  readyTimeoutMs: number;
}

/** The fingerprint of an SSH public key blob as OpenSSH prints it: `SHA256:` + unpadded base64. */
export function sshFingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

export interface SftpSession {
  sftp: SFTPWrapper;
  /** The cipher negotiated for client to server (e.g. `aes128-gcm@openssh.com`). */
  cipher: string;
  /** True once the connection ended; every later `call` rejects. */
  closed(): boolean;
  /** Runs one SFTP request; rejects with its error, or with a connection-lost error when the session ends first. */
  call<T>(request: (sftp: SFTPWrapper, callback: (error: Error | null | undefined, value: T) => void) => void): Promise<T>;
  end(): void;
}

/** Marks errors that mean the SSH connection itself ended. */
export class SftpConnectionLost extends Error {
  override readonly name = 'SftpConnectionLost';
}

/**
 * Opens the connection and its SFTP session. Throws TARGET_ errors: HOST_KEY_UNKNOWN or
 * HOST_KEY_CHANGED (nothing sent), UNREACHABLE, LOGIN_REFUSED, FAILED.
 * `onFingerprint` receives the fingerprint the server presented.
 */
export function connectSftp(
  options: SftpConnectOptions,
  location: string,
  onFingerprint: (fingerprint: string) => void,
): Promise<SftpSession> {
  const pinned = options.hostKey.fingerprint;
  let refusal: Error | undefined;
  const config: ConnectConfig = {
    host: options.host,
    port: options.port,
    username: options.username,
    readyTimeout: options.readyTimeoutMs,
    // A server that stops answering (the "link slowed to nothing" case) ends the connection after ~30 s.
    keepaliveInterval: 10_000,
    keepaliveCountMax: 3,
    hostVerifier: (key: Buffer): boolean => {
      const presented = sshFingerprint(key);
      onFingerprint(presented);
      if (pinned !== undefined) {
        if (presented === pinned) return true;
        refusal = targetError('TARGET_HOST_KEY_CHANGED', location, {
          specifics: `The server presented ${presented}, but ${pinned} was accepted.`,
          details: { expected: pinned, presented },
        });
        return false;
      }
      if (options.hostKey.acceptUnknown === true) return true;
      refusal = targetError('TARGET_HOST_KEY_UNKNOWN', location, {
        specifics: `Its host key fingerprint is ${presented}.`,
        details: { fingerprint: presented },
      });
      return false;
    },
    ...(options.password === undefined ? {} : { password: options.password }),
    ...(options.privateKey === undefined ? {} : { privateKey: options.privateKey }),
    ...(options.privateKeyPassphrase === undefined ? {} : { passphrase: options.privateKeyPassphrase }),
  };

  return new Promise<SftpSession>((resolve, reject) => {
    const client = new Client();
    let cipher = '';
    let settled = false;
    const fail = (error: unknown): void => {
      if (settled) return;
      settled = true;
      client.end();
      reject(refusal ?? connectError(error, location));
    };
    client.on('handshake', (negotiated) => {
      cipher = negotiated.cs.cipher;
    });
    client.on('error', fail);
    client.on('close', () => fail(new SftpConnectionLost('The server closed the connection before the SFTP session started.')));
    client.on('ready', () => {
      client.sftp((error, sftp) => {
        if (error !== undefined) {
          fail(error);
          return;
        }
        settled = true;
        resolve(openSession(client, sftp, cipher));
      });
    });
    try {
      client.connect(config);
    } catch (error) {
      // ssh2 parses the private key synchronously.
      fail(error);
    }
  });
}

function openSession(client: Client, sftp: SFTPWrapper, cipher: string): SftpSession {
  let closed = false;
  const waiting = new Set<(error: Error) => void>();
  const onEnd = (): void => {
    if (closed) return;
    closed = true;
    const lost = new SftpConnectionLost('The connection to the server was lost.');
    for (const rejectWaiting of waiting) rejectWaiting(lost);
    waiting.clear();
  };
  client.on('close', onEnd);
  client.on('end', onEnd);
  sftp.on('close', onEnd);
  // After `ready`, errors (a reset socket, a keepalive timeout) end the connection; `call` reports them.
  client.removeAllListeners('error');
  client.on('error', onEnd);
  return {
    sftp,
    cipher,
    closed: () => closed,
    call<T>(request: (sftp: SFTPWrapper, callback: (error: Error | null | undefined, value: T) => void) => void): Promise<T> {
      if (closed) return Promise.reject(new SftpConnectionLost('The connection to the server was lost.'));
      return new Promise<T>((resolve, reject) => {
        const rejectWaiting = (error: Error): void => reject(error);
        waiting.add(rejectWaiting);
        request(sftp, (error, value) => {
          waiting.delete(rejectWaiting);
          if (error) reject(error);
          else resolve(value);
        });
      });
    },
    end() {
      onEnd();
      client.end();
    },
  };
}

/** The TARGET_ error of a failed connection attempt (host key refusals are decided in the verifier). */
function connectError(error: unknown, location: string): Error {
  const message = error instanceof Error ? error.message : String(error);
  const level = (error as { level?: unknown } | null)?.level;
  const network = networkFailureCode(error);
  if (network !== undefined) return targetError(network, location, { details: { errno: errnoCode(error) }, cause: error });
  if (level === 'client-timeout' || level === 'client-dns' || error instanceof SftpConnectionLost) {
    return targetError('TARGET_UNREACHABLE', location, { specifics: `${message}.`, cause: error });
  }
  if (level === 'client-authentication') {
    return targetError('TARGET_LOGIN_REFUSED', location, { specifics: 'The server accepted none of the credentials given.', cause: error });
  }
  if (/privateKey|private key|passphrase|Encrypted/i.test(message)) {
    // ssh2 could not read the key: its message names the problem and holds no secret.
    return targetError('TARGET_LOGIN_REFUSED', location, { specifics: `The private key cannot be used: ${message}.`, cause: error });
  }
  return targetError('TARGET_FAILED', location, {
    specifics: `The SSH connection failed: ${message}.`,
    details: { reason: message },
    cause: error,
  });
}
