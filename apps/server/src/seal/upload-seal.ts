/**
 * How an uploaded archive (POST /api/uploads, POST /api/backups/upload) is opened when it is sealed,
 * from the request's headers:
 * - `X-Archive-Name`: the picked file's name, percent-encoded. What it promises is checked against
 *   the bytes (core's sealExpectationOf: a `.age` name must be sealed, a `.tar.gz` name plain).
 *   The backup upload's older `X-File-Name` counts the same when `X-Archive-Name` is absent.
 * - `X-Seal-Identity`: base64 of the UTF-8 identity text (a pasted AGE-SECRET-KEY-1… line, or the
 *   content of a recovery kit or an age-keygen file).
 * - `X-Seal-Passphrase`: base64 of the UTF-8 passphrase.
 * Base64 keeps any character a header cannot carry. Without a key header the instance's own keys
 * are used (open-key.ts), so an instance restores its own sealed backups without being told.
 * A malformed key header is SEAL_KEY_INVALID (400) before anything is read; the key itself is never
 * logged.
 */
import path from 'node:path';
import type { IncomingHttpHeaders } from 'node:http';
import { LockerError, sealExpectationOf, type OpenKey, type SealExpectation, type SealSettings } from '@evidence-locker/core';
import { instanceOpenKey, openKeyOfInput } from './open-key.ts';

/** The seal options of one upload. */
export interface UploadSeal {
  /** The picked file's name (no directory part), if the client told it. */
  archiveName: string | undefined;
  /** What the name promises. */
  expect: SealExpectation;
  /** The key that opens it, if it is sealed: the request's, else the instance's (undefined: none). */
  key: OpenKey | undefined;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function keyInvalid(message: string): LockerError {
  return new LockerError('SEAL_KEY_INVALID', message);
}

/** A single header value, or undefined; a repeated header is refused as `what`. */
function single(headers: IncomingHttpHeaders, name: string, what: string): string | undefined {
  const value = headers[name];
  if (Array.isArray(value)) throw keyInvalid(`${what} was sent more than once; send it once.`);
  return value === undefined || value === '' ? undefined : value;
}

/** The UTF-8 text of a base64 header value; SEAL_KEY_INVALID when it is not base64 of UTF-8 text. */
function decodeBase64Text(value: string, header: string): string {
  const compact = value.trim();
  if (compact.length % 4 !== 0 || !BASE64.test(compact)) {
    throw keyInvalid(`The ${header} header is not base64: send the key's UTF-8 text encoded as base64.`);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(compact, 'base64'));
  } catch {
    throw keyInvalid(`The ${header} header is not base64 of UTF-8 text: send the key's UTF-8 text encoded as base64.`);
  }
}

/** The picked file's name from `X-Archive-Name` (else `X-File-Name`), percent-decoded, without any directory. */
export function archiveNameOf(headers: IncomingHttpHeaders): string | undefined {
  const header = single(headers, 'x-archive-name', 'X-Archive-Name') ?? single(headers, 'x-file-name', 'X-File-Name');
  if (header === undefined) return undefined;
  try {
    const name = path.basename(decodeURIComponent(header));
    return name === '' ? undefined : name;
  } catch {
    return undefined;
  }
}

/** The key the request gives in `X-Seal-Identity` or `X-Seal-Passphrase`, or undefined. */
export function requestOpenKey(headers: IncomingHttpHeaders): OpenKey | undefined {
  const identity = single(headers, 'x-seal-identity', 'X-Seal-Identity');
  const passphrase = single(headers, 'x-seal-passphrase', 'X-Seal-Passphrase');
  if (identity !== undefined && passphrase !== undefined) {
    throw keyInvalid('Send either X-Seal-Identity or X-Seal-Passphrase, not both: a sealed backup opens with one kind of key.');
  }
  if (identity !== undefined) return openKeyOfInput({ identity: decodeBase64Text(identity, 'X-Seal-Identity') });
  if (passphrase !== undefined) {
    const text = decodeBase64Text(passphrase, 'X-Seal-Passphrase');
    if (text === '') throw keyInvalid('The passphrase is empty. Enter the passphrase the backup was sealed with.');
    return { passphrase: text };
  }
  return undefined;
}

/** The seal options of an upload with `headers`, on an instance with `settings` (see the file comment). */
export function uploadSealOf(headers: IncomingHttpHeaders, settings: SealSettings): UploadSeal {
  const archiveName = archiveNameOf(headers);
  return {
    archiveName,
    expect: sealExpectationOf(archiveName),
    key: requestOpenKey(headers) ?? instanceOpenKey(settings, null),
  };
}
