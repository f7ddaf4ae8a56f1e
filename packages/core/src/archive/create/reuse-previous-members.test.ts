/**
 * A backup that takes over the previous backup's compressed chunks is byte for byte the full
 * backup it stands for (issue 21): on WAL databases shaped like DOCSight's, after each kind of
 * change a day or an upgrade makes, and on a seeded random chain of them. The report says what
 * was taken over, exactly the members whose digests the previous backup lists, and the archive
 * validates and holds the live rows. Fallbacks and the checks of reused members:
 * reuse-previous-members-fallbacks.test.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import type { CreateBackupOptions, CreateBackupResult } from './create-backup.ts';
import {
  appendPolls,
  appendSamples,
  backupAt,
  bodyLayout,
  contentDigest,
  deleteAndVacuum,
  deleteShare,
  extractArchive,
  liveContentDigest,
  makeReuseFixture,
  migrateSchema,
  prng,
  randomInt,
  updateMiddle,
  withDatabase,
  type ReuseFixture,
} from '@evidence-locker/core/testing/reuse-fixtures';

const CHUNK = 64 * 1024;
const NOW = new Date(2026, 10, 26, 3, 0, 0, 125);
const day = (n: number): Date => new Date(NOW.getTime() + n * 86_400_000);

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()!();
});

function fixture(options: Parameters<typeof makeReuseFixture>[0]): ReuseFixture {
  const made = makeReuseFixture(options);
  cleanups.push(made.cleanup);
  return made;
}

const backup = (fx: ReuseFixture, dir: string, now: Date, extra: Partial<CreateBackupOptions> = {}): Promise<CreateBackupResult> =>
  backupAt(fx, dir, now, CHUNK, extra);

/** Body member digests of a backup (the end-of-archive member left out). */
const bodyDigests = (result: CreateBackupResult): string[] => result.meta.gzip_member_sha256!.slice(0, -1);

interface Outcome {
  reused: CreateBackupResult;
  layout: ReturnType<typeof bodyLayout>;
  /** Per body member of the new backup: whether the previous backup lists its digest. */
  listed: boolean[];
}

/**
 * Makes the backup after `previous` twice at `now`, taking over members and in full (into
 * fullDir), and checks what every case must: the same bytes, the report matching exactly the
 * members whose digests `previous` lists, the layout of members, a valid archive holding the
 * live rows.
 */
async function backupAfter(fx: ReuseFixture, previous: CreateBackupResult, now: Date, label = 'after the change'): Promise<Outcome> {
  const live = { history: liveContentDigest(fx.historyPath), monitor: liveContentDigest(fx.monitorPath) };
  const reused = await backup(fx, fx.backupDir, now);
  const full = await backup(fx, fx.fullDir, now, { reuse: false });
  expect(full.reuse).toMatchObject({ fullReason: 'off', previous: null, membersReused: 0 });
  expect(
    fs.readFileSync(reused.path!).equals(fs.readFileSync(full.path!)),
    `${label}: the archive that took over members is the full one`,
  ).toBe(true);

  const sizes = { history: reused.meta.members['docsis_history.db']!.size, monitor: reused.meta.members['connection_monitor.db']!.size };
  const layout = bodyLayout(sizes, CHUNK);
  const digests = bodyDigests(reused);
  expect(digests).toHaveLength(layout.count);
  const previousDigests = new Set(bodyDigests(previous));
  const listed = digests.map((digest) => previousDigests.has(digest));
  const expectedReused = listed.filter(Boolean).length;
  expect(reused.reuse, label).toMatchObject({
    previous: expectedReused > 0 ? previous.fileName : null,
    fullReason: null,
    detail: null,
    membersReused: expectedReused,
    membersCompressed: layout.count - expectedReused,
  });
  // Every taken-over member stands for a whole chunk, except a database's last and the small files'.
  expect(reused.reuse.bytesReused).toBeLessThanOrEqual(expectedReused * CHUNK);
  expect(reused.reuse.bytesReused).toBeGreaterThanOrEqual(Math.max(0, expectedReused - 3) * CHUNK);
  // The databases' tar headers carry this backup's time: never the previous backup's bytes.
  expect(listed[layout.historyHeader]).toBe(false);
  expect(listed[layout.monitorHeader]).toBe(false);

  const outDir = fs.mkdtempSync(path.join(fx.root, 'extracted-'));
  const read = await extractArchive(reused.path!, outDir);
  expect(read.files).toEqual(['backup_meta.json', 'docsis_history.db', 'connection_monitor.db', 'config.json', '.config_key']);
  expect(read.warnings).toEqual([]);
  expect(contentDigest(path.join(outDir, 'docsis_history.db')), `${label}: archived history`).toBe(live.history);
  expect(contentDigest(path.join(outDir, 'connection_monitor.db')), `${label}: archived monitor`).toBe(live.monitor);
  fs.rmSync(outDir, { recursive: true });
  return { reused, layout, listed };
}

const count = (listed: boolean[], indexes: number[]): number => indexes.filter((index) => listed[index]).length;

/** One change to the live history and the backups before and after it. */
async function historyCase(
  change: (db: Database.Database, random: () => number) => void,
  options: { historyPolls?: number; samples?: number } = {},
): Promise<Outcome & { previous: CreateBackupResult }> {
  const fx = fixture({ historyPolls: options.historyPolls ?? 600, samples: options.samples ?? 10_000, seed: 21 });
  const previous = await backup(fx, fx.backupDir, day(0));
  const random = prng(7);
  withDatabase(fx.historyPath, (db) => change(db, random));
  return { previous, ...(await backupAfter(fx, previous, day(1))) };
}

describe('a backup that takes over the previous backup’s chunks', () => {
  it('is the full backup byte for byte after polls were appended, and compresses only the chunks they touched', async () => {
    const { layout, listed } = await historyCase((db, random) => appendPolls(db, random, 12));
    expect(layout.history.length).toBeGreaterThan(30);
    // Appended rows change the tail of each table and the file header; the rest stays.
    expect(count(listed, layout.history)).toBeGreaterThan(layout.history.length * 0.6);
    expect(count(listed, layout.history)).toBeLessThan(layout.history.length);
    expect(count(listed, layout.monitor)).toBe(layout.monitor.length);
    expect(listed[layout.smallFiles]).toBe(true);
  });

  it('is the full backup byte for byte after rows in the middle were updated, compressing only a few chunks', async () => {
    const { layout, listed } = await historyCase((db, random) => updateMiddle(db, random, 3));
    const changed = layout.history.length - count(listed, layout.history);
    // Page 1 (the change counter) and the pages of three events and three snapshots, at most.
    expect(changed).toBeGreaterThan(0);
    expect(changed).toBeLessThanOrEqual(7);
    expect(count(listed, layout.monitor)).toBe(layout.monitor.length);
  });

  it('is the full backup byte for byte after a VACUUM that followed deletes, taking over few or none of the history’s chunks', async () => {
    const { layout, listed, previous, reused } = await historyCase((db, random) => deleteAndVacuum(db, random));
    expect(reused.meta.members['docsis_history.db']!.size).toBeLessThan(previous.meta.members['docsis_history.db']!.size);
    expect(count(listed, layout.history)).toBeLessThanOrEqual(Math.ceil(layout.history.length * 0.1));
    // The untouched monitor is still taken over whole.
    expect(count(listed, layout.monitor)).toBe(layout.monitor.length);
  });

  it('is the full backup byte for byte after a schema migration (a new column and a new index)', async () => {
    const { layout, listed, previous, reused } = await historyCase((db) => migrateSchema(db));
    expect(reused.meta.members['docsis_history.db']!.size).toBeGreaterThan(previous.meta.members['docsis_history.db']!.size);
    // The rows stay where they were; the index's pages are new at the end.
    const previousChunks = Math.ceil(previous.meta.members['docsis_history.db']!.size / CHUNK);
    expect(count(listed, layout.history)).toBeGreaterThan(previousChunks * 0.8);
    expect(count(listed, layout.history)).toBeLessThan(layout.history.length);
  });

  it('is the full backup byte for byte after the page count grew by many inserts', async () => {
    const { layout, listed, previous, reused } = await historyCase((db, random) => appendPolls(db, random, 500));
    const before = previous.meta.members['docsis_history.db']!.size;
    expect(reused.meta.members['docsis_history.db']!.size).toBeGreaterThan(before * 1.5);
    expect(count(listed, layout.history)).toBeGreaterThan(Math.ceil(before / CHUNK) * 0.6);
    expect(count(listed, layout.history)).toBeLessThan(layout.history.length * 0.7);
  });

  it('takes over every member but the two database headers when nothing changed', async () => {
    const { layout, listed, reused } = await historyCase(() => undefined);
    expect(reused.reuse.membersCompressed).toBe(2);
    expect(listed.map((taken, index) => (taken ? -1 : index)).filter((index) => index >= 0)).toEqual([
      layout.historyHeader,
      layout.monitorHeader,
    ]);
  });

  it('takes over the whole history when only the connection monitor changed', async () => {
    const fx = fixture({ historyPolls: 400, samples: 10_000, seed: 5 });
    const previous = await backup(fx, fx.backupDir, day(0));
    const random = prng(11);
    withDatabase(fx.monitorPath, (db) => {
      appendSamples(db, random, 2_000);
      db.prepare('DELETE FROM connection_samples WHERE id < 500').run();
    });
    const { layout, listed } = await backupAfter(fx, previous, day(1));
    expect(count(listed, layout.history)).toBe(layout.history.length);
    expect(count(listed, layout.monitor)).toBeLessThan(layout.monitor.length);
    expect(listed[layout.smallFiles]).toBe(true);
  });

  it('is the full backup byte for byte while DOCSight holds the database open with new rows still in its WAL', async () => {
    const fx = fixture({ historyPolls: 500, samples: 8_000, seed: 17 });
    const previous = await backup(fx, fx.backupDir, day(0));
    const docsight = new Database(fx.historyPath, { fileMustExist: true });
    try {
      appendPolls(docsight, prng(3), 20);
      expect(fs.statSync(`${fx.historyPath}-wal`).size).toBeGreaterThan(0);
      const { layout, listed } = await backupAfter(fx, previous, day(1));
      expect(count(listed, layout.history)).toBeGreaterThan(layout.history.length * 0.6);
      expect(count(listed, layout.history)).toBeLessThan(layout.history.length);
    } finally {
      docsight.close();
    }
  });

  it('is the full backup byte for byte along a seeded random chain of changes on random sizes', async () => {
    const random = prng(2021);
    const fx = fixture({
      historyPolls: randomInt(random, 150, 700),
      samples: randomInt(random, 2_000, 15_000),
      seed: randomInt(random, 1, 1e6),
    });
    const changes: { name: string; apply: () => void }[] = [
      { name: 'append', apply: () => withDatabase(fx.historyPath, (db) => appendPolls(db, random, randomInt(random, 1, 60))) },
      { name: 'update', apply: () => withDatabase(fx.historyPath, (db) => updateMiddle(db, random, randomInt(random, 1, 8))) },
      { name: 'delete', apply: () => withDatabase(fx.historyPath, (db) => deleteShare(db, random, 0.05 + random() * 0.3)) },
      { name: 'vacuum', apply: () => withDatabase(fx.historyPath, (db) => deleteAndVacuum(db, random)) },
      { name: 'migrate', apply: () => withDatabase(fx.historyPath, (db) => migrateSchema(db)) },
      { name: 'grow', apply: () => withDatabase(fx.historyPath, (db) => appendPolls(db, random, randomInt(random, 100, 500))) },
      { name: 'monitor', apply: () => withDatabase(fx.monitorPath, (db) => appendSamples(db, random, randomInt(random, 10, 3_000))) },
      // Demo rows come and go (DOCSight's demo mode): a backup then filters a copy instead of reading the live file.
      {
        name: 'demo-on',
        apply: () =>
          withDatabase(fx.historyPath, (db) =>
            db.exec(
              "INSERT INTO snapshots (timestamp, summary_json, ds_channels_json, us_channels_json, is_demo) VALUES ('demo', '{}', '[]', '[]', 1)",
            ),
          ),
      },
      { name: 'demo-off', apply: () => withDatabase(fx.historyPath, (db) => db.exec('DELETE FROM snapshots WHERE is_demo = 1')) },
      {
        name: 'config',
        apply: () => fs.writeFileSync(path.join(fx.dataDir, 'config.json'), `{"poll_interval": ${randomInt(random, 60, 900)}}`),
      },
    ];
    let previous = await backup(fx, fx.backupDir, day(0));
    const applied: string[] = [];
    let reusedSomething = 0;
    for (let iteration = 1; iteration <= 8; iteration += 1) {
      const picked = Array.from({ length: randomInt(random, 1, 3) }, () => changes[randomInt(random, 0, changes.length - 1)]!);
      for (const change of picked) change.apply();
      applied.push(picked.map((change) => change.name).join('+'));
      const { reused } = await backupAfter(fx, previous, day(iteration), `step ${iteration} (${applied.at(-1)})`);
      if (reused.reuse.membersReused > 0) reusedSomething += 1;
      previous = reused;
    }
    // The chain took over members at nearly every step (a database header never, the rest mostly).
    expect(reusedSomething, applied.join(', ')).toBeGreaterThanOrEqual(6);
  });
});
