/**
 * What a restore did, kept across the forced login that follows it: a restored admin password logs
 * everyone out, the person who ran the restore included, and the login page and then the page they
 * return to still say what was restored and where the pre-restore backup went. Kept in
 * sessionStorage (this tab only, gone when it closes), read once by the page that shows it.
 */
import type { RestoreOutcome } from '../api/server-types.ts';

const KEY = 'evidence-locker.restore-result';

/** What is kept: the backup restored and the pre-restore backup written before it (null: none was needed). */
export interface RestoreResultNote {
  /** The backup file restored (a stored backup's name, or the uploaded file's name). */
  source: string;
  /** The pre-restore backup's file name in the backup directory, or null. */
  preRestoreBackup: string | null;
}

/** The session storage of this tab, or undefined where there is none (private modes may refuse it). */
function storage(): Storage | undefined {
  try {
    return globalThis.sessionStorage;
  } catch {
    return undefined;
  }
}

/** Keeps what the restore of `source` did, for the pages after the login. */
export function keepRestoreResult(source: string, outcome: Pick<RestoreOutcome, 'preRestoreBackup'>): void {
  keepRestoreNote({ source, preRestoreBackup: outcome.preRestoreBackup?.fileName ?? null });
}

/** Keeps `note` (again: the login page passes it on to the settings page it returns to). */
export function keepRestoreNote(note: RestoreResultNote): void {
  try {
    storage()?.setItem(KEY, JSON.stringify(note));
  } catch {
    // Storage full or refused: the login page then says only that the restore succeeded.
  }
}

/** The kept note, or null (none, or unreadable). `forget` removes it once it was read. */
export function readRestoreResult(options: { forget?: boolean } = {}): RestoreResultNote | null {
  const store = storage();
  const text = store?.getItem(KEY) ?? null;
  if (options.forget === true) store?.removeItem(KEY);
  if (text === null) return null;
  try {
    const parsed = JSON.parse(text) as Partial<RestoreResultNote>;
    if (typeof parsed.source !== 'string') return null;
    return { source: parsed.source, preRestoreBackup: typeof parsed.preRestoreBackup === 'string' ? parsed.preRestoreBackup : null };
  } catch {
    return null;
  }
}
