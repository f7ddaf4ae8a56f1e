/**
 * A verify or a restore of a sealed backup refused for its key (missing, wrong, malformed): what
 * the list needs to ask for the key again. The list's key prompt (SettingsBackupList) holds it.
 */
import { sealedWithOfRefusal, type SealedWith } from '../../api/sealed-file.ts';

/** The server's refusal of a key, with its text in the user's language. */
export interface SealRefusal {
  code: string | undefined;
  details: Record<string, string | number>;
  message: string;
}

/** Which action on which backup waits for its key, and why the last key was refused (null: none was tried). */
export interface SealKeyPrompt {
  action: 'verify' | 'restore';
  fileName: string;
  sealedWith: SealedWith | null;
  error: string | null;
  /** True while the action runs with the key entered (the prompt is closed meanwhile). */
  trying: boolean;
}

/**
 * The prompt after `refusal` of `action` on `fileName`: which key it asks for (the refusal names
 * it, or the backup's header as the list read it, `listed`), and why the key was refused once the
 * user gave one (`triedKey`). The first refusal, with this instance's own keys, shows no error: the
 * prompt itself says the backup is sealed and asks for its key.
 */
export function sealKeyPrompt(
  action: SealKeyPrompt['action'],
  fileName: string,
  refusal: SealRefusal,
  listed: SealedWith | null,
  triedKey: boolean,
): SealKeyPrompt {
  return {
    action,
    fileName,
    sealedWith: sealedWithOfRefusal(refusal.code, refusal.details, listed),
    error: triedKey ? refusal.message : null,
    trying: false,
  };
}
