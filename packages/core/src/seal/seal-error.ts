/** The coded errors of opening a sealed archive, each with a message a user can act on. */
import { LockerError, type LockerErrorCode } from '../errors.ts';

/** The codes `openSealedStream` fails with, besides SEAL_KEY_INVALID. */
export type SealFailureCode = Extract<
  LockerErrorCode,
  | 'SEAL_NOT_SEALED'
  | 'SEAL_ARMORED'
  | 'SEAL_WRONG_IDENTITY'
  | 'SEAL_WRONG_PASSPHRASE'
  | 'SEAL_NEEDS_PASSPHRASE'
  | 'SEAL_NEEDS_IDENTITY'
  | 'SEAL_TRUNCATED'
  | 'SEAL_DAMAGED'
>;

const MESSAGES: Record<SealFailureCode, string> = {
  SEAL_NOT_SEALED:
    'This file is not a sealed backup: it does not begin as an age-encrypted file does. If it is a plain backup (.tar.gz), open it as one.',
  SEAL_ARMORED:
    'This file is age-encrypted in text form (age -a, “BEGIN AGE ENCRYPTED FILE”), which sealed backups are not. Decrypt it with age -d and use the .tar.gz it gives.',
  SEAL_WRONG_IDENTITY:
    'The identity does not open this sealed backup: it was sealed for another key. Use the identity from the recovery kit that was current when this backup was made.',
  SEAL_WRONG_PASSPHRASE:
    'Wrong passphrase: it does not open this sealed backup. Enter the passphrase that was set when this backup was made.',
  SEAL_NEEDS_PASSPHRASE: 'This backup is sealed with a passphrase, not with an identity. Enter its passphrase.',
  SEAL_NEEDS_IDENTITY:
    'This backup is sealed for an age identity (a key file), not with a passphrase. Give the identity from the recovery kit.',
  SEAL_TRUNCATED:
    'The sealed backup ends too early, or its last part was changed (the check that protects it cannot tell the two apart): the copy is incomplete or damaged. Copy or download it again.',
  SEAL_DAMAGED:
    'The sealed backup is damaged: part of it fails its authenticity check, so it changed after it was sealed. Use another copy.',
};

/** A LockerError with `code` and its message; `where` says for logs which part of the file failed. */
export function sealError(code: SealFailureCode, where: string, cause?: unknown): LockerError {
  return new LockerError(code, MESSAGES[code], { details: { where }, ...(cause === undefined ? {} : { cause }) });
}
