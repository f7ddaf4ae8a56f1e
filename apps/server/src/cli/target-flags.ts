/**
 * How the target commands take a target's connection: the address as a URL (core's
 * parseTargetUrl: `sftp://USER@HOST:PORT/DIR`, `s3://BUCKET/PREFIX?endpoint=…`,
 * `webdav+https://HOST/PATH`) and its secrets from files (first line; the whole file for a private
 * key; `-` reads stdin), never from arguments, which `ps` and shell histories would show.
 */
import { readFile } from 'node:fs/promises';
import { text as streamText } from 'node:stream/consumers';
import { openTarget, parseTargetUrl, type BackupTarget, type SftpTarget, type TargetConnection } from '@evidence-locker/core';
import { UsageError } from './cli-output.ts';

/** The credential flags of `target add`, `target backups` and `backup restore --from`. */
export const TARGET_CREDENTIAL_OPTIONS = {
  'password-file': { type: 'string' },
  'key-file': { type: 'string' },
  'key-passphrase-file': { type: 'string' },
  'access-key-id': { type: 'string' },
  'secret-file': { type: 'string' },
  'host-key': { type: 'string' },
  'accept-host-key': { type: 'boolean', default: false },
} as const;

/** The credential flags in a usage line. */
export const TARGET_CREDENTIALS_USAGE =
  '[--password-file F | --key-file F [--key-passphrase-file F]] [--access-key-id ID --secret-file F] [--host-key SHA256:… | --accept-host-key]';

/** The notes every command with credential flags shows. */
export const TARGET_CREDENTIALS_NOTES = [
  'URL: sftp://USER@HOST[:PORT]/DIR (/~/DIR: in the login directory), s3://BUCKET[/PREFIX][?endpoint=URL&region=R&path-style=true],',
  '     webdav+https://[USER@]HOST[:PORT]/PATH or webdav+http://…; never a password in it.',
  'Secrets come from files (first line; the whole file for --key-file; - reads stdin): --password-file (SFTP, WebDAV),',
  '--key-file and --key-passphrase-file (SFTP private key), --access-key-id with --secret-file (S3).',
  'SFTP host keys: an unknown one is refused with its fingerprint; --host-key SHA256:… pins the one you expect,',
  '--accept-host-key trusts (and for target add/test, pins) the one the server presents.',
];

interface CredentialFlags {
  'password-file'?: string | undefined;
  'key-file'?: string | undefined;
  'key-passphrase-file'?: string | undefined;
  'access-key-id'?: string | undefined;
  'secret-file'?: string | undefined;
  'host-key'?: string | undefined;
  'accept-host-key'?: boolean | undefined;
}

let stdinTaken = false;

/** The text of `file` (stdin for `-`, once); a file that cannot be read is a usage error naming the flag. */
async function readSecretFile(file: string, flag: string, whole = false): Promise<string> {
  let text: string;
  if (file === '-') {
    if (stdinTaken) throw new UsageError(`only one secret can come from stdin (-); give --${flag} a file`);
    stdinTaken = true;
    text = await streamText(process.stdin);
  } else {
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
      throw new UsageError(`cannot read --${flag} ${file}: ${reason}`);
    }
  }
  const value = whole ? text : (text.split('\n')[0] ?? '').replace(/\r$/, '');
  if (value.trim() === '') throw new UsageError(`--${flag} ${file} is empty`);
  return value;
}

/** The connection `url` and the credential flags describe. Usage errors for flags that do not fit its kind. */
export async function connectionFromFlags(url: string, flags: CredentialFlags): Promise<TargetConnection> {
  const address = parseTargetUrl(url);
  const given = (flag: keyof CredentialFlags) => flags[flag] !== undefined && flags[flag] !== false;
  const refuse = (flag: keyof CredentialFlags, why: string) => {
    if (given(flag)) throw new UsageError(`--${flag} does not apply to ${why}`);
  };
  if (address.kind === 's3') {
    for (const flag of ['password-file', 'key-file', 'key-passphrase-file', 'host-key', 'accept-host-key'] as const)
      refuse(flag, 'an S3 target');
    if (flags['access-key-id'] === undefined || flags['secret-file'] === undefined) {
      throw new UsageError('an S3 target needs --access-key-id ID and --secret-file FILE (the secret access key)');
    }
    return { ...address, accessKeyId: flags['access-key-id'], secretAccessKey: await readSecretFile(flags['secret-file'], 'secret-file') };
  }
  refuse('access-key-id', `a ${address.kind === 'sftp' ? 'SFTP' : 'WebDAV'} target (it is for S3)`);
  refuse('secret-file', `a ${address.kind === 'sftp' ? 'SFTP' : 'WebDAV'} target (it is for S3; give --password-file)`);
  const password = flags['password-file'] === undefined ? undefined : await readSecretFile(flags['password-file'], 'password-file');
  if (address.kind === 'webdav') {
    for (const flag of ['key-file', 'key-passphrase-file', 'host-key', 'accept-host-key'] as const) refuse(flag, 'a WebDAV target');
    return { ...address, ...(password === undefined ? {} : { password }) };
  }
  if (flags['key-file'] === undefined && password === undefined) {
    throw new UsageError('an SFTP target needs --password-file FILE or --key-file FILE (a private key)');
  }
  if (flags['key-passphrase-file'] !== undefined && flags['key-file'] === undefined) {
    throw new UsageError('--key-passphrase-file goes with --key-file');
  }
  if (flags['host-key'] !== undefined && flags['accept-host-key'] === true) {
    throw new UsageError('give --host-key or --accept-host-key, not both');
  }
  const hostKey = flags['host-key']?.replace(/=+$/, '');
  if (hostKey !== undefined && !/^SHA256:[A-Za-z0-9+/]{43}$/.test(hostKey)) {
    throw new UsageError('--host-key must be SHA256: and 43 base64 characters, as ssh-keygen -lf prints it');
  }
  return {
    ...address,
    ...(password === undefined ? {} : { password }),
    ...(flags['key-file'] === undefined ? {} : { privateKey: await readSecretFile(flags['key-file'], 'key-file', true) }),
    ...(flags['key-passphrase-file'] === undefined
      ? {}
      : { privateKeyPassphrase: await readSecretFile(flags['key-passphrase-file'], 'key-passphrase-file') }),
    ...(hostKey === undefined ? {} : { hostKeyFingerprint: hostKey }),
  };
}

/** The fingerprint an SFTP target presented (null for other kinds, or before it connected). */
export function presentedHostKey(target: BackupTarget): string | null {
  return target.kind === 'sftp' ? (target as SftpTarget).hostKeyFingerprint() : null;
}

/** Runs `work` on the target `source` opens, closing it however the work ends. */
export async function withTarget<T>(
  source: Parameters<typeof openTarget>[0],
  options: Parameters<typeof openTarget>[1],
  work: (target: BackupTarget) => Promise<T>,
): Promise<T> {
  const target = await openTarget(source, options);
  try {
    return await work(target);
  } finally {
    await target.close().catch(() => undefined);
  }
}
