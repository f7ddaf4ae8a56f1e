import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readBackupTrigger } from './read-backup-trigger.ts';
import { FIXTURE_ARCHIVES } from '@evidence-locker/core/testing/db-fixture-archives';
import { writeTestArchive } from '@evidence-locker/core/testing/write-test-archive';

const DOCSIGHT_ARCHIVE = FIXTURE_ARCHIVES['a-real-1m'];

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'el-trigger-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const meta = (extra: Record<string, unknown>) => ({ magic: 'docsight-backup', format_version: 1, ...extra });

describe('readBackupTrigger', () => {
  it('reads "scheduled" from a ustar archive whose first member is backup_meta.json', async () => {
    const path = join(dir, 'a.tar.gz');
    await writeTestArchive(path, { meta: meta({ trigger: 'scheduled' }) });
    expect(await readBackupTrigger(path)).toBe('scheduled');
  });

  it('reads the trigger when every member has a PAX header, as Python tarfile writes', async () => {
    const path = join(dir, 'a.tar.gz');
    await writeTestArchive(path, { meta: meta({ trigger: 'pre-restore' }), pax: true });
    expect(await readBackupTrigger(path)).toBe('pre-restore');
  });

  it('reads a meta that spans several gzip output chunks', async () => {
    const path = join(dir, 'a.tar.gz');
    const tables = Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`table_${i}`, i]));
    await writeTestArchive(path, { meta: meta({ tables, trigger: 'manual' }) });
    expect(await readBackupTrigger(path)).toBe('manual');
  });

  it('gives null for a real DOCSight archive, which has no trigger', async () => {
    expect(await readBackupTrigger(DOCSIGHT_ARCHIVE)).toBeNull();
  });

  it('gives null when the trigger is not one of ours', async () => {
    const path = join(dir, 'a.tar.gz');
    await writeTestArchive(path, { meta: meta({ trigger: 'cron' }) });
    expect(await readBackupTrigger(path)).toBeNull();
  });

  it('gives null when the meta is not JSON or not an object', async () => {
    const broken = join(dir, 'broken.tar.gz');
    await writeTestArchive(broken, { metaText: '{"trigger": "manual"' });
    expect(await readBackupTrigger(broken)).toBeNull();
    const array = join(dir, 'array.tar.gz');
    await writeTestArchive(array, { metaText: '["manual"]' });
    expect(await readBackupTrigger(array)).toBeNull();
  });

  it('reads the trigger of an archive packed again with backup_meta.json after the data members', async () => {
    const path = join(dir, 'a.tar.gz');
    await writeTestArchive(path, {
      firstMemberName: 'config.json',
      members: [
        { name: 'docsis_history.db', content: Buffer.alloc(300 * 1024, 1) },
        { name: './backup_meta.json', content: Buffer.from(JSON.stringify(meta({ trigger: 'manual' }))) },
      ],
      pax: true,
    });
    expect(await readBackupTrigger(path)).toBe('manual');
  });

  it('gives null when backup_meta.json comes only after more than 64 MiB of other members', async () => {
    const path = join(dir, 'a.tar.gz');
    await writeTestArchive(path, {
      firstMemberName: 'config.json',
      members: [
        { name: 'docsis_history.db', content: Buffer.alloc(64 * 1024 * 1024) },
        { name: 'backup_meta.json', content: Buffer.from(JSON.stringify(meta({ trigger: 'manual' }))) },
      ],
    });
    expect(await readBackupTrigger(path)).toBeNull();
  });

  it('gives null when the archive ends without backup_meta.json', async () => {
    const path = join(dir, 'a.tar.gz');
    await writeTestArchive(path, { firstMemberName: 'config.json', metaText: JSON.stringify(meta({ trigger: 'manual' })) });
    expect(await readBackupTrigger(path)).toBeNull();
  });

  it('gives null for a file that is not gzip, a gzip that is not tar, and a truncated gzip', async () => {
    const plain = join(dir, 'plain.tar.gz');
    writeFileSync(plain, 'not a tar file');
    const notTar = join(dir, 'not-tar.tar.gz');
    writeFileSync(notTar, gzipSync(Buffer.from('{"trigger":"manual"}'.padEnd(2048, ' '))));
    const truncated = join(dir, 'truncated.tar.gz');
    writeFileSync(truncated, gzipSync(Buffer.alloc(4096, 1)).subarray(0, 12));
    const empty = join(dir, 'empty.tar.gz');
    writeFileSync(empty, '');
    for (const path of [plain, notTar, truncated, empty, join(dir, 'missing.tar.gz')]) {
      expect(await readBackupTrigger(path)).toBeNull();
    }
  });

  it('gives null for a first member larger than any meta (1 MiB), even if it parses', async () => {
    const path = join(dir, 'big.tar.gz');
    const padding = ' '.repeat(1024 * 1024 + 1);
    await writeTestArchive(path, { metaText: JSON.stringify(meta({ trigger: 'manual', padding })) });
    expect(await readBackupTrigger(path)).toBeNull();
  });

  it('remembers the trigger of a file it has read until the file changes', async () => {
    const path = join(dir, 'docsight_backup_2026-11-26_010203.tar.gz');
    await writeTestArchive(path, { meta: meta({ trigger: 'scheduled' }) });
    const first = statSync(path);
    expect(await readBackupTrigger(path, first)).toBe('scheduled');
    await writeTestArchive(path, { meta: meta({ trigger: 'manual' }) });
    // The same identity: answered from memory, without reading the file again.
    expect(await readBackupTrigger(path, first)).toBe('scheduled');
    // Another version of the file (size, mtime or inode differ): read again.
    expect(await readBackupTrigger(path, { ...first, mtimeMs: first.mtimeMs + 5000 })).toBe('manual');
    expect(await readBackupTrigger(path, statSync(path))).toBe('manual');
    // Without an identity nothing is reused.
    await writeTestArchive(path, { meta: meta({ trigger: 'pre-restore' }) });
    expect(await readBackupTrigger(path)).toBe('pre-restore');
  });
});
