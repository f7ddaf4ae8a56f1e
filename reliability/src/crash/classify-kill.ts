/**
 * Where a kill landed, read from what the killed run left behind (before any recovery):
 *
 * backup     not started → snapshot (work dir in the data dir) → compress (work dir holds the
 *            compressed body) → write (partial archive in the backup dir) → published (the archive
 *            has its final name, cleanup pending) → completed (nothing left, archive there)
 * restore    not started → upload (server: the uploaded file only) → staging/verify (staged members)
 *            → pre-restore backup (its work dir or partial archive) → pre-restore written (before the
 *            intent) → publish (intent present) → post-publish (published; migration or the new
 *            session key pending) → completed
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { WORK_PREFIX } from '@evidence-locker/core';

/** core's restore intent (restore-work-files.ts; not exported from core's index). */
export const RESTORE_INTENT_FILE = `${WORK_PREFIX}restore-intent.json`;

/** Directory listings right after a kill. */
export interface KillSnapshot {
  dataDir: string[];
  backupDir: string[];
  /** Names inside `.evidence-locker-work-*` directories of the data dir. */
  workDirEntries: string[];
}

/** Lists both directories (and the backup work dirs' contents) as the kill left them. */
export async function snapshotAfterKill(dataDir: string, backupDir: string): Promise<KillSnapshot> {
  const list = (dir: string) => fs.readdir(dir).catch(() => [] as string[]);
  const data = await list(dataDir);
  const workDirEntries: string[] = [];
  for (const name of data.filter((entry) => entry.startsWith(`${WORK_PREFIX}work-`))) {
    workDirEntries.push(...(await list(path.join(dataDir, name))));
  }
  return { dataDir: data.sort(), backupDir: (await list(backupDir)).sort(), workDirEntries: workDirEntries.sort() };
}

const has = (names: string[], prefix: string) => names.some((name) => name.startsWith(prefix));
/** Archives under their final names, plain or sealed (`….tar.gz.age`). */
const archives = (names: string[]) => names.filter((name) => /^docsight_backup_.*\.tar\.gz(\.age)?$/.test(name));

/**
 * The phase of a killed backup (`operation` create) or restore. `finished` says the run had ended
 * before the kill; `published` that the data dir's config is no longer the old one (restores).
 */
export function classifyKill(
  operation: 'create' | 'restore',
  snapshot: KillSnapshot,
  { finished, published }: { finished: boolean; published: boolean },
): string {
  const { dataDir, backupDir, workDirEntries } = snapshot;
  const workDir = has(dataDir, `${WORK_PREFIX}work-`);
  const partial = has(backupDir, `${WORK_PREFIX}partial-`);
  if (operation === 'create') {
    if (archives(backupDir).length > 0) return workDir || partial ? 'published, cleanup pending' : 'completed';
    if (finished) return 'completed';
    if (partial) return 'write (partial archive)';
    if (workDir) return workDirEntries.includes('body.gz') ? 'compress (work dir)' : 'snapshot (work dir)';
    return 'not started';
  }
  if (dataDir.includes(RESTORE_INTENT_FILE)) return 'publish (intent present)';
  if (published) return finished ? 'completed' : 'post-publish (migrate, session key)';
  if (finished) return 'completed';
  if (workDir || partial) return 'pre-restore backup';
  if (archives(backupDir).length > 0) return 'pre-restore written, before the intent';
  if (has(dataDir, `${WORK_PREFIX}restore-`)) return 'staging/verify (staged files)';
  // A server upload is staged as it arrives (prepared members), or kept whole.
  if (has(dataDir, `${WORK_PREFIX}prepared-`) || has(dataDir, `${WORK_PREFIX}upload-`)) return 'upload';
  return 'not started';
}
