/**
 * The closed lists of codes the engine tells its callers, without the rest of the engine (no
 * SQLite): for clients that translate them (the web app checks its catalogs against these).
 * Exported as `@evidence-locker/core/codes`.
 */
export { LOCKER_ERROR_CODES, type LockerErrorCode } from './errors.ts';
export { ARCHIVE_WARNING_CODES, type ArchiveWarningCode } from './archive/format/archive-warning.ts';
