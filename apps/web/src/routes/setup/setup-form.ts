/**
 * The new-setup form (modem, admin password, review) as plain data and rules, so the steps stay
 * markup and the rules are tested without a browser. The server checks the same rules again
 * (setup.completeSetup's zod schema); these only catch mistakes before the review step.
 */
import type { CompleteSetupInput, ModemTypeOption } from '../../api/server-types.ts';
import type { MessageKey } from '../../i18n/message-schema.ts';

/** The wizard's steps for a new setup, in order. */
export const SETUP_STEPS = ['modem', 'security', 'review'] as const;
export type SetupStep = (typeof SETUP_STEPS)[number];

/** What the user typed. */
export interface SetupForm {
  modemType: string;
  modemUrl: string;
  modemUser: string;
  modemPassword: string;
  adminPassword: string;
  adminPasswordConfirm: string;
}

/** A field's problem, as a message key. */
export type SetupFormErrors = Partial<Record<keyof SetupForm, MessageKey>>;

/** The minimum admin password length (the server's rule). */
export const ADMIN_PASSWORD_MIN = 8;

/** An empty form. */
export function emptySetupForm(): SetupForm {
  return { modemType: '', modemUrl: '', modemUser: '', modemPassword: '', adminPassword: '', adminPasswordConfirm: '' };
}

/**
 * Sets the modem type and suggests its default URL, unless the user typed an address of their own
 * (the URL is replaced only while it is empty or still the previous type's default).
 */
export function chooseModemType(form: SetupForm, key: string, types: readonly ModemTypeOption[]): SetupForm {
  const previous = types.find((type) => type.key === form.modemType)?.defaultUrl ?? '';
  const next = types.find((type) => type.key === key)?.defaultUrl ?? '';
  const keepUrl = form.modemUrl.trim() !== '' && form.modemUrl.trim() !== previous;
  return { ...form, modemType: key, modemUrl: keepUrl ? form.modemUrl : next };
}

/** Problems of the modem step (type chosen, URL with http(s) and a host). */
export function validateModemStep(form: SetupForm): SetupFormErrors {
  const errors: SetupFormErrors = {};
  if (form.modemType === '') errors.modemType = 'setup.error.modemType';
  if (!/^https?:\/\/[^\s/]+/i.test(form.modemUrl.trim())) errors.modemUrl = 'setup.error.url';
  return errors;
}

/** Problems of the security step: an admin password is optional, but then long enough and confirmed. */
export function validateSecurityStep(form: SetupForm): SetupFormErrors {
  const errors: SetupFormErrors = {};
  if (form.adminPassword === '' && form.adminPasswordConfirm === '') return errors;
  if (form.adminPassword.length < ADMIN_PASSWORD_MIN) errors.adminPassword = 'setup.error.passwordShort';
  else if (form.adminPassword !== form.adminPasswordConfirm) errors.adminPasswordConfirm = 'setup.error.passwordMismatch';
  return errors;
}

/** The problems that keep the user on `step`. */
export function validateStep(step: SetupStep, form: SetupForm): SetupFormErrors {
  if (step === 'modem') return validateModemStep(form);
  if (step === 'security') return validateSecurityStep(form);
  return { ...validateModemStep(form), ...validateSecurityStep(form) };
}

/** True when `errors` has no problem. */
export function isValid(errors: SetupFormErrors): boolean {
  return Object.keys(errors).length === 0;
}

/**
 * The setup.completeSetup input for a valid form (no admin password when left empty). The modem
 * type is one the select offered from setup.modemTypes; the server refuses any other.
 */
export function toCompleteSetupInput(form: SetupForm): CompleteSetupInput {
  return {
    modemType: form.modemType as CompleteSetupInput['modemType'],
    modemUrl: form.modemUrl.trim(),
    modemUser: form.modemUser,
    modemPassword: form.modemPassword,
    ...(form.adminPassword === '' ? {} : { adminPassword: form.adminPassword }),
  };
}
