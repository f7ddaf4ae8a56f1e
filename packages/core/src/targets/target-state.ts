/**
 * What happened to each target, kept in the data directory beside the instance's files:
 * `.evidence-locker.targets-state.json`, one record per target id. It says when the last copy
 * arrived, the last failure with its code and message, when the next try is due, which copies
 * this instance sent (`uploaded`): a target's retention only ever deletes those, and what made each
 * of them (`triggers`): a manual or pre-restore backup's copy stays outside the target's rule
 * unless the rule includes it, as in the backup directory.
 *
 * Not a DOCSight file: a backup carries only DATA_FILES, so this record is never archived, and a
 * sweep never takes it (it is outside WORK_PREFIX; the atomic write's temp file is inside it).
 * Writes are atomic (writeFileAtomic) and serialized per data directory within the process, so two
 * pushes finishing together both land. A record that cannot be read counts as empty: the state is
 * advisory, and an empty `uploaded` only makes retention delete less.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { BackupTriggerSchema, type BackupTrigger } from '../archive/format/backup-meta.ts';
import { withDataDirFileLock } from '../config/config-lock.ts';
import { writeFileAtomic } from '../config/write-file-atomic.ts';
import { TARGETS_STATE_LOCK_DIR } from '../data-dir-layout.ts';
import { errnoCode, isLockerError } from '../errors.ts';

/** The file in the data directory. */
export const TARGETS_STATE_FILE = '.evidence-locker.targets-state.json';

/**
 * A failed push: when, its error code (TARGET_… mostly), the message a user can act on and the
 * string and number facts its code's text names (`{host}`, `{status}` …), so the UI can say it in
 * the user's language. `details` is optional: records written before it existed stay readable.
 */
export const TargetFailureSchema = z.object({
  at: z.string(),
  code: z.string(),
  message: z.string(),
  details: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
});
export type TargetFailure = z.infer<typeof TargetFailureSchema>;

export const TargetStateSchema = z.object({
  lastSuccessAt: z.string().nullable(),
  /** The remote name of the last copy that arrived. */
  lastSuccessName: z.string().nullable(),
  lastFailure: TargetFailureSchema.nullable(),
  /** Failures since the last success (the backoff's exponent). */
  failures: z.number().int().min(0),
  /** When the next try is due (ISO 8601), or null when nothing is pending. */
  nextTryAt: z.string().nullable(),
  /** Remote names this instance sent, oldest first: retention only ever deletes these. */
  uploaded: z.array(z.string()),
  /**
   * What made each copy in `uploaded` that is known (remote name → trigger). Absent in records
   * written before it existed, and for a copy whose backup's meta could not be read: such a copy
   * counts like a scheduled one. Values are checked when read (copyTrigger), so one value a later
   * version wrote does not cost the whole record.
   */
  triggers: z.record(z.string(), z.string()).catch({}),
});
export type TargetState = z.infer<typeof TargetStateSchema>;

/** Every target's state by target id. */
export type TargetsState = Record<string, TargetState>;

/** The state of a target nothing has happened to yet. */
export function emptyTargetState(): TargetState {
  return { lastSuccessAt: null, lastSuccessName: null, lastFailure: null, failures: 0, nextTryAt: null, uploaded: [], triggers: {} };
}

/** The recorded state of every target of the data directory; {} when there is none or it is unreadable. */
export async function readTargetState(dataDir: string): Promise<TargetsState> {
  let text: string;
  try {
    text = await fs.readFile(path.join(dataDir, TARGETS_STATE_FILE), 'utf8');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return {};
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return {};
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
  const result: TargetsState = {};
  for (const [id, entry] of Object.entries(parsed)) {
    const state = TargetStateSchema.safeParse(entry);
    if (state.success) result[id] = state.data;
  }
  return result;
}

/**
 * Records a copy that arrived: the failures cleared, nothing pending, `remoteName` among `uploaded`
 * and, when known, what made its backup (`trigger`; null or absent leaves what was recorded).
 */
export function recordPushSuccess(
  dataDir: string,
  targetId: string,
  remoteName: string,
  at: Date = new Date(),
  trigger: BackupTrigger | null = null,
): Promise<TargetState> {
  return update(dataDir, targetId, (state) => ({
    ...state,
    lastSuccessAt: at.toISOString(),
    lastSuccessName: remoteName,
    lastFailure: null,
    failures: 0,
    nextTryAt: null,
    uploaded: [...state.uploaded.filter((name) => name !== remoteName), remoteName],
    triggers: trigger === null ? state.triggers : { ...state.triggers, [remoteName]: trigger },
  }));
}

/**
 * Records a failed push: `error`'s code, message and string/number details, one more failure, and
 * when the next try is due (null: none planned). `error` is a LockerError, or a plain
 * `{ code, message, details? }` (a refusal of the caller's own, e.g. a server code), else anything
 * thrown (recorded as TARGET_FAILED).
 */
export function recordPushFailure(
  dataDir: string,
  targetId: string,
  error: unknown,
  at: Date = new Date(),
  nextTryAt: Date | null = null,
): Promise<TargetState> {
  const plain = isPlainFailure(error) ? error : null;
  const details = shownDetails(isLockerError(error) ? error.details : plain?.details);
  const failure: TargetFailure = {
    at: at.toISOString(),
    code: isLockerError(error) ? error.code : (plain?.code ?? 'TARGET_FAILED'),
    message: plain?.message ?? (error instanceof Error ? error.message : String(error)),
    ...(Object.keys(details).length > 0 ? { details } : {}),
  };
  return update(dataDir, targetId, (state) => ({
    ...state,
    lastFailure: failure,
    failures: state.failures + 1,
    nextTryAt: nextTryAt === null ? null : nextTryAt.toISOString(),
  }));
}

/** The string and (finite) number facts of `details`: what a text may name, and what JSON keeps as it is. */
function shownDetails(details: unknown): Record<string, string | number> {
  const shown: Record<string, string | number> = {};
  if (typeof details !== 'object' || details === null) return shown;
  for (const [key, value] of Object.entries(details)) {
    if (typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))) shown[key] = value;
  }
  return shown;
}

function isPlainFailure(error: unknown): error is { code: string; message: string; details?: unknown } {
  if (typeof error !== 'object' || error === null || error instanceof Error) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  return typeof code === 'string' && typeof message === 'string';
}

/** What made the copy `remoteName` this instance sent to the target whose state is `state`; null when unknown. */
export function copyTrigger(state: TargetState | undefined, remoteName: string): BackupTrigger | null {
  if (state === undefined || !Object.hasOwn(state.triggers, remoteName)) return null;
  const trigger = BackupTriggerSchema.safeParse(state.triggers[remoteName]);
  return trigger.success ? trigger.data : null;
}

/** Forgets a target (it was removed); its copies stay where they are. */
export async function forgetTarget(dataDir: string, targetId: string): Promise<void> {
  await change(dataDir, (all) => {
    if (!(targetId in all)) return false;
    delete all[targetId];
    return true;
  });
}

/** Forgets one copy this instance sent (it was deleted from the target). */
export async function forgetCopy(dataDir: string, targetId: string, remoteName: string): Promise<void> {
  await change(dataDir, (all) => {
    const state = all[targetId];
    if (state === undefined || !state.uploaded.includes(remoteName)) return false;
    const { [remoteName]: _forgotten, ...triggers } = state.triggers;
    all[targetId] = { ...state, uploaded: state.uploaded.filter((name) => name !== remoteName), triggers };
    return true;
  });
}

async function update(dataDir: string, targetId: string, next: (state: TargetState) => TargetState): Promise<TargetState> {
  let result = emptyTargetState();
  await change(dataDir, (all) => {
    result = next(all[targetId] ?? emptyTargetState());
    all[targetId] = result;
    return true;
  });
  return result;
}

const TARGETS_STATE_LOCKED = { file: TARGETS_STATE_FILE, lockDir: TARGETS_STATE_LOCK_DIR, what: "offsite targets' records" };

/** The tail of each data directory's chain of changes: one read-modify-write at a time. */
const queues = new Map<string, Promise<void>>();

/**
 * Runs `edit` on the current state and writes it when `edit` says it changed, after the changes
 * queued before in this process and under the data directory's lock on this file, since the
 * server's pushes and a CLI command's (`backup create`, `target remove`) write it too: a copy one
 * of them recorded is never dropped by the other's write.
 */
function change(dataDir: string, edit: (all: TargetsState) => boolean): Promise<void> {
  const key = path.resolve(dataDir);
  const previous = queues.get(key) ?? Promise.resolve();
  const run = previous.then(() =>
    withDataDirFileLock(dataDir, TARGETS_STATE_LOCKED, async (lease) => {
      const all = await readTargetState(dataDir);
      if (!edit(all)) return;
      lease.assertHeld();
      await writeFileAtomic(path.join(dataDir, TARGETS_STATE_FILE), `${JSON.stringify(all, null, 2)}\n`);
    }),
  );
  const tail = run.catch(() => undefined);
  queues.set(key, tail);
  void tail.then(() => {
    if (queues.get(key) === tail) queues.delete(key);
  });
  return run;
}
