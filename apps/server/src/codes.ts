/**
 * Every code a client of this server may be told, as closed lists: the errors (the engine's
 * LockerError codes and the server's own refusals), the archive warnings, and the steps a job's
 * progress names. A client that says them in its user's language checks its texts against these
 * (the web app's catalog test does). Exported as `@evidence-locker/server/codes`; it loads neither
 * SQLite nor Fastify.
 */
import { LOCKER_ERROR_CODES } from '@evidence-locker/core/codes';
import { SERVER_ERROR_CODES } from './errors/server-refusal.ts';

export { LOCKER_ERROR_CODES, ARCHIVE_WARNING_CODES, type ArchiveWarningCode } from '@evidence-locker/core/codes';
export { SERVER_ERROR_CODES } from './errors/server-refusal.ts';
export { JOB_PHASES, JOB_PROGRESS_UNITS, type JobPhase } from './jobs/job-schema.ts';

/** Codes only an alert's failure state carries (alerts.list's `failing`): the dead man's switch. */
export const ALERT_ONLY_CODES = ['BACKUP_STALE'] as const;

/**
 * Every error code: `data.lockerCode` of a tRPC error, `error.code` of a raw route's, a job's
 * `error.code`, an alert's failure state.
 */
export const ERROR_CODES = [...LOCKER_ERROR_CODES, ...SERVER_ERROR_CODES, ...ALERT_ONLY_CODES] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];
