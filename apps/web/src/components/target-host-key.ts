/**
 * What Test connection (or the wizard's listing) says about an SFTP server's host key: unknown
 * (first contact: show its fingerprint, "Accept this host key" tests again with it pinned) or
 * changed since it was pinned (explain, and accept only after a confirmation). Read from the
 * refusal's code and details (TARGET_HOST_KEY_UNKNOWN: `fingerprint`; TARGET_HOST_KEY_CHANGED:
 * `expected`, `presented`).
 */
import type { ServerFailure } from '../api/error-message.ts';

export type HostKeyQuestion = { state: 'unknown'; fingerprint: string } | { state: 'changed'; fingerprint: string; expected: string };

/** The host key question in `failure`, or null when it is about something else. */
export function hostKeyQuestion(failure: ServerFailure | null | undefined): HostKeyQuestion | null {
  if (!failure) return null;
  const { code, details } = failure;
  if (code === 'TARGET_HOST_KEY_UNKNOWN' && typeof details['fingerprint'] === 'string') {
    return { state: 'unknown', fingerprint: details['fingerprint'] };
  }
  if (code === 'TARGET_HOST_KEY_CHANGED' && typeof details['presented'] === 'string') {
    return { state: 'changed', fingerprint: details['presented'], expected: String(details['expected'] ?? '') };
  }
  return null;
}
