/**
 * Audit lines: one structured log line per security-relevant event, with the client address, so an
 * operator can answer "who downloaded or restored what, from where". They go through the request's
 * pino logger with `audit: <event>`, which makes them easy to filter (`jq 'select(.audit)'`).
 */

/** Every event that gets an audit line. */
export const AUDIT_EVENTS = [
  'backup.created',
  'backup.downloaded',
  'backup.verified',
  'backup.test-restore-started',
  'backup.deleted',
  'backup.restored',
  'backup.uploaded',
  'restore.refused',
  'login.succeeded',
  'login.refused',
  'logout',
  'setup.completed',
  'demo.started',
  'settings.updated',
  'folder.created',
  'seal.changed',
  'seal.kit',
  'target.added',
  'target.updated',
  'target.removed',
  'target.tested',
  'target.copy-deleted',
  'alert-channel.added',
  'alert-channel.updated',
  'alert-channel.removed',
  'alert-channel.tested',
  'request.cross-origin-refused',
  'request.host-refused',
] as const;
export type AuditEvent = (typeof AUDIT_EVENTS)[number];

/** The logger calls an audit line needs (a pino/Fastify logger fits). */
export interface AuditLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

/**
 * Writes one audit line. Refusals (`*.refused`) are warnings, everything else info. `fields` must
 * never hold secrets; the client address is required.
 */
export function audit(log: AuditLogger, event: AuditEvent, fields: { ip: string } & Record<string, unknown>, message: string): void {
  const line = { audit: event, ...fields };
  if (event.endsWith('.refused') || event.endsWith('-refused')) log.warn(line, message);
  else log.info(line, message);
}
