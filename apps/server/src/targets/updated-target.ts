/**
 * An edit of a stored target: the form's draft over what is stored. Secrets are write-only, so a
 * secret the form leaves out or empty keeps its stored value (even one that no longer decrypts,
 * which stays marked unusable until it is entered again); the id and createdAt stay. The SFTP host
 * key: absent keeps the pinned one, null forgets it, a fingerprint pins it (accepting a changed key).
 */
import { TARGET_SECRETS, type TargetConfig, type TargetSecretName } from '@evidence-locker/core';
import { draftTarget, type TargetDraft } from './target-draft.ts';

/** `existing` changed as `draft` says; INVALID_ARGUMENT naming the field (core's newTarget). */
export function updatedTarget(existing: TargetConfig, draft: TargetDraft): TargetConfig {
  const sameKind = existing.kind === draft.address.kind;
  const stored = existing.secrets as Partial<Record<TargetSecretName, string>>;
  const secrets: Partial<Record<TargetSecretName, string>> = { ...draft.secrets };
  const carried: Partial<Record<TargetSecretName, string>> = {};
  if (sameKind) {
    for (const name of TARGET_SECRETS[existing.kind]) {
      const given = secrets[name];
      if (given !== undefined && given !== '') continue;
      const value = stored[name];
      const token = existing.undecryptedSecrets?.[name];
      if (value !== undefined) secrets[name] = value;
      else if (token !== undefined) {
        // Stands in for the token while the draft is checked; the token is written back as it was.
        secrets[name] = 'undecryptable';
        carried[name] = token;
      }
    }
  }
  let hostKeyFingerprint = draft.hostKeyFingerprint;
  if (hostKeyFingerprint === undefined && sameKind && existing.kind === 'sftp') hostKeyFingerprint = existing.hostKeyFingerprint ?? null;
  const target = draftTarget(
    { ...draft, secrets, hostKeyFingerprint },
    { id: existing.id, name: draft.name ?? existing.name, now: new Date(existing.createdAt) },
  );
  const result: TargetConfig = { ...target, createdAt: existing.createdAt };
  const carriedNames = Object.keys(carried) as TargetSecretName[];
  if (carriedNames.length > 0) {
    const plain = { ...(result.secrets as Partial<Record<TargetSecretName, string>>) };
    for (const name of carriedNames) delete plain[name];
    (result as { secrets: Partial<Record<TargetSecretName, string>> }).secrets = plain;
    result.undecryptedSecrets = carried;
    if (existing.unusable !== undefined) result.unusable = existing.unusable;
  }
  return result;
}
