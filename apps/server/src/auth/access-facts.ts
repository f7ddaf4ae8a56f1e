/**
 * Reads the facts the access rules (auth/access-rules.ts) decide on from the instance and the
 * request's session cookie. The one place that asks whether a session is valid: the tRPC context
 * and the raw routes both come here.
 */
import type { Instance } from '../instance/instance.ts';
import type { AccessFacts } from './access-rules.ts';

/** What {@link readAccessFacts} reads of an instance. */
export type AccessFactsSource = Pick<Instance, 'hasAdminPassword' | 'snapshot' | 'sessionOf'>;

/**
 * The facts of a request with session cookie value `sessionToken` (undefined when none was sent),
 * read now: a session counts when it was issued for the current admin password and session key and
 * was not logged out (Instance.sessionOf).
 */
export function readAccessFacts(instance: AccessFactsSource, sessionToken: string | undefined): AccessFacts {
  return {
    hasAdminPassword: instance.hasAdminPassword,
    configured: instance.snapshot.configured,
    authenticated: instance.sessionOf(sessionToken) !== null,
  };
}
