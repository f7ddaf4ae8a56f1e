/**
 * Every server shape the web app reads or sends, derived from the API's type: the server's zod
 * schemas are their single source, so a changed schema fails this app's typecheck instead of
 * drifting from a copy. Types only: nothing of the server's runtime reaches the bundle.
 */
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '@evidence-locker/server';

/** What each procedure answers. */
export type RouterOutputs = inferRouterOutputs<AppRouter>;
/** What each procedure takes. */
export type RouterInputs = inferRouterInputs<AppRouter>;

/** The instance's setup state (setup.state): configured, demo mode, admin password, login needed. */
export type InstanceState = RouterOutputs['setup']['state'];
/** One modem driver as setup.modemTypes lists it. */
export type ModemTypeOption = RouterOutputs['setup']['modemTypes'][number];
/** What setup.completeSetup takes. */
export type CompleteSetupInput = RouterInputs['setup']['completeSetup'];

/** A job as the server reports it: a union on `kind`, whose `result` is that kind's once it succeeded. */
export type JobSnapshot = RouterOutputs['jobs']['get'];
/** The kinds of job: backup, verify, restore, demo-seed. */
export type JobKind = JobSnapshot['kind'];
/** The snapshot of a job of kind `K`. */
export type JobSnapshotOf<K extends JobKind> = Extract<JobSnapshot, { kind: K }>;
/** What a job of kind `K` returns when it succeeds. */
export type JobResult<K extends JobKind> = NonNullable<JobSnapshotOf<K>['result']>;
/** A job's progress report: its step and how far it is, counted in `unit` (bytes when absent). */
export type JobProgressReport = NonNullable<JobSnapshot['progress']>;
/** What a finished restore tells the UI (the restore job's result). */
export type RestoreOutcome = JobResult<'restore'>;
/** What a restore starts from (restore.start): an upload, or a backup in the backup path. */
export type RestoreSource = RouterInputs['restore']['start'];

/** A staged upload and its validation: `restore.uploaded`, and the answer of `POST /api/uploads`. */
export type UploadedArchive = RouterOutputs['restore']['uploaded'];
/** The archive's contents as the server read them. */
export type ArchiveValidation = UploadedArchive['validation'];
/** Something the user should know about an archive that is still restorable (code, English message, details). */
export type ArchiveWarning = ArchiveValidation['warnings'][number];

/** A backup uploaded into the backup directory: the answer of `POST /api/backups/upload` (a raw route, so its schema's type). */
export type { UploadedBackup } from '@evidence-locker/server';

/** The stored backups and the directory they are in (backups.list). */
export type BackupList = RouterOutputs['backups']['list'];
/** One stored backup, with its last verification. */
export type BackupListItem = BackupList['backups'][number];
/** The schedule's state (backups.schedule). */
export type ScheduleState = RouterOutputs['backups']['schedule'];
/** One directory of the server-side browser (backups.browse). */
export type DirectoryListing = RouterOutputs['backups']['browse'];

/** The backup settings as settings.get (and settings.update) returns them. */
export type BackupSettings = RouterOutputs['settings']['get'];
/** What settings.update takes: only the keys to change. */
export type BackupSettingsPatch = RouterInputs['settings']['update'];
/** A retention rule as settings.retentionPreview takes it (keepLast, keepDays, daily, weekly, monthly, includeManual). */
export type RetentionRuleInput = RouterInputs['settings']['retentionPreview']['rule'];
/** The backups a rule would delete at a location (newest first) and how many stay (settings.retentionPreview). */
export type RetentionPreview = RouterOutputs['settings']['retentionPreview'];

/** What the dashboard shows (dashboard.summary). */
export type DashboardSummary = RouterOutputs['dashboard']['summary'];

/** Whether backups are sealed, how, and with which public key (seal.get; the keys never reach the browser). */
export type SealState = RouterOutputs['seal']['get'];
/** A key made but not saved yet, with its recovery kit (seal.prepare); seal.confirm saves it. */
export type SealPrepared = RouterOutputs['seal']['prepare'];
/** What seal.prepare takes: a generated identity, or a passphrase. */
export type SealPrepareInput = RouterInputs['seal']['prepare'];
/** A recovery kit file: its name and text. */
export type RecoveryKit = SealPrepared['kit'];

/** The offsite targets with each one's state (targets.list), and what is wrong with the stored ones. */
export type TargetList = RouterOutputs['targets']['list'];
/** One offsite target as the list gives it: every field but its secrets (`secretsSet` says which are set), and its state. */
export type TargetListItem = TargetList['targets'][number];
/** A target as targets.add/update answer it (no secret). */
export type PublicTargetItem = RouterOutputs['targets']['add'];
/** A target's push state: last success, last failure, next try, pushing now. */
export type TargetPushState = TargetListItem['state'];
/** What targets.add takes (and targets.update beside the id, targets.test and the wizard as `draft`/`target`). */
export type TargetDraftInput = RouterInputs['targets']['add'];
/** One copy on a target (targets.copies, setup.offsiteBackups): newest first. */
export type TargetCopy = RouterOutputs['targets']['copies']['entries'][number];

/** The test restores' state (proof.state): on or why not, the last and the last good outcome, the next run. */
export type TestRestoreState = RouterOutputs['proof']['state'];
/** What proof.update takes: only the keys to change. */
export type TestRestoreSettingsPatch = RouterInputs['proof']['update'];
