/**
 * Where the previous backup cannot be trusted, a backup compresses everything and says why
 * (`reuse.fullReason`, issue 21), and is still byte for byte the full backup: no previous backup,
 * an unreadable one, DOCSight's own (no digests), another instance's, other gzip settings, one
 * sealed with a key not given, and a damaged one (a CRC-32, the deflate data, a file cut short),
 * which the new backup leaves exactly as it found it. Also: how many taken-over members are
 * inflated to check them, a sealed previous backup opened with its identity, and a download.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { backupFileName } from '../format/backup-file-name.ts';
import { generateSealIdentity } from '../../seal/generate-seal-identity.ts';
import { createBackup, type CreateBackupOptions, type CreateBackupResult } from './create-backup.ts';
import { DEFAULT_VERIFY_FRACTION } from './reuse-previous-members.ts';
import { openBytes } from '@evidence-locker/core/testing/sealed-bytes';
import { docsightFixture } from '@evidence-locker/core/testing/docsight-fixtures';
import {
  appendPolls,
  backupAt,
  bodyLayout,
  bodyMemberSpans,
  contentDigest,
  extractArchive,
  liveContentDigest,
  makeReuseFixture,
  deleteAndVacuum,
  prng,
  withDatabase,
  type ReuseFixture,
} from '@evidence-locker/core/testing/reuse-fixtures';

const CHUNK = 64 * 1024;
const NOW = new Date(2026, 10, 26, 3, 0, 0, 125);
const LATER = new Date(2026, 10, 27, 3, 0, 0, 125);
/** A real archive made by DOCSight's code (the repository's copy of the shared fixtures). */
const DOCSIGHT_ARCHIVE = docsightFixture('a-real-1m').archive;

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()!();
});

function fixture(seed = 3): ReuseFixture {
  const made = makeReuseFixture({ historyPolls: 400, samples: 6_000, seed });
  cleanups.push(made.cleanup);
  return made;
}

const backup = (fx: ReuseFixture, dir: string, now: Date, extra: Partial<CreateBackupOptions> = {}): Promise<CreateBackupResult> =>
  backupAt(fx, dir, now, CHUNK, extra);

const sha256 = (file: string): string => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** Makes `file` the newest backup of its directory (list-backups.ts orders by modification time). */
function makeNewest(file: string, than: string): void {
  const newer = new Date(fs.statSync(than).mtimeMs + 10_000);
  fs.utimesSync(file, newer, newer);
}

/**
 * The backup at LATER into the fixture's backup directory: a full one for `reason`, byte for byte
 * the `reuse: false` backup at the same time, with the live rows in it.
 */
async function expectFullBackup(fx: ReuseFixture, reason: string, extra: Partial<CreateBackupOptions> = {}): Promise<CreateBackupResult> {
  const result = await backup(fx, fx.backupDir, LATER, extra);
  const full = await backup(fx, fx.fullDir, LATER, { reuse: false });
  expect(result.reuse, result.reuse.detail ?? '').toMatchObject({
    previous: null,
    fullReason: reason,
    membersReused: 0,
    bytesReused: 0,
    membersCompressed: result.meta.gzip_members!.length - 1,
  });
  expect(result.reuse.detail).toMatch(/\S/);
  expect(fs.readFileSync(result.path!).equals(fs.readFileSync(full.path!)), 'the full backup’s bytes').toBe(true);
  return result;
}

/** The archive at `file` (or these bytes) reads as a restore reads it and holds the live rows. */
async function expectLiveRows(fx: ReuseFixture, file: string): Promise<void> {
  const outDir = fs.mkdtempSync(path.join(fx.root, 'extracted-'));
  await extractArchive(file, outDir);
  expect(contentDigest(path.join(outDir, 'docsis_history.db'))).toBe(liveContentDigest(fx.historyPath));
  expect(contentDigest(path.join(outDir, 'connection_monitor.db'))).toBe(liveContentDigest(fx.monitorPath));
  fs.rmSync(outDir, { recursive: true });
}

describe('a backup falls back to compressing everything, and says why', () => {
  it('when the backup directory holds no backup yet', async () => {
    const fx = fixture();
    const result = await expectFullBackup(fx, 'no-previous');
    expect(result.reuse.detail).toContain(fx.backupDir);
  });

  it('when the newest backup file is not a backup at all', async () => {
    const fx = fixture();
    const previous = await backup(fx, fx.backupDir, NOW);
    const garbage = path.join(fx.backupDir, backupFileName(new Date(NOW.getTime() + 3_600_000)));
    fs.writeFileSync(garbage, 'not a gzip file, whatever its name says');
    makeNewest(garbage, previous.path!);
    const result = await expectFullBackup(fx, 'unreadable');
    expect(result.reuse.detail).toContain(path.basename(garbage));
  });

  it('when the newest backup is DOCSight’s own, which lists no chunk digests', async () => {
    const fx = fixture();
    const previous = await backup(fx, fx.backupDir, NOW);
    const docsight = path.join(fx.backupDir, path.basename(DOCSIGHT_ARCHIVE));
    fs.copyFileSync(DOCSIGHT_ARCHIVE, docsight);
    makeNewest(docsight, previous.path!);
    const result = await expectFullBackup(fx, 'no-index');
    expect(result.reuse.detail).toContain(path.basename(DOCSIGHT_ARCHIVE));
  });

  it('when the newest backup is another instance’s (another .config_key), even with the same rows', async () => {
    const fx = fixture();
    const other = fixture();
    fs.writeFileSync(path.join(other.dataDir, '.config_key'), 'b3RoZXItaW5zdGFuY2Uta2V5LW9mLTMyLWJ5dGVzISE=');
    const previous = await backup(other, fx.backupDir, NOW);
    const result = await expectFullBackup(fx, 'other-instance');
    expect(result.reuse.detail).toContain(previous.fileName);
    // The same seed made the same history: its chunks would have matched, the instance did not.
    expect(result.meta.members['docsis_history.db']!.sha256).toBe(previous.meta.members['docsis_history.db']!.sha256);
  });

  it('when the newest backup was compressed at another gzip level or chunk size', async () => {
    const fx = fixture();
    const atLevel6 = await backup(fx, fx.backupDir, NOW, { gzip: { chunkSize: CHUNK, levels: [6] } });
    const level = await expectFullBackup(fx, 'settings-differ');
    expect(level.reuse.detail).toContain(atLevel6.fileName);
    expect(level.reuse.detail).toContain('level 6');
    fs.rmSync(level.path!);
    await backup(fx, fx.backupDir, new Date(NOW.getTime() + 1000), { gzip: { chunkSize: 2 * CHUNK } });
    const chunks = await expectFullBackup(fx, 'settings-differ');
    expect(chunks.reuse.detail).toContain('128 KiB');
  });

  it('when no chunk of the newest backup holds the same bytes (every table thinned and vacuumed, the config changed)', async () => {
    const fx = fixture(17);
    await backup(fx, fx.backupDir, NOW);
    const random = prng(17);
    withDatabase(fx.historyPath, (db) => deleteAndVacuum(db, random));
    withDatabase(path.join(fx.dataDir, 'connection_monitor.db'), (db) => {
      db.prepare('DELETE FROM connection_samples WHERE rowid % 3 = 0').run();
      db.exec('VACUUM');
    });
    const configFile = path.join(fx.dataDir, 'config.json');
    fs.writeFileSync(configFile, `${fs.readFileSync(configFile, 'utf8').trimEnd().replace(/}$/, '')}, "backup_retention": 9}`);
    const result = await expectFullBackup(fx, 'no-match');
    expect(result.reuse.detail).toMatch(/^No chunk of docsight_backup_\S+ holds the same bytes as a chunk of this backup\.$/);
  });

  it('when the newest backup is sealed and no identity, or the wrong one, is given; with its identity its chunks are taken over', async () => {
    const fx = fixture();
    const key = await generateSealIdentity();
    const stranger = await generateSealIdentity();
    const previous = await backup(fx, fx.backupDir, NOW, { seal: { recipients: [key.recipient] } });
    expect(previous.fileName).toMatch(/\.tar\.gz\.age$/);
    const sealedBefore = sha256(previous.path!);

    const noKey = await expectFullBackup(fx, 'sealed-other-key');
    expect(noKey.reuse.detail).toContain(previous.fileName);
    fs.rmSync(noKey.path!);
    const wrongKey = await expectFullBackup(fx, 'sealed-other-key', { reuse: { identities: [stranger.identity] } });
    fs.rmSync(wrongKey.path!);

    // A sealed backup that takes over the sealed previous one's chunks opens to the full backup's bytes.
    const full = await backup(fx, fx.fullDir, LATER, { reuse: false });
    const sealed = await backup(fx, fx.backupDir, LATER, { seal: { recipients: [key.recipient] }, reuse: { identities: [key.identity] } });
    expect(sealed.reuse).toMatchObject({ previous: previous.fileName, fullReason: null, membersCompressed: 2 });
    expect(sealed.reuse.membersReused).toBeGreaterThan(20);
    const opened = await openBytes(fs.readFileSync(sealed.path!), { identities: [key.identity] });
    expect(opened.equals(fs.readFileSync(full.path!)), 'the sealed backup opens to the full backup').toBe(true);
    // And a plain one after it, taking over from that sealed one.
    const plain = await backup(fx, fx.backupDir, LATER, { reuse: { identities: [key.identity] } });
    expect(plain.reuse).toMatchObject({ previous: sealed.fileName, fullReason: null, membersCompressed: 0 });
    expect(fs.readFileSync(plain.path!).equals(fs.readFileSync(full.path!)), 'the plain backup is the full backup').toBe(true);
    expect(sha256(previous.path!)).toBe(sealedBefore);
  });
});

describe('a damaged previous backup never damages a new one', () => {
  /**
   * A previous backup, then `damage` done to its file, then the backup after it: a full one
   * ('damaged' or `reasons`), byte for byte the full backup, complete, and the damaged file left
   * as it was.
   */
  async function afterDamage(
    damage: (file: string, previous: CreateBackupResult, full: CreateBackupResult) => void,
    options: { reasons?: string[]; extra?: Partial<CreateBackupOptions> } = {},
  ): Promise<{ result: CreateBackupResult; previous: CreateBackupResult }> {
    const fx = fixture();
    const previous = await backup(fx, fx.backupDir, NOW);
    withDatabase(fx.historyPath, (db) => appendPolls(db, prng(9), 3));
    const full = await backup(fx, fx.fullDir, LATER, { reuse: false });
    damage(previous.path!, previous, full);
    const damagedBytes = sha256(previous.path!);
    const result = await backup(fx, fx.backupDir, LATER, options.extra);
    expect(options.reasons ?? ['damaged'], result.reuse.detail ?? '').toContain(result.reuse.fullReason);
    expect(result.reuse).toMatchObject({ previous: null, membersReused: 0, bytesReused: 0 });
    expect(fs.readFileSync(result.path!).equals(fs.readFileSync(full.path!)), 'the full backup’s bytes').toBe(true);
    await expectLiveRows(fx, result.path!);
    expect(sha256(previous.path!), 'the damaged previous backup is left as it was').toBe(damagedBytes);
    return { result, previous };
  }

  /**
   * The span of a history chunk in the middle of `previous` that the next backup would take over:
   * the full backup `next` has a member of the same digest.
   */
  function middleHistoryMember(
    previous: CreateBackupResult,
    next: CreateBackupResult,
    file: string,
  ): { index: number; offset: number; length: number } {
    const layout = bodyLayout(
      { history: previous.meta.members['docsis_history.db']!.size, monitor: previous.meta.members['connection_monitor.db']!.size },
      CHUNK,
    );
    const wanted = new Set(next.meta.gzip_member_sha256);
    const unchanged = layout.history.filter((index) => wanted.has(previous.meta.gzip_member_sha256![index]!));
    expect(unchanged.length).toBeGreaterThan(layout.history.length / 2);
    const index = unchanged[Math.floor(unchanged.length / 2)]!;
    const span = bodyMemberSpans(previous.meta.gzip_members!, fs.statSync(file).size)[index]!;
    // It is a whole chunk of the history, as the layout says.
    expect(Buffer.from(fs.readFileSync(file).subarray(span.offset + span.length - 4, span.offset + span.length)).readUInt32LE()).toBe(
      CHUNK,
    );
    return { index, ...span };
  }

  function flipByteOf(file: string, offset: number): void {
    const bytes = fs.readFileSync(file);
    bytes[offset] = bytes[offset]! ^ 0x40;
    fs.writeFileSync(file, bytes);
  }

  it('when a member’s CRC-32 trailer is wrong (and the progress of the body started again never goes back)', async () => {
    let member = 0;
    const compressed: number[] = [];
    const { result, previous } = await afterDamage(
      (file, previous, full) => {
        const span = middleHistoryMember(previous, full, file);
        member = span.index + 1;
        flipByteOf(file, span.offset + span.length - 6);
      },
      { extra: { onProgress: (progress) => (progress.phase === 'compress' ? compressed.push(progress.bytesDone) : undefined) } },
    );
    expect(result.reuse.detail).toContain(`Member ${member} of ${previous.fileName}`);
    expect(result.reuse.detail).toContain('CRC-32');
    expect(compressed.length).toBeGreaterThan(2);
    expect(compressed).toEqual([...compressed].sort((a, b) => a - b));
  });

  it('when a member’s deflate data is changed, even with no member inflated: its stored CRC-32 catches it', async () => {
    let member = 0;
    const { result, previous } = await afterDamage(
      (file, previous, full) => {
        const span = middleHistoryMember(previous, full, file);
        member = span.index + 1;
        flipByteOf(file, span.offset + Math.floor(span.length / 2));
      },
      // The review's case: with no sample, only the CRC-32 of the compressed bytes can see it.
      { extra: { reuse: { verifyFraction: 0 } } },
    );
    expect(result.reuse.detail).toContain(`Member ${member} of ${previous.fileName}`);
    expect(result.reuse.detail).toContain('has changed since it was written');
    expect(result.reuse.membersInflated).toBe(0);
  });

  it('when the previous backup was cut short', async () => {
    await afterDamage((file) => fs.truncateSync(file, Math.floor(fs.statSync(file).size * 0.6)), { reasons: ['damaged', 'unreadable'] });
  });

  it('when only the last bytes of the previous backup are missing', async () => {
    const { result } = await afterDamage((file) => fs.truncateSync(file, fs.statSync(file).size - 5));
    expect(result.reuse.detail).toMatch(/^Member \d+ of docsight_backup_\S+ /);
  });
});

describe('checking the members a backup takes over', () => {
  it('inflates every one with verifyFraction 1, none with 0, and a sample by default', async () => {
    // 4 KiB members: about 500 from a 2 MB data directory, enough for the default sample to show.
    const chunk = 4 * 1024;
    const fx = fixture(13);
    const at = (seconds: number) => new Date(LATER.getTime() + seconds * 1000);
    await backupAt(fx, fx.backupDir, NOW, chunk);
    const all = await backupAt(fx, fx.backupDir, at(0), chunk, { reuse: { verifyFraction: 1 } });
    expect(all.reuse.membersReused).toBeGreaterThan(400);
    expect(all.reuse.membersInflated).toBe(all.reuse.membersReused);
    const none = await backupAt(fx, fx.backupDir, at(1), chunk, { reuse: { verifyFraction: 0 } });
    expect(none.reuse.membersReused).toBe(all.reuse.membersReused);
    expect(none.reuse.membersInflated).toBe(0);
    const sampled = await backupAt(fx, fx.backupDir, at(2), chunk);
    expect(sampled.reuse.membersReused).toBe(all.reuse.membersReused);
    // A random sample: with over a dozen expected, none (or four times as many) is a one-in-100,000 draw.
    const expected = sampled.reuse.membersReused * DEFAULT_VERIFY_FRACTION;
    expect(expected).toBeGreaterThan(12);
    expect(sampled.reuse.membersInflated).toBeGreaterThan(0);
    expect(sampled.reuse.membersInflated).toBeLessThan(expected * 4);
  });

  it('never takes over chunks for a download: it is compressed in full', async () => {
    const fx = fixture();
    await backup(fx, fx.backupDir, NOW);
    const chunks: Buffer[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk);
        callback();
      },
    });
    const download = await createBackup({
      dataDir: fx.dataDir,
      destination: { kind: 'stream', stream },
      trigger: 'scheduled',
      now: LATER,
      gzip: { chunkSize: CHUNK },
    });
    expect(download.reuse).toMatchObject({ previous: null, fullReason: 'stream', membersReused: 0, membersInflated: 0 });
    expect(download.reuse.detail).toMatch(/\S/);
    const full = await backup(fx, fx.fullDir, LATER, { reuse: false });
    expect(Buffer.concat(chunks).equals(fs.readFileSync(full.path!))).toBe(true);
  });
});
