/**
 * One door to every kind of target: a stored target (readTargets) or an address with its
 * credentials (a URL from the command line, the wizard's "From offsite storage" form) becomes a
 * BackupTarget of its kind. A new kind of target adds one branch here.
 */
import { LockerError } from '../errors.ts';
import type { BackupTarget } from './backup-target.ts';
import { createS3Target } from './s3-target.ts';
import { createSftpTarget, type SftpTarget } from './sftp-target.ts';
import { targetError } from './target-error.ts';
import { TargetAddressSchema, type S3Address, type SftpAddress, type TargetAddress, type WebdavAddress } from './target-address.ts';
import type { TargetConfig } from './target-config.ts';
import { connectionOf, type TargetConnection, type TargetCredentials } from './target-connection.ts';
import { formatTargetUrl } from './target-url.ts';
import { createWebdavTarget } from './webdav-target.ts';

export interface OpenTargetOptions {
  /**
   * SFTP: trust whatever host key the server presents (the user accepted it after seeing its
   * fingerprint), instead of the pinned one. Default false: an unpinned server is
   * TARGET_HOST_KEY_UNKNOWN, a different key TARGET_HOST_KEY_CHANGED, both with the fingerprint.
   */
  acceptHostKey?: boolean;
}

/**
 * The BackupTarget for `source`. Connects lazily (the first call reaches the server). A stored
 * target that is `unusable` (a secret that no longer decrypts) is SECRET_UNDECRYPTABLE; an address
 * that fails its checks is TARGET_URL_INVALID; missing credentials are INVALID_ARGUMENT.
 * `enabled` is not looked at: a disabled target can still be tested and read. An SFTP target is an
 * SftpTarget: `hostKeyFingerprint()` gives the key the server presented, to pin after acceptHostKey.
 */
export function openTarget(source: TargetConfig | TargetConnection, options: OpenTargetOptions = {}): Promise<BackupTarget | SftpTarget> {
  // A check that fails rejects the promise rather than throwing at the call.
  return new Promise((resolve) => resolve(openNow(source, options)));
}

function openNow(source: TargetConfig | TargetConnection, options: OpenTargetOptions): BackupTarget | SftpTarget {
  const connection = 'secrets' in source ? connectionOf(source) : source;
  const checked = TargetAddressSchema.safeParse(connection);
  if (!checked.success) {
    throw targetError('TARGET_URL_INVALID', connection.kind, {
      specifics: checked.error.issues[0]?.message ?? 'The address is incomplete.',
    });
  }
  if (connection.kind === 's3') return openS3(connection);
  if (connection.kind === 'sftp') return openSftp(connection, options);
  return openWebdav(connection);
}

function missing(address: TargetAddress, what: string): LockerError {
  return new LockerError('INVALID_ARGUMENT', `${formatTargetUrl(address)}: ${what}`, { details: { location: formatTargetUrl(address) } });
}

function openS3(connection: S3Address & TargetCredentials): BackupTarget {
  const { accessKeyId, secretAccessKey } = connection;
  if (accessKeyId === undefined || accessKeyId === '' || secretAccessKey === undefined || secretAccessKey === '') {
    throw missing(connection, 'An S3 target needs an access key id and its secret access key.');
  }
  return createS3Target({
    ...(connection.endpoint === undefined ? {} : { endpoint: connection.endpoint }),
    region: connection.region,
    bucket: connection.bucket,
    prefix: connection.prefix,
    pathStyle: connection.pathStyle,
    accessKeyId,
    secretAccessKey,
  });
}

function openSftp(connection: SftpAddress & TargetCredentials, options: OpenTargetOptions): SftpTarget {
  const { password, privateKey, privateKeyPassphrase } = connection;
  if ((password === undefined || password === '') && (privateKey === undefined || privateKey === '')) {
    throw missing(connection, 'An SFTP target needs a password or a private key.');
  }
  const pinned = options.acceptHostKey === true ? undefined : connection.hostKeyFingerprint;
  return createSftpTarget({
    host: connection.host,
    port: connection.port,
    username: connection.username,
    ...(password === undefined || password === '' ? {} : { password }),
    ...(privateKey === undefined || privateKey === '' ? {} : { privateKey }),
    ...(privateKeyPassphrase === undefined || privateKeyPassphrase === '' ? {} : { privateKeyPassphrase }),
    directory: connection.directory,
    hostKey: { ...(pinned === undefined ? {} : { fingerprint: pinned }), acceptUnknown: options.acceptHostKey === true },
  });
}

function openWebdav(connection: WebdavAddress & TargetCredentials): BackupTarget {
  return createWebdavTarget({
    url: connection.url,
    ...(connection.username === undefined ? {} : { username: connection.username }),
    ...(connection.password === undefined || connection.password === '' ? {} : { password: connection.password }),
  });
}
