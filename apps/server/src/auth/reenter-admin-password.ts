/**
 * Checks an admin password a person typed: at login, and when an action asks for the login again
 * (the recovery kit of a seal key). Both count against the same per-address limiter
 * (login-rate-limiter.ts: 5 failures per 15 minutes, then a lockout), so re-entering the password
 * is no way around it, and both refuse the same way: LOGIN_FAILED (401) for a wrong password,
 * LOGIN_LOCKED (429) when locked out. Each refusal gets an audit line with the address.
 */
import type { TRPCError } from '@trpc/server';
import { audit, type AuditLogger } from '../audit.ts';
import { refusal } from '../errors/server-refusal.ts';
import { checkAdminPassword } from '../instance/admin-password.ts';
import type { Instance } from '../instance/instance.ts';
import type { LoginRateLimiter } from './login-rate-limiter.ts';

/** Who typed the password, and what for (named in the audit line). */
export interface PasswordAttempt {
  instance: Instance;
  loginLimiter: LoginRateLimiter;
  ip: string;
  log: AuditLogger;
  /** What the password is for: `login`, or the action that asked for it again (`seal.kit`). */
  purpose: string;
}

/**
 * Resolves when `password` is the instance's admin password (the address's failures are then
 * cleared); throws LOGIN_LOCKED or LOGIN_FAILED otherwise. Call only when an admin password is set.
 */
export async function reenterAdminPassword(attempt: PasswordAttempt, password: string): Promise<void> {
  const { instance, loginLimiter, ip, log, purpose } = attempt;
  // Checked and counted in one step before the first await: concurrent attempts see each other.
  const admission = loginLimiter.begin(ip);
  if (!admission.allowed) {
    audit(log, 'login.refused', { ip, reason: 'locked out', purpose }, 'Login refused: too many failed attempts');
    throw tooMany(admission.retryAfterSeconds);
  }
  if (!(await checkAdminPassword(instance.snapshot.adminPasswordRepr, password))) {
    audit(log, 'login.refused', { ip, reason: 'wrong password', purpose }, 'Login refused: wrong password');
    if (admission.lockoutSeconds !== null) throw tooMany(admission.lockoutSeconds);
    throw refusal('UNAUTHORIZED', 'LOGIN_FAILED', 'Wrong password.');
  }
  loginLimiter.recordSuccess(ip);
}

function tooMany(retryAfterSeconds: number): TRPCError {
  return refusal(
    'TOO_MANY_REQUESTS',
    'LOGIN_LOCKED',
    `Too many failed logins from your address. Try again in ${retryAfterSeconds} seconds.`,
    { seconds: retryAfterSeconds },
  );
}
