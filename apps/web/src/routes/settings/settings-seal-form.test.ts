import { describe, expect, it } from 'vitest';
import { emptySealChoice, sealPrepareInput, validateSealChoice } from './settings-seal-form.ts';

describe('validateSealChoice', () => {
  it('needs nothing typed for a generated key', () => {
    expect(validateSealChoice(emptySealChoice())).toEqual({});
  });

  it('refuses a passphrase shorter than 12 characters, counting an emoji as one', () => {
    expect(validateSealChoice({ mode: 'passphrase', passphrase: 'elevenchars', repeat: 'elevenchars' })).toEqual({
      passphrase: 'settings.seal.passphraseShort',
    });
    expect(validateSealChoice({ mode: 'passphrase', passphrase: 'elevenchars🔑', repeat: 'elevenchars🔑' })).toEqual({});
    expect(validateSealChoice({ mode: 'passphrase', passphrase: '🔑🔑🔑🔑🔑🔑', repeat: '🔑🔑🔑🔑🔑🔑' })).toEqual({
      passphrase: 'settings.seal.passphraseShort',
    });
  });

  it('refuses two passphrases that differ', () => {
    expect(validateSealChoice({ mode: 'passphrase', passphrase: 'correct horse battery', repeat: 'correct horse batery' })).toEqual({
      repeat: 'settings.seal.passphraseMismatch',
    });
  });
});

describe('sealPrepareInput', () => {
  it('sends the passphrase only when one is chosen', () => {
    expect(sealPrepareInput({ mode: 'identity', passphrase: 'left over from before', repeat: '' })).toEqual({ mode: 'identity' });
    expect(sealPrepareInput({ mode: 'passphrase', passphrase: 'correct horse battery', repeat: 'correct horse battery' })).toEqual({
      mode: 'passphrase',
      passphrase: 'correct horse battery',
    });
  });
});
