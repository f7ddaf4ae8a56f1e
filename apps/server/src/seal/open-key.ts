/**
 * The key that opens a sealed backup for one request: the key the request gives (a pasted identity,
 * the text of a recovery kit or an age-keygen file, or a passphrase) when it gives one, for backups
 * sealed with a key this instance does not hold; else the keys the instance holds (its current
 * identity and every retired one, or its passphrase). Used by verify, restore and both uploads.
 */
import { openKeyOf, parseIdentityText, peekSealedWith, type OpenKey, type SealedWith, type SealSettings } from '@evidence-locker/core';
import { z } from 'zod';

/** A key given with a request: `{ identity }` (identity text or a kit's content) or `{ passphrase }`. */
export const OpenKeyInputSchema = z.union([
  z
    .object({
      identity: z
        .string()
        .min(1, { error: 'Paste the identity (AGE-SECRET-KEY-1…) or give the recovery kit.' })
        .max(64 * 1024, { error: 'An identity file is at most 64 KiB; give the recovery kit or the AGE-SECRET-KEY-1… line.' }),
    })
    .strict(),
  z
    .object({
      passphrase: z
        .string()
        .min(1, { error: 'Enter the passphrase the backup was sealed with.' })
        .max(1024, { error: 'A passphrase has at most 1024 characters.' }),
    })
    .strict(),
]);
export type OpenKeyInput = z.infer<typeof OpenKeyInputSchema>;

/** The OpenKey of a key given with a request; SEAL_KEY_INVALID when the identity text holds none. */
export function openKeyOfInput(input: OpenKeyInput): OpenKey {
  if ('identity' in input) return { identities: parseIdentityText(input.identity) };
  return { passphrase: input.passphrase };
}

/**
 * The instance's key for a backup sealed `sealedWith`. When that is not known yet (an upload, whose
 * header arrives with the body), the kind of key the instance seals with now comes first.
 */
export function instanceOpenKey(settings: SealSettings, sealedWith: SealedWith | null): OpenKey | undefined {
  if (sealedWith !== null) return openKeyOf(settings, sealedWith);
  if (settings.mode === 'passphrase') return openKeyOf(settings, 'passphrase') ?? openKeyOf(settings, 'identity');
  return openKeyOf(settings, null);
}

/**
 * The key for the archive at `archivePath`: `explicit` when given, else the instance's for the kind
 * of key the archive's header names (undefined for a plain archive, or when the instance holds no
 * such key: the reader then says SEAL_KEY_REQUIRED).
 */
export async function openKeyFor(settings: SealSettings, archivePath: string, explicit?: OpenKeyInput): Promise<OpenKey | undefined> {
  if (explicit !== undefined) return openKeyOfInput(explicit);
  // A plain archive ignores the key; a header that does not say which key it needs gets the instance's best guess.
  return instanceOpenKey(settings, await peekSealedWith(archivePath));
}
