/**
 * Public surface of the Evidence Locker backup engine. Everything a CLI, a server or a test needs
 * is exported from here; nothing in this package knows about HTTP, tRPC or Vue.
 */
export * from './errors.ts';
export * from './data-dir-layout.ts';
export * from './python-json.ts';
export {
  openHistoryDatabase,
  openConnectionMonitorDatabase,
  BUSY_TIMEOUT_MS,
  type OpenDatabaseOptions,
  type OpenHistoryDatabaseOptions,
} from './db/open-database.ts';
export { DEMO_TABLES, HISTORY_DEMO_TABLES, CONNECTION_MONITOR_DEMO_TABLES, tablesWithIsDemo, hasIsDemoColumn } from './db/demo-tables.ts';
export { countRows, countRowsDetailed, userTableNames, type TableCount } from './db/table-counts.ts';
export * from './db/evidence-counts.ts';
export { readSchemaInfo, readSchemaVersion, readDocsightMeta, type SchemaInfo } from './db/schema-version.ts';
export {
  migrateHistoryDatabase,
  migrateConnectionMonitorDatabase,
  HISTORY_MIGRATION_IDS,
  CONNECTION_MONITOR_MIGRATION_IDS,
  DOCSIGHT_SCHEMA_VERSION,
  type MigrationReport,
} from './db/migrations.ts';
export * from './archive/format/backup-meta.ts';
export * from './backup-dir/is-backup-file-name.ts';
export * from './backup-dir/publish-uploaded-backup.ts';
export * from './backup-dir/backup-list-entry.ts';
export * from './backup-dir/list-backups.ts';
export * from './backup-dir/prune-backups.ts';
export * from './backup-dir/delete-backup.ts';
export * from './backup-dir/browse-directory.ts';
export * from './backup-dir/create-backup-folder.ts';
export * from './backup-dir/peek-archive-meta.ts';
export * from './backup-dir/read-backup-trigger.ts';
export * from './backup-dir/format-local-iso.ts';
export * from './work-dir/sweep-work-files.ts';
export { openWorkDir, type OpenWorkDirOptions, type WorkDirReport } from './work-dir/open-work-dir.ts';
export { holdLeases, isLeaseName, otherLeaseHolders, ownLeaseName, type LeaseHolder } from './work-dir/work-dir-lease.ts';
export * from './data-dir/inspect-data-dir.ts';
export * from './config/fernet.ts';
export * from './config/write-file-atomic.ts';
export * from './config/key-files.ts';
export * from './config/password-hash.ts';
export * from './config/config-keys.ts';
export * from './config/seal-settings.ts';
export * from './config/config-schema.ts';
export * from './config/config-file.ts';
export * from './config/config-state.ts';
export * from './config/restored-config.ts';
export * from './config/read-secret.ts';
export { withReadonlyDatabase } from './db/with-readonly-database.ts';
export * from './archive/read/read-archive.ts';
export * from './archive/format/read-archive-limits.ts';
export * from './archive/read/validate-archive.ts';
export * from './archive/format/archive-warning.ts';
export * from './archive/restore/restore-backup.ts';
export * from './archive/restore/recover-interrupted-restore.ts';
export { runSqliteTask, stopSqliteWorker, SqliteTaskError } from './db/run-sqlite-task.ts';
export type { PublishStep, PublishStepHook } from './archive/restore/restore-intent.ts';
export { parseArchiveMeta } from './archive/read/parse-archive-meta.ts';
export { isDocsightConfigured } from './archive/restore/read-staged-config.ts';
export * from './backup-dir/verify-backup.ts';
export { seedDataDir, type SeedSummary } from './seed/seed-data-dir.ts';
export { createPrng, type Prng } from './seed/prng.ts';
export {
  SeedOptionsSchema,
  type SeedOptions,
  type SeedProgress,
  DEMO_HISTORY_DAYS,
  DAYS_PER_MONTH,
  DEFAULT_USER_MONTHS,
} from './seed/seed-plan.ts';
export {
  createBackup,
  DEFAULT_APP_VERSION,
  EVIDENCE_LOCKER_VERSION,
  type BackupDestination,
  type BackupPhase,
  type BackupProgress,
  type CreateBackupOptions,
  type CreateBackupResult,
} from './archive/create/create-backup.ts';
export { backupFileName } from './archive/format/backup-file-name.ts';
export { DEFAULT_GZIP_LEVELS, DEFAULT_GZIP_CHUNK_SIZE, type ParallelGzipOptions } from './archive/create/parallel-gzip.ts';
export { startWorker } from './worker/start-worker.ts';
export * from './archive/restore/restore-data-dir.ts';
export { DEFAULT_PARALLEL_INFLATE, type InflatePath } from './archive/read/inflate-archive.ts';
export { WorkerClient, WorkerRequestError, serveWorkerRequests } from './worker/worker-client.ts';
export { ensureFreeSpace, freeBytes, formatMegabytes, type SpaceNeed, type SpacePurpose } from './fs/ensure-free-space.ts';
export { reserveSpace, type SpaceReservation } from './fs/space-reservations.ts';
export { backupSpaceNeeds, liveDatabaseBytes, FREE_SPACE_MARGIN } from './archive/create/backup-space-needs.ts';
export { estimateUnpackedBytes } from './archive/read/estimate-unpacked-bytes.ts';
export { ensureBackupDirWritable } from './backup-dir/ensure-backup-dir-writable.ts';
export { backupDirWriteError } from './backup-dir/backup-dir-write-error.ts';
export {
  prepareRestore,
  discardPreparedRestore,
  preparedRestoreIntact,
  type PrepareRestoreOptions,
  type PreparedRestore,
} from './archive/restore/prepare-restore.ts';
// Sealed archives (age encryption; issue 17).
export * from './seal/sealed-header.ts';
export * from './seal/sealed-archive-name.ts';
export * from './seal/generate-seal-identity.ts';
export { type SealKey, type OpenKey, DEFAULT_SCRYPT_WORK_FACTOR } from './seal/seal-key.ts';
export { sealStream, sealSizedStream, type SizedSealedStream } from './seal/seal-stream.ts';
export * from './seal/sealed-input.ts';
export { openSealedStream } from './seal/open-sealed-stream.ts';
export * from './seal/identity-file.ts';
export type { SealFailureCode } from './seal/seal-error.ts';
export * from './targets/backup-target.ts';
export * from './targets/target-error.ts';
export * from './targets/probe-target.ts';
export * from './targets/webdav-target.ts';
export {
  DEFAULT_S3_REGION,
  DEFAULT_SFTP_PORT,
  S3AddressSchema,
  SftpAddressSchema,
  WebdavAddressSchema,
  TargetAddressSchema,
  type S3Address,
  type SftpAddress,
  type WebdavAddress,
  type TargetAddress,
} from './targets/target-address.ts';
export * from './targets/target-url.ts';
export * from './targets/target-config.ts';
export * from './targets/target-retention.ts';
export { createSftpTarget, type SftpTarget, type SftpTargetOptions } from './targets/sftp-target.ts';
export { createS3Target, type S3TargetOptions } from './targets/s3-target.ts';
export * from './targets/target-connection.ts';
export * from './targets/open-target.ts';
export * from './targets/push-backup.ts';
export * from './targets/target-state.ts';
export * from './proof/test-restore.ts';
export * from './proof/table-count-mismatch.ts';
export * from './alerts/alert-channel-config.ts';
export * from './alerts/alert-error.ts';
export * from './alerts/alert-message.ts';
export { sendAlert } from './alerts/send-alert.ts';
export * from './retention/retention-rule.ts';
export * from './retention/decide-retention.ts';
export { calendarPeriods, localTimeZone, type CalendarPeriods } from './retention/calendar-periods.ts';
export * from './targets/kept-target.ts';
export {
  ChunkReuseReportSchema,
  DEFAULT_VERIFY_FRACTION,
  FULL_BACKUP_REASONS,
  type ChunkReuseReport,
  type FullBackupReason,
} from './archive/create/reuse-previous-members.ts';
export * from './backup-dir/backup-made-at.ts';
