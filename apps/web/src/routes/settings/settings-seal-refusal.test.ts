import { describe, expect, it } from 'vitest';
import { sealKeyPrompt } from './settings-seal-refusal.ts';

const NAME = 'docsight_backup_2026-01-02_030405.tar.gz.age';

describe('sealKeyPrompt', () => {
  it("asks without an error when this instance's own keys did not open the backup", () => {
    const refusal = { code: 'SEAL_KEY_REQUIRED', details: { sealedWith: 'passphrase' }, message: 'This backup is sealed.' };
    expect(sealKeyPrompt('restore', NAME, refusal, 'identity', false)).toEqual({
      action: 'restore',
      fileName: NAME,
      sealedWith: 'passphrase',
      error: null,
      trying: false,
    });
  });

  it('shows why a key the user gave was refused, and asks for the kind the refusal names', () => {
    const refusal = { code: 'SEAL_WRONG_PASSPHRASE', details: {}, message: 'Wrong passphrase.' };
    expect(sealKeyPrompt('verify', NAME, refusal, null, true)).toMatchObject({ sealedWith: 'passphrase', error: 'Wrong passphrase.' });
  });

  it("falls back to the kind the list read from the backup's header", () => {
    const refusal = { code: 'SEAL_KEY_INVALID', details: {}, message: 'Not a key.' };
    expect(sealKeyPrompt('verify', NAME, refusal, 'identity', true)).toMatchObject({ sealedWith: 'identity', error: 'Not a key.' });
  });
});
