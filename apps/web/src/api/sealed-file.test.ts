import { describe, expect, it } from 'vitest';
import {
  base64Utf8,
  isSealKeyCode,
  keyFileProblem,
  readSealedFile,
  emptySealKeyDraft,
  sealKeyOfDraft,
  sealUploadHeaders,
  sealedFileKind,
  sealedWithOfRefusal,
} from './sealed-file.ts';

const bytes = (text: string, tail: number[] = []) => new Uint8Array([...Buffer.from(text, 'latin1'), ...tail]);

// Headers as Debian's `age` writes them (age -r … and age -p), then the first payload bytes.
const IDENTITY_HEAD =
  'age-encryption.org/v1\n-> X25519 Xgd5BVFBd2ijywaesNRf8Azei7+KT6VeiFtZaSEL3HI\nLWkoeXea6zBs1/n/cRnePbcW8gpecDwE75Yzx72Y/+k\n--- GwAmEX5dSzlWdVAtCahY98lEwy2PUUV+J36Uds9V4Cs\n';
const PASSPHRASE_HEAD =
  'age-encryption.org/v1\n-> scrypt kR2pZCj8NcNA1Yq+KZ1Pmw 18\nm0rH2Ei3Ac07xTCGqGvHuAeO2vqbHMfBB7aFRqCmUNo\n--- 6N8aXJeBKm/6a/2IKyGaWeB4oYgF4e7OLX8uwEhJ9uo\n';
const GZIP_HEAD = [0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0, 0x03];

describe('sealedFileKind', () => {
  it('knows an identity-sealed backup by its X25519 stanza', () => {
    expect(sealedFileKind(bytes(IDENTITY_HEAD, [0xf3, 0x00, 0x9a]), 'docsight_backup_2026-01-02_030405.tar.gz.age')).toEqual({
      sealed: true,
      sealedWith: 'identity',
    });
  });

  it('knows a passphrase-sealed backup by its scrypt stanza, whatever its name', () => {
    expect(sealedFileKind(bytes(PASSPHRASE_HEAD, [0x01]), 'backup.bin')).toEqual({ sealed: true, sealedWith: 'passphrase' });
  });

  it('treats a plain gzip archive as plain', () => {
    expect(sealedFileKind(new Uint8Array(GZIP_HEAD), 'docsight_backup_2026-01-02_030405.tar.gz')).toEqual({
      sealed: false,
      sealedWith: null,
    });
  });

  it('treats a .age name as sealed even when its bytes are not age (the server then says what it is)', () => {
    expect(sealedFileKind(new Uint8Array(GZIP_HEAD), 'renamed.tar.gz.AGE')).toEqual({ sealed: true, sealedWith: null });
  });

  it('says sealed but not how when the header is cut before its MAC line', () => {
    expect(sealedFileKind(bytes(IDENTITY_HEAD.slice(0, 60)), 'x.tar.gz')).toEqual({ sealed: true, sealedWith: null });
  });

  it('does not take the armored form or a bare prefix of the version line for a sealed file', () => {
    expect(sealedFileKind(bytes('-----BEGIN AGE ENCRYPTED FILE-----\n'), 'x.tar.gz').sealed).toBe(false);
    expect(sealedFileKind(bytes('age-encryption.org/'), 'x.tar.gz').sealed).toBe(false);
  });
});

describe('readSealedFile', () => {
  it("reads only the file's first bytes", async () => {
    const file = new File([bytes(PASSPHRASE_HEAD), new Uint8Array(100_000)], 'a.tar.gz.age');
    expect(await readSealedFile(file)).toEqual({ sealed: true, sealedWith: 'passphrase' });
  });
});

describe('sealUploadHeaders', () => {
  it('names the file, and sends nothing else for a plain file', () => {
    expect(sealUploadHeaders('my backup (1).tar.gz')).toEqual({ 'X-Archive-Name': 'my%20backup%20(1).tar.gz' });
  });

  it("carries an identity as base64 of its UTF-8 text, the kit's comments included", () => {
    const kit = '# Recovery kit — Wiederherstellung\nAGE-SECRET-KEY-1ABC\n';
    const headers = sealUploadHeaders('b.tar.gz.age', { identity: kit });
    expect(Buffer.from(headers['X-Seal-Identity']!, 'base64').toString('utf8')).toBe(kit);
    expect(headers['X-Seal-Passphrase']).toBeUndefined();
  });

  it('carries a passphrase with any character as base64 of UTF-8', () => {
    const headers = sealUploadHeaders('b.tar.gz.age', { passphrase: 'Grüße aus Köln 🔑' });
    expect(headers['X-Seal-Passphrase']).toBe(Buffer.from('Grüße aus Köln 🔑', 'utf8').toString('base64'));
    expect(headers['X-Seal-Identity']).toBeUndefined();
  });

  it('base64Utf8 matches Node for ASCII and beyond', () => {
    for (const text of ['', 'a', 'ab', 'abc', 'ä€𝄞']) expect(base64Utf8(text)).toBe(Buffer.from(text, 'utf8').toString('base64'));
  });
});

describe('refusals that ask for a key', () => {
  it('are the missing, wrong and malformed key codes, not a damaged file', () => {
    for (const code of ['SEAL_KEY_REQUIRED', 'SEAL_WRONG_IDENTITY', 'SEAL_WRONG_PASSPHRASE', 'SEAL_NEEDS_IDENTITY', 'SEAL_KEY_INVALID']) {
      expect(isSealKeyCode(code)).toBe(true);
    }
    for (const code of ['SEAL_TRUNCATED', 'SEAL_DAMAGED', 'ARCHIVE_NOT_GZIP', undefined, null]) expect(isSealKeyCode(code)).toBe(false);
  });

  it('say which key they want', () => {
    expect(sealedWithOfRefusal('SEAL_KEY_REQUIRED', { sealedWith: 'passphrase' })).toBe('passphrase');
    expect(sealedWithOfRefusal('SEAL_KEY_REQUIRED', {})).toBeNull();
    expect(sealedWithOfRefusal('SEAL_KEY_REQUIRED', {}, 'identity')).toBe('identity');
    expect(sealedWithOfRefusal('SEAL_WRONG_PASSPHRASE')).toBe('passphrase');
    expect(sealedWithOfRefusal('SEAL_NEEDS_IDENTITY', {}, 'passphrase')).toBe('identity');
  });
});

describe('sealKeyOfDraft', () => {
  const draft = { ...emptySealKeyDraft(), identityText: ' AGE-SECRET-KEY-1X \n', passphrase: ' spaces count ' };

  it('takes the entered key of the kind the header says, and nothing blank', () => {
    expect(sealKeyOfDraft(draft, 'identity')).toEqual({ identity: ' AGE-SECRET-KEY-1X \n' });
    expect(sealKeyOfDraft(draft, 'passphrase')).toEqual({ passphrase: ' spaces count ' });
    expect(sealKeyOfDraft({ ...draft, identityText: '  \n' }, 'identity')).toBeNull();
    expect(sealKeyOfDraft({ ...draft, passphrase: '' }, 'passphrase')).toBeNull();
  });

  it('takes a chosen key file over the pasted text', () => {
    expect(sealKeyOfDraft({ ...draft, keyFile: { name: 'kit.txt', text: '# kit\nAGE-SECRET-KEY-1K\n' } }, 'identity')).toEqual({
      identity: '# kit\nAGE-SECRET-KEY-1K\n',
    });
  });

  it("follows the user's choice when the header does not say", () => {
    expect(sealKeyOfDraft({ ...draft, chosen: 'passphrase' }, null)).toEqual({ passphrase: ' spaces count ' });
    expect(sealKeyOfDraft({ ...draft, chosen: 'passphrase' }, 'identity')).toEqual({ identity: ' AGE-SECRET-KEY-1X \n' });
  });
});

describe('keyFileProblem', () => {
  it('takes a kit-sized file, and refuses an empty one or one far larger than any key file (a backup chosen by mistake)', () => {
    expect(keyFileProblem(412)).toBeNull();
    expect(keyFileProblem(0)).toBe('empty');
    expect(keyFileProblem(5_000_000)).toBe('tooLarge');
  });
});
