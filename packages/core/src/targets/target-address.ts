/**
 * Where a target is, without any secret: the fields a target URL carries (target-url.ts) and a
 * stored target keeps beside its encrypted secrets (target-config.ts). Each field has one check
 * here, used by the URL parser (as TARGET_URL_INVALID) and by the zod schemas (as an issue).
 */
import { isIP, isIPv6 } from 'node:net';
import { z } from 'zod';

/** The region an S3 address has when none is given (AWS's default; what Swift's s3api and MinIO answer to). */
export const DEFAULT_S3_REGION = 'us-east-1';
/** The SSH port an SFTP address has when none is given. */
export const DEFAULT_SFTP_PORT = 22;

/** A C0 or C1 control character (NUL, newline, escape, …): never part of an address. */
// eslint-disable-next-line no-control-regex -- finding them is the point
export const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;
const CONTROL = CONTROL_CHARACTER;
const HOST_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$/;
const BUCKET = /^[A-Za-z0-9][A-Za-z0-9._-]{1,61}[A-Za-z0-9]$/;
const REGION = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

/** Why `host` is not a host name or IP address (IPv6 without brackets), or null. */
export function hostProblem(host: string): string | null {
  if (host === '') return 'The host is missing.';
  if (isIP(host) !== 0 || HOST_NAME.test(host)) return null;
  return `"${host}" is not a host name or IP address.`;
}

/** Why `port` is not a TCP port (a whole number 1 to 65535), or null. */
export function portProblem(port: number): string | null {
  return Number.isInteger(port) && port >= 1 && port <= 65_535 ? null : `The port ${String(port)} is not a whole number from 1 to 65535.`;
}

/** Why `name` is not a login name, or null. */
export function userProblem(name: string): string | null {
  if (name === '') return 'The user name is empty.';
  if (name.length > 256) return 'The user name is longer than 256 characters.';
  return CONTROL.test(name) ? 'The user name holds a control character.' : null;
}

/**
 * Why `directory` is not an SFTP directory, or null: an absolute path (`/backups`), or one relative
 * to the login directory (`backups`, `.` for the login directory itself), without `.`/`..`
 * segments, empty segments or a trailing slash (except `/` itself).
 */
export function sftpDirectoryProblem(directory: string): string | null {
  if (directory === '') return 'The directory is missing.';
  if (CONTROL.test(directory)) return 'The directory holds a control character.';
  if (directory === '/' || directory === '.') return null;
  const segments = (directory.startsWith('/') ? directory.slice(1) : directory).split('/');
  if (segments.some((segment) => segment === '')) return `The directory "${directory}" has an empty segment (// or a trailing /).`;
  if (segments.some((segment) => segment === '.' || segment === '..')) return `The directory "${directory}" holds a . or .. segment.`;
  return null;
}

/** Why `bucket` is not an S3 bucket name (3 to 63 letters, digits, dots, hyphens, underscores), or null. */
export function bucketProblem(bucket: string): string | null {
  if (bucket === '') return 'The bucket is missing.';
  return BUCKET.test(bucket) && !bucket.includes('..')
    ? null
    : `"${bucket}" is not a bucket name: 3 to 63 letters, digits, dots, hyphens or underscores, starting and ending with a letter or digit.`;
}

/** Why `prefix` is not a key prefix ("" for the bucket's top; no leading, trailing or double slash), or null. */
export function prefixProblem(prefix: string): string | null {
  if (prefix === '') return null;
  if (CONTROL.test(prefix)) return 'The prefix holds a control character.';
  if (prefix.length > 512) return 'The prefix is longer than 512 characters.';
  const segments = prefix.split('/');
  if (segments.some((segment) => segment === '')) return `The prefix "${prefix}" has an empty segment (a leading, trailing or double /).`;
  if (segments.some((segment) => segment === '.' || segment === '..')) return `The prefix "${prefix}" holds a . or .. segment.`;
  return null;
}

/** Why `region` is not a region name, or null. */
export function regionProblem(region: string): string | null {
  return REGION.test(region)
    ? null
    : `"${region}" is not a region name (letters, digits, hyphens, dots, underscores; us-east-1 by default).`;
}

/**
 * Why `text` is not an http(s) base URL without credentials, query or fragment, or null. `what`
 * names it in the message ("The endpoint", "The WebDAV URL").
 */
export function httpUrlProblem(text: string, what: string): string | null {
  if (CONTROL.test(text)) return `${what} holds a control character.`;
  if (!/^https?:\/\//i.test(text)) return `${what} "${text}" must start with https:// or http://.`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `${what} "${text}" is not a URL.`;
  }
  if (url.username !== '' || url.password !== '') {
    return `${what} holds a user name or password; credentials never go in an address (give them from a file).`;
  }
  if (url.search !== '' || url.hash !== '' || text.includes('?') || text.includes('#'))
    return `${what} "${text}" must not have a ? query or # fragment.`;
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  if (!isIPv6(host) && hostProblem(host) !== null) return `${what} "${text}" has no valid host.`;
  return null;
}

/** A WebDAV URL as stored: http(s), with the trailing slash of a collection. */
export function webdavUrlProblem(url: string): string | null {
  return (
    httpUrlProblem(url, 'The WebDAV URL') ?? (url.endsWith('/') ? null : `The WebDAV URL "${url}" must end with / (it names a folder).`)
  );
}

function checked(problem: (value: string) => string | null) {
  return z.string().superRefine((value, context) => {
    const message = problem(value);
    if (message !== null) context.addIssue({ code: 'custom', message });
  });
}

export const S3AddressSchema = z.object({
  kind: z.literal('s3'),
  bucket: checked(bucketProblem),
  /** Key prefix the copies go under ("" for the bucket's top); the target adds the `/` before names. */
  prefix: checked(prefixProblem),
  region: checked(regionProblem),
  /** The service's base URL; absent for AWS. */
  endpoint: checked((value) => httpUrlProblem(value, 'The endpoint')).optional(),
  /** Path-style requests (`endpoint/bucket/key`) instead of virtual-hosted (`bucket.endpoint/key`). */
  pathStyle: z.boolean({ error: 'pathStyle must be true or false.' }),
});
export type S3Address = z.infer<typeof S3AddressSchema>;

export const SftpAddressSchema = z.object({
  kind: z.literal('sftp'),
  host: checked(hostProblem),
  port: z.number({ error: 'The port must be a number.' }).superRefine((value, context) => {
    const message = portProblem(value);
    if (message !== null) context.addIssue({ code: 'custom', message });
  }),
  username: checked(userProblem),
  /** Absolute (`/backups`) or relative to the login directory (`backups`, `.`). */
  directory: checked(sftpDirectoryProblem),
});
export type SftpAddress = z.infer<typeof SftpAddressSchema>;

export const WebdavAddressSchema = z.object({
  kind: z.literal('webdav'),
  /** The folder's URL, `https://host/path/` (always with the trailing slash). */
  url: checked(webdavUrlProblem),
  username: checked(userProblem).optional(),
});
export type WebdavAddress = z.infer<typeof WebdavAddressSchema>;

/** Where a target is: its kind and the fields a target URL carries, never a secret. */
export const TargetAddressSchema = z.discriminatedUnion('kind', [S3AddressSchema, SftpAddressSchema, WebdavAddressSchema], {
  error: 'kind must be "s3", "sftp" or "webdav".',
});
export type TargetAddress = z.infer<typeof TargetAddressSchema>;
