/**
 * pushBackup against a real WebDAV server (Debian's rclone serve webdav on loopback): a plain
 * backup sent as it is, sealed on the way (the copy opens with the key to the very bytes), an
 * already sealed backup sent as it is, and the refusals (a name that is not a backup's, a missing
 * file, a copy the target already holds).
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startWebdav, type RunningWebdav } from '@evidence-locker/test-servers/webdav';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createWebdavTarget,
  generateSealIdentity,
  openSealedStream,
  pushBackup,
  type BackupTarget,
  type SealIdentity,
} from '../src/index.ts';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'push-backup-'));
const backupDir = path.join(work, 'backups');
let server: RunningWebdav;
let target: BackupTarget;
let key: SealIdentity;

const PLAIN = 'docsight_backup_2026-03-01_020000.tar.gz';
const SEALED = 'docsight_backup_2026-03-02_020000.tar.gz.age';

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

beforeAll(async () => {
  fs.mkdirSync(backupDir);
  server = await startWebdav();
  fs.mkdirSync(path.join(server.rootDir, 'offsite'));
  target = createWebdavTarget({ url: `${server.url}offsite/`, username: server.username, password: server.password });
  key = await generateSealIdentity();
}, 120_000);

afterAll(async () => {
  await target.close();
  await server.stop();
  fs.rmSync(work, { recursive: true, force: true });
});

describe('pushBackup', () => {
  it('sends a plain backup as it is when no key is given, reporting progress up to its size', async () => {
    const bytes = randomBytes(300_000);
    fs.writeFileSync(path.join(backupDir, PLAIN), bytes);
    let progress = 0;
    const result = await pushBackup(target, { backupDir, fileName: PLAIN }, { onBytes: (done) => (progress = done) });
    expect(result).toEqual({ remoteName: PLAIN, size: bytes.length, sealed: false });
    expect(progress).toBe(bytes.length);
    expect(sha256(fs.readFileSync(path.join(server.rootDir, 'offsite', PLAIN)))).toBe(sha256(bytes));
  });

  it('seals a plain backup on the way: the copy is named .age and opens with the identity to the same bytes', async () => {
    const name = 'docsight_backup_2026-03-01_030000.tar.gz';
    const bytes = randomBytes(200_000);
    fs.writeFileSync(path.join(backupDir, name), bytes);
    const result = await pushBackup(target, { backupDir, fileName: name }, { seal: { recipients: [key.recipient] } });
    expect(result.remoteName).toBe(`${name}.age`);
    expect(result.sealed).toBe(true);
    const stored = path.join(server.rootDir, 'offsite', `${name}.age`);
    expect(fs.statSync(stored).size).toBe(result.size);
    expect(fs.existsSync(path.join(server.rootDir, 'offsite', name))).toBe(false);
    const { stream } = await target.download(`${name}.age`);
    const opened = await readAll(openSealedStream(stream, { identities: [key.identity] }));
    expect(sha256(opened)).toBe(sha256(bytes));
    // The local backup is left as it was.
    expect(sha256(fs.readFileSync(path.join(backupDir, name)))).toBe(sha256(bytes));
  });

  it('sends an already sealed backup as it is, even with a key', async () => {
    const bytes = randomBytes(100_000);
    fs.writeFileSync(path.join(backupDir, SEALED), bytes);
    const result = await pushBackup(target, { backupDir, fileName: SEALED }, { seal: { recipients: [key.recipient] } });
    expect(result).toEqual({ remoteName: SEALED, size: bytes.length, sealed: true });
    expect(sha256(fs.readFileSync(path.join(server.rootDir, 'offsite', SEALED)))).toBe(sha256(bytes));
  });

  it('refuses a name that is not a backup, a missing backup and a copy the target already holds', async () => {
    await expect(pushBackup(target, { backupDir, fileName: '../config.json' })).rejects.toMatchObject({ code: 'BACKUP_NAME_INVALID' });
    await expect(pushBackup(target, { backupDir, fileName: 'docsight_backup_2020-01-01_000000.tar.gz' })).rejects.toMatchObject({
      code: 'BACKUP_NOT_FOUND',
    });
    await expect(pushBackup(target, { backupDir, fileName: PLAIN })).rejects.toMatchObject({ code: 'TARGET_NAME_TAKEN' });
    await expect(pushBackup(target, { backupDir, fileName: PLAIN }, { seal: { recipients: ['age1notarecipient'] } })).rejects.toMatchObject(
      { code: 'SEAL_KEY_INVALID' },
    );
  });

  it('stops with CANCELLED when aborted and leaves nothing under the final name', async () => {
    const name = 'docsight_backup_2026-03-01_040000.tar.gz';
    fs.writeFileSync(path.join(backupDir, name), randomBytes(8 * 1024 * 1024));
    const controller = new AbortController();
    const pushing = pushBackup(
      target,
      { backupDir, fileName: name },
      { signal: controller.signal, onBytes: (done) => done > 0 && controller.abort() },
    );
    await expect(pushing).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(fs.existsSync(path.join(server.rootDir, 'offsite', name))).toBe(false);
  });
});
