import { generateX25519Identity, identityToRecipient } from 'age-encryption';

/** A new X25519 key pair in age's text forms. */
export interface SealIdentity {
  /** The secret that opens sealed archives: `AGE-SECRET-KEY-1…` (what `age-keygen` writes). */
  identity: string;
  /** The public half that seals: `age1…` (what `age -r` takes). */
  recipient: string;
}

/**
 * A new random X25519 identity and its recipient, as `age-keygen` makes them. Always X25519 (never
 * age's post-quantum hybrid), so Debian's `age` 1.1.1 opens what it seals.
 */
export async function generateSealIdentity(): Promise<SealIdentity> {
  const identity = await generateX25519Identity();
  return { identity, recipient: await identityToRecipient(identity) };
}
