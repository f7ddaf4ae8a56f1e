/**
 * Target URLs, as restic and rclone users write them, for the command line:
 *
 *   sftp://USER@HOST[:PORT]/DIR      port 22 by default. DIR is absolute: sftp://u@h/backups is
 *                                    /backups, and restic's double slash (sftp://u@h//srv/x) means
 *                                    the same /srv/x. SFTP servers do not expand ~, so restic has no
 *                                    ~ form and takes a single slash as "relative to the login
 *                                    directory"; here that is written /~/DIR (sftp://u@h/~/backups
 *                                    is backups in the login directory, sftp://u@h/~ the login
 *                                    directory itself), the form ssh:// URLs use.
 *   s3://BUCKET[/PREFIX][?endpoint=URL&region=R&path-style=true|false]
 *                                    region us-east-1 by default. Without endpoint: AWS, and
 *                                    virtual-hosted requests. With one: path-style by default, since
 *                                    self-hosted stores (MinIO, Garage, Swift, Ceph) answer on one
 *                                    host name or an IP address; path-style=false turns it off.
 *   webdav+https://[USER@]HOST[:PORT]/PATH (or webdav+http://)
 *                                    the folder https://HOST/PATH/.
 *
 * Secrets never go in a URL (shell history, process lists, logs): a `user:password@` is refused
 * and the message points to the secret file flags. A user name alone is fine for SFTP and WebDAV.
 * Percent-encoding works as in any URL (%20 for a space, %40 for an @ in a user name).
 */
import { isIPv6 } from 'node:net';
import { targetError } from './target-error.ts';
import {
  CONTROL_CHARACTER,
  DEFAULT_S3_REGION,
  DEFAULT_SFTP_PORT,
  TargetAddressSchema,
  bucketProblem,
  hostProblem,
  httpUrlProblem,
  portProblem,
  prefixProblem,
  regionProblem,
  sftpDirectoryProblem,
  userProblem,
  type S3Address,
  type SftpAddress,
  type TargetAddress,
  type WebdavAddress,
} from './target-address.ts';

const S3_QUERY_KEYS = ['endpoint', 'region', 'path-style'] as const;
const SECRET_FLAGS = 'give the password with --password-file (or a key with --key-file; for S3 --access-key-id and --secret-file)';

/** The parts of `scheme://authority/path?query`, raw (still percent-encoded). */
interface RawUrl {
  scheme: string;
  user: string | undefined;
  password: boolean;
  host: string;
  port: string | undefined;
  path: string;
  query: string | undefined;
}

/**
 * The address `url` names. Throws TARGET_URL_INVALID with a sentence saying what is wrong: an
 * unknown scheme, a password in it, a missing host, user, bucket or directory, a bad port, an
 * unknown or repeated query key, a bad endpoint URL, control characters. Never echoes a password.
 */
export function parseTargetUrl(url: string): TargetAddress {
  const invalid = (specifics: string): Error => targetError('TARGET_URL_INVALID', shownUrl(url), { specifics });
  const check = (problem: string | null): void => {
    if (problem !== null) throw invalid(problem);
  };
  if (typeof url !== 'string' || url === '') throw invalid('The address is empty.');
  const control = CONTROL_CHARACTER.exec(url);
  if (control !== null) throw invalid(`It holds a control character (${escapeControl(control[0])}) at position ${control.index + 1}.`);
  if (/\s/.test(url)) throw invalid('It holds a space: write a space as %20.');
  const raw = splitUrl(url, invalid);
  if (raw.password) {
    throw invalid(
      `It holds a password (user:password@), and passwords never go in a target address: ${SECRET_FLAGS}. (An @ in a path is written %40.)`,
    );
  }
  const decode = (text: string, what: string): string => {
    try {
      return decodeURIComponent(text);
    } catch {
      throw invalid(`The ${what} has a broken %-escape.`);
    }
  };
  let address: TargetAddress;
  if (raw.scheme === 'sftp') {
    address = parseSftp(raw, decode, check, invalid);
  } else if (raw.scheme === 's3') {
    if (raw.user !== undefined) throw invalid(`An S3 address has no user part: ${SECRET_FLAGS}.`);
    if (raw.port !== undefined) throw invalid('An S3 address has no port: BUCKET comes after s3://, and a server goes in ?endpoint=URL.');
    address = parseS3(raw, decode, check, invalid);
  } else {
    address = parseWebdav(raw, decode, check, invalid);
  }
  // The schema's checks are the ones a stored target passes; the parser's own came first with URL wording.
  const result = TargetAddressSchema.safeParse(address);
  if (!result.success) throw invalid(result.error.issues[0]?.message ?? 'It does not name a target.');
  return result.data;
}

type Decode = (text: string, what: string) => string;
type Check = (problem: string | null) => void;
type Invalid = (specifics: string) => Error;

function parseSftp(raw: RawUrl, decode: Decode, check: Check, invalid: Invalid): SftpAddress {
  if (raw.query !== undefined) throw invalid('An SFTP address takes no ?query.');
  if (raw.user === undefined || raw.user === '') throw invalid('The user name is missing: write sftp://USER@HOST/DIR.');
  const username = decode(raw.user, 'user name');
  check(userProblem(username));
  const host = hostOf(raw, check);
  const port = portOf(raw, DEFAULT_SFTP_PORT, check, invalid);
  if (raw.path === '') throw invalid('The directory is missing: write sftp://USER@HOST/DIR (or /~/DIR for one in the login directory).');
  checkDotSegments(raw.path, invalid);
  let directory: string;
  if (raw.path === '/~' || raw.path === '/~/') directory = '.';
  else if (raw.path.startsWith('/~/')) directory = decode(raw.path.slice(3), 'directory').replace(/\/+$/, '');
  else
    directory = decode(raw.path, 'directory')
      .replace(/^\/+/, '/')
      .replace(/(.)\/+$/, '$1');
  check(sftpDirectoryProblem(directory));
  return { kind: 'sftp', host, port, username, directory };
}

function parseS3(raw: RawUrl, decode: Decode, check: Check, invalid: Invalid): S3Address {
  if (raw.host === '') throw invalid('The bucket is missing: write s3://BUCKET/PREFIX.');
  const bucket = decode(raw.host, 'bucket');
  check(bucketProblem(bucket));
  checkDotSegments(raw.path, invalid);
  const prefix = decode(raw.path, 'prefix').replace(/^\//, '').replace(/\/$/, '');
  check(prefixProblem(prefix));
  const query = new Map<string, string>();
  for (const part of raw.query === undefined || raw.query === '' ? [] : raw.query.split('&')) {
    const equals = part.indexOf('=');
    const key = decode(equals === -1 ? part : part.slice(0, equals), 'query');
    if (!(S3_QUERY_KEYS as readonly string[]).includes(key)) {
      throw invalid(`"${key}" is not an S3 address setting: the ones there are ${S3_QUERY_KEYS.join(', ')}.`);
    }
    if (equals === -1) throw invalid(`${key} has no value: write ${key}=VALUE.`);
    if (query.has(key)) throw invalid(`${key} is given twice.`);
    query.set(key, decode(part.slice(equals + 1), key));
  }
  const endpointText = query.get('endpoint');
  let endpoint: string | undefined;
  if (endpointText !== undefined) {
    check(httpUrlProblem(endpointText, 'The endpoint'));
    const parsed = new URL(endpointText);
    endpoint = parsed.pathname === '/' ? parsed.origin : `${parsed.origin}${parsed.pathname.replace(/\/$/, '')}`;
  }
  const region = query.get('region') ?? DEFAULT_S3_REGION;
  check(regionProblem(region));
  const pathStyleText = query.get('path-style');
  if (pathStyleText !== undefined && pathStyleText !== 'true' && pathStyleText !== 'false') {
    throw invalid(`path-style is "${pathStyleText}": write path-style=true or path-style=false.`);
  }
  const pathStyle = pathStyleText === undefined ? endpoint !== undefined : pathStyleText === 'true';
  return { kind: 's3', bucket, prefix, region, ...(endpoint === undefined ? {} : { endpoint }), pathStyle };
}

function parseWebdav(raw: RawUrl, decode: Decode, check: Check, invalid: Invalid): WebdavAddress {
  if (raw.query !== undefined) throw invalid('A WebDAV address takes no ?query.');
  const protocol = raw.scheme === 'webdav+https' ? 'https' : 'http';
  const host = hostOf(raw, check);
  const port = portOf(raw, protocol === 'https' ? 443 : 80, check, invalid);
  checkDotSegments(raw.path, invalid);
  decode(raw.path, 'path');
  if (raw.path.includes('\\')) throw invalid('The path holds a backslash: write it as %5C.');
  if (/\/\//.test(raw.path)) throw invalid('The path has an empty segment (//).');
  const hostPart = isIPv6(host) ? `[${host}]` : host;
  const base = new URL(`${protocol}://${hostPart}:${String(port)}${raw.path}`);
  const url = `${base.origin}${base.pathname.endsWith('/') ? base.pathname : `${base.pathname}/`}`;
  if (raw.user === undefined) return { kind: 'webdav', url };
  const username = decode(raw.user, 'user name');
  check(userProblem(username));
  return { kind: 'webdav', url, username };
}

function splitUrl(url: string, invalid: Invalid): RawUrl {
  const schemeMatch = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(url);
  const scheme = schemeMatch?.[1]?.toLowerCase();
  if (scheme === undefined || schemeMatch === null) {
    throw invalid('It does not start with sftp://, s3://, webdav+https:// or webdav+http://.');
  }
  const rest = url.slice(schemeMatch[0].length);
  if (!['sftp', 's3', 'webdav+https', 'webdav+http'].includes(scheme)) {
    throw invalid(
      rest.startsWith('//') ? unknownSchemeHint(scheme) : 'It does not start with sftp://, s3://, webdav+https:// or webdav+http://.',
    );
  }
  if (!rest.startsWith('//')) {
    throw invalid(`Write it as a URL with // after "${scheme}:" (restic's sftp:user@host:/dir is sftp://user@host/dir here).`);
  }
  const hash = rest.indexOf('#');
  if (hash !== -1) throw invalid('It has a #fragment, which means nothing in a target address.');
  const afterSlashes = rest.slice(2);
  const authorityEnd = afterSlashes.search(/[/?]/);
  const authority = authorityEnd === -1 ? afterSlashes : afterSlashes.slice(0, authorityEnd);
  const tail = authorityEnd === -1 ? '' : afterSlashes.slice(authorityEnd);
  const question = tail.indexOf('?');
  const path = question === -1 ? tail : tail.slice(0, question);
  const query = question === -1 ? undefined : tail.slice(question + 1);
  const at = authority.lastIndexOf('@');
  const userinfo = at === -1 ? undefined : authority.slice(0, at);
  const hostPort = at === -1 ? authority : authority.slice(at + 1);
  let host: string;
  let port: string | undefined;
  if (hostPort.startsWith('[')) {
    const close = hostPort.indexOf(']');
    if (close === -1) throw invalid('An IPv6 address opens [ but never closes it.');
    host = hostPort.slice(1, close);
    if (!isIPv6(host)) throw invalid(`[${host}] is not an IPv6 address.`);
    const after = hostPort.slice(close + 1);
    if (after !== '' && !after.startsWith(':')) throw invalid(`Unexpected "${after}" after the IPv6 address.`);
    port = after === '' ? undefined : after.slice(1);
  } else {
    const colon = hostPort.indexOf(':');
    host = colon === -1 ? hostPort : hostPort.slice(0, colon);
    port = colon === -1 ? undefined : hostPort.slice(colon + 1);
  }
  const password = (userinfo !== undefined && userinfo.includes(':')) || passwordCandidate(url) !== undefined;
  return { scheme, user: password ? undefined : userinfo, password, host, port, path, query };
}

function unknownSchemeHint(scheme: string): string {
  const hints: Record<string, string> = {
    ssh: 'use sftp://',
    scp: 'use sftp://',
    webdav: 'say which: webdav+https:// or webdav+http://',
    dav: 'use webdav+http://',
    davs: 'use webdav+https://',
    https: 'for WebDAV write webdav+https://; for S3 write s3://BUCKET?endpoint=https://…',
    http: 'for WebDAV write webdav+http://; for S3 write s3://BUCKET?endpoint=http://…',
    s3s: 'use s3:// (the endpoint says https)',
  };
  const hint = hints[scheme] ?? 'the kinds are sftp://, s3://, webdav+https:// and webdav+http://';
  return `"${scheme}://" is not a kind of target: ${hint}.`;
}

function hostOf(raw: RawUrl, check: Check): string {
  if (raw.host === '') check('The host is missing.');
  check(hostProblem(raw.host));
  return raw.host;
}

function portOf(raw: RawUrl, fallback: number, check: Check, invalid: Invalid): number {
  if (raw.port === undefined) return fallback;
  if (!/^\d{1,5}$/.test(raw.port)) throw invalid(`The port "${raw.port}" is not a number from 1 to 65535.`);
  const port = Number(raw.port);
  check(portProblem(port));
  return port;
}

function checkDotSegments(path: string, invalid: Invalid): void {
  const segments = path.split('/').map((segment) => segment.replace(/%2e/gi, '.'));
  if (segments.some((segment) => segment === '.' || segment === '..')) throw invalid('The path holds a . or .. segment.');
}

/**
 * The URL that parses back to `address` (defaults left out: port 22, region us-east-1,
 * path-style when it is the default for the endpoint).
 */
export function formatTargetUrl(address: TargetAddress): string {
  if (address.kind === 'sftp') {
    const host = isIPv6(address.host) ? `[${address.host}]` : address.host;
    const port = address.port === DEFAULT_SFTP_PORT ? '' : `:${String(address.port)}`;
    let path: string;
    if (address.directory === '.') path = '/~';
    else if (!address.directory.startsWith('/')) path = `/~/${encodePath(address.directory)}`;
    else path = encodePath(address.directory).replace(/^\/~(?=\/|$)/, '/%7E');
    return `sftp://${encodeUserinfo(address.username)}@${host}${port}${path}`;
  }
  if (address.kind === 's3') {
    const query: string[] = [];
    if (address.endpoint !== undefined) query.push(`endpoint=${encodeQueryValue(address.endpoint)}`);
    if (address.region !== DEFAULT_S3_REGION) query.push(`region=${encodeQueryValue(address.region)}`);
    if (address.pathStyle !== (address.endpoint !== undefined)) query.push(`path-style=${String(address.pathStyle)}`);
    const prefix = address.prefix === '' ? '' : `/${encodePath(address.prefix)}`;
    return `s3://${address.bucket}${prefix}${query.length === 0 ? '' : `?${query.join('&')}`}`;
  }
  const url = new URL(address.url);
  const user = address.username === undefined ? '' : `${encodeUserinfo(address.username)}@`;
  return `webdav+${url.protocol}//${user}${url.host}${url.pathname}`;
}

/** Each segment percent-encoded, the slashes kept. */
function encodePath(path: string): string {
  return path
    .split('/')
    .map((segment) => encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
    .join('/');
}

function encodeUserinfo(text: string): string {
  return encodeURIComponent(text);
}

/** Readable for URLs (`:` and `/` kept), escaping what would end or split a query value. */
function encodeQueryValue(text: string): string {
  return encodeURIComponent(text).replace(/%3A/gi, ':').replace(/%2F/gi, '/');
}

/**
 * Where a password would be in `url`: the text between `//` and the last `@` before any `?`, when a
 * `:` comes before any `@` in it (`user:pass@`, also a password holding a `/`). Undefined otherwise.
 */
function passwordCandidate(url: string): { start: number; end: number } | undefined {
  const start = url.indexOf('//');
  if (start === -1) return undefined;
  const question = url.indexOf('?', start);
  const preQuery = question === -1 ? url : url.slice(0, question);
  const at = preQuery.lastIndexOf('@');
  if (at <= start) return undefined;
  const userinfo = preQuery.slice(start + 2, at);
  const colon = userinfo.indexOf(':');
  if (colon === -1 || userinfo.slice(0, colon).includes('@')) return undefined;
  return { start: start + 2 + colon + 1, end: at };
}

/** `url` as an error may show it: a password replaced by ***, control characters escaped, at most 200 characters. */
function shownUrl(url: unknown): string {
  if (typeof url !== 'string') return '(not text)';
  const candidate = passwordCandidate(url);
  const redacted = candidate === undefined ? url : `${url.slice(0, candidate.start)}***${url.slice(candidate.end)}`;
  const escaped = redacted.replace(new RegExp(CONTROL_CHARACTER.source, 'g'), escapeControl);
  return escaped.length > 200 ? `${escaped.slice(0, 200)}…` : escaped;
}

function escapeControl(character: string): string {
  return `\\x${character.charCodeAt(0).toString(16).padStart(2, '0')}`;
}
