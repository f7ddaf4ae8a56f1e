/**
 * The choice made when sealing is turned on or its key changed: a generated key (the default), or
 * a passphrase typed twice. What is wrong with it, and what seal.prepare is sent. Nothing is saved
 * by seal.prepare: the choice takes effect only once the user confirms they kept the recovery kit.
 */
import type { SealPrepareInput } from '../../api/server-types.ts';
import type { MessageKey } from '../../i18n/message-schema.ts';

/** The shortest passphrase taken (the server holds the same limit). */
export const SEAL_PASSPHRASE_MIN = 12;

/** The form's fields. */
export interface SealChoiceForm {
  mode: 'identity' | 'passphrase';
  passphrase: string;
  repeat: string;
}

export type SealChoiceErrors = Partial<Record<'passphrase' | 'repeat', MessageKey>>;

/** A fresh choice: a generated key. */
export function emptySealChoice(): SealChoiceForm {
  return { mode: 'identity', passphrase: '', repeat: '' };
}

/** Problems of the choice: a passphrase of at least 12 characters, typed the same twice. */
export function validateSealChoice(form: SealChoiceForm): SealChoiceErrors {
  if (form.mode !== 'passphrase') return {};
  const errors: SealChoiceErrors = {};
  // Characters as a person counts them (an emoji is one), not UTF-16 units.
  if ([...form.passphrase].length < SEAL_PASSPHRASE_MIN) errors.passphrase = 'settings.seal.passphraseShort';
  else if (form.repeat !== form.passphrase) errors.repeat = 'settings.seal.passphraseMismatch';
  return errors;
}

/** What seal.prepare is sent for a valid choice. */
export function sealPrepareInput(form: SealChoiceForm): SealPrepareInput {
  return form.mode === 'passphrase' ? { mode: 'passphrase', passphrase: form.passphrase } : { mode: 'identity' };
}
