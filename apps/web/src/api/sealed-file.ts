/**
 * What the browser can tell about a backup file before it sends it, and the headers that carry
 * its key. A sealed backup is an age file (https://age-encryption.org/v1): its first line is
 * `age-encryption.org/v1`, then one `-> <kind> …` stanza per way its key is wrapped (`scrypt` for
 * a passphrase, `X25519` for an identity), then the `--- ` MAC line. Reading that header needs no
 * key, so the wizard and the settings ask for the right key before the upload, not after it.
 * Pure functions, plus `readSealedFile` reading a File's first bytes.
 */

/** How a sealed backup's key is held: an age identity (the recovery kit) or a passphrase. */
export type SealedWith = 'identity' | 'passphrase';

/** The key the user gives for a sealed backup: an identity (a kit's or key file's text, or pasted), or a passphrase. */
export type SealKeyInput = { identity: string } | { passphrase: string };

/** What a file's first bytes and name say. */
export interface SealedFileKind {
  /** True for an age file, or a file whose name ends in `.age`. */
  sealed: boolean;
  /** How it is sealed, when its header says so; null for a plain file or a header that does not. */
  sealedWith: SealedWith | null;
}

/** How many leading bytes to read: more than any header this product or age writes for one key. */
export const SEALED_HEAD_BYTES = 4096;

const SEALED_MAGIC = 'age-encryption.org/v1\n';

/**
 * Whether a file with `head` (its first bytes, up to SEALED_HEAD_BYTES) and `fileName` is sealed,
 * and how. A file is sealed when it begins with age's version line, or when its name ends in
 * `.age` (the server then says what is wrong with a file that is not). `sealedWith` is
 * `passphrase` when a stanza is `scrypt` (age allows nothing beside it), `identity` for any other
 * stanza, null when the header is not all there or not age's.
 */
export function sealedFileKind(head: Uint8Array, fileName: string): SealedFileKind {
  const text = latin1(head);
  const byName = fileName.toLowerCase().endsWith('.age');
  if (!text.startsWith(SEALED_MAGIC)) return { sealed: byName, sealedWith: null };
  const end = text.indexOf('\n--- ');
  if (end === -1) return { sealed: true, sealedWith: null };
  const kinds = text
    .slice(SEALED_MAGIC.length, end)
    .split('\n')
    .filter((line) => line.startsWith('-> '))
    .map((line) => line.split(' ')[1] ?? '');
  if (kinds.length === 0) return { sealed: true, sealedWith: null };
  return { sealed: true, sealedWith: kinds.includes('scrypt') ? 'passphrase' : 'identity' };
}

/** Reads the first bytes of `file` and says whether it is sealed, and how. */
export async function readSealedFile(file: Blob & { name: string }): Promise<SealedFileKind> {
  const head = new Uint8Array(await file.slice(0, SEALED_HEAD_BYTES).arrayBuffer());
  return sealedFileKind(head, file.name);
}

/**
 * The request headers of an upload: `X-Archive-Name` (the file's name, URI-encoded) and, for a
 * sealed file, its key as base64 of its UTF-8 text (`X-Seal-Identity` or `X-Seal-Passphrase`), so
 * any character survives the trip in a header.
 */
export function sealUploadHeaders(fileName: string, key: SealKeyInput | null = null): Record<string, string> {
  const headers: Record<string, string> = {};
  if (fileName !== '') headers['X-Archive-Name'] = encodeURIComponent(fileName);
  if (key === null) return headers;
  if ('identity' in key) headers['X-Seal-Identity'] = base64Utf8(key.identity);
  else headers['X-Seal-Passphrase'] = base64Utf8(key.passphrase);
  return headers;
}

/** base64 of `text`'s UTF-8 bytes. */
export function base64Utf8(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** The error codes that mean the key was missing or wrong: the user fixes the key and tries again. */
export const SEAL_KEY_CODES: ReadonlySet<string> = new Set([
  'SEAL_KEY_REQUIRED',
  'SEAL_WRONG_IDENTITY',
  'SEAL_WRONG_PASSPHRASE',
  'SEAL_NEEDS_PASSPHRASE',
  'SEAL_NEEDS_IDENTITY',
  'SEAL_KEY_INVALID',
]);

/** True when a refusal with `code` is answered by giving (another) key. */
export function isSealKeyCode(code: string | undefined | null): boolean {
  return typeof code === 'string' && SEAL_KEY_CODES.has(code);
}

/**
 * Which key a refusal with `code` and `details` asks for: the kind it names (SEAL_KEY_REQUIRED's
 * `details.sealedWith`, or the kind a NEEDS_/WRONG_ code implies), else `fallback`.
 */
export function sealedWithOfRefusal(
  code: string | undefined | null,
  details: Record<string, unknown> = {},
  fallback: SealedWith | null = null,
): SealedWith | null {
  const named = details['sealedWith'];
  if (named === 'identity' || named === 'passphrase') return named;
  if (code === 'SEAL_NEEDS_PASSPHRASE' || code === 'SEAL_WRONG_PASSPHRASE') return 'passphrase';
  if (code === 'SEAL_NEEDS_IDENTITY' || code === 'SEAL_WRONG_IDENTITY') return 'identity';
  return fallback;
}

/** What the user entered for a key, kept while a refused key is fixed (SealKeyEntry edits it). */
export interface SealKeyDraft {
  /** The kind the user chose, for a backup whose header does not say. */
  chosen: SealedWith;
  /** The identity as pasted. */
  identityText: string;
  /** A key file chosen instead (a recovery kit, an age-keygen file), read as text. */
  keyFile: { name: string; text: string } | null;
  passphrase: string;
}

/** Nothing entered yet. */
export function emptySealKeyDraft(): SealKeyDraft {
  return { chosen: 'identity', identityText: '', keyFile: null, passphrase: '' };
}

/**
 * The key `draft` holds for a backup sealed as `sealedWith` (null: the kind the user chose): the
 * key file's text or else the pasted identity, or the passphrase; null while that is blank.
 */
export function sealKeyOfDraft(draft: SealKeyDraft, sealedWith: SealedWith | null): SealKeyInput | null {
  const kind = sealedWith ?? draft.chosen;
  if (kind === 'identity') {
    const text = draft.keyFile?.text ?? draft.identityText;
    return text.trim() === '' ? null : { identity: text };
  }
  return draft.passphrase === '' ? null : { passphrase: draft.passphrase };
}

/** The largest file taken as a key file: a recovery kit or an age-keygen file is well under 2 KiB. */
export const KEY_FILE_MAX_BYTES = 16 * 1024;

/** Why a file the user chose as a key file is not taken, or null when it may be one (the server reads it). */
export function keyFileProblem(size: number): 'tooLarge' | 'empty' | null {
  if (size === 0) return 'empty';
  return size > KEY_FILE_MAX_BYTES ? 'tooLarge' : null;
}

function latin1(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return text;
}
