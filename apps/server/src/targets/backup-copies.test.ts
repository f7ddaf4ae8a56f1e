import { TARGET_TEMP_PREFIX, type TargetEntry } from '@evidence-locker/core';
import { describe, expect, it } from 'vitest';
import { backupsOn } from '../cli/commands/target-backups.ts';
import { backupCopies } from './backup-copies.ts';

const name = (stamp: string, tail = '.tar.gz') => `docsight_backup_${stamp}${tail}`;
// Listed as a target gives them: copied there together, every one modified at the same moment.
const entries: TargetEntry[] = [
  name('2026-11-26_070001'),
  name('2026-11-26_070001_9'),
  name('2026-11-26_070001_10', '.tar.gz.age'),
  name('2026-11-26_070001_10'),
  name('2026-11-25_070001'),
  `${TARGET_TEMP_PREFIX}probe`,
  'notes.txt',
].map((entryName) => ({ name: entryName, size: 1, modified: '2026-11-27T00:00:00Z' }));
const NEWEST_FIRST = [
  name('2026-11-26_070001_10', '.tar.gz.age'),
  name('2026-11-26_070001_10'),
  name('2026-11-26_070001_9'),
  name('2026-11-26_070001'),
  name('2026-11-25_070001'),
];

describe('a target’s backups, newest first', () => {
  it('the web’s list (backupCopies): by the name’s time, same second by the suffix as a number, sealed before plain', () => {
    expect(backupCopies(entries).map((copy) => copy.name)).toEqual(NEWEST_FIRST);
    expect(backupCopies([...entries].reverse()).map((copy) => copy.name)).toEqual(NEWEST_FIRST);
  });

  it('the CLI’s target backups (backupsOn): the same order', () => {
    expect(backupsOn(entries).map((entry) => entry.name)).toEqual(NEWEST_FIRST);
    expect(backupsOn([...entries].reverse()).map((entry) => entry.name)).toEqual(NEWEST_FIRST);
  });
});
