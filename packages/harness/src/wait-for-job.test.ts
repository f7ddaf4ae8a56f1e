import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type LockerClient } from './create-client.ts';
import { startServer, type RunningServer } from './start-server.ts';
import { uploadArchive } from './upload-archive.ts';
import { JobFailedError, waitForJob, waitForJobEnd } from './wait-for-job.ts';

let root: string;
let server: RunningServer;
let client: LockerClient;

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'el-harness-jobs-'));
  server = await startServer({ dataDir: path.join(root, 'data'), backupDir: path.join(root, 'backups') });
  client = createClient(server.url);
});

afterAll(async () => {
  await server?.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('waitForJob against the built server', () => {
  it('resolves with the snapshot of a job that succeeded', async () => {
    const started = await client.backups.create.mutate();
    const job = await waitForJob(client, started.id);
    expect(job).toMatchObject({ id: started.id, kind: 'backup', state: 'succeeded', error: null });
    if (job.kind !== 'backup' || !job.result) throw new Error('no backup result');
    expect(fs.existsSync(path.join(root, 'backups', job.result.fileName))).toBe(true);
  });

  it('rejects with the last snapshot of a job that failed; waitForJobEnd resolves with it', async () => {
    const fileName = 'docsight_backup_2026-01-01_000000.tar.gz';
    fs.writeFileSync(path.join(root, 'backups', fileName), 'not a gzip file');
    const started = await client.backups.verify.mutate({ fileName });
    const failure = await waitForJob(client, started.id).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(JobFailedError);
    expect((failure as JobFailedError).job).toMatchObject({ id: started.id, state: 'failed', error: { code: 'ARCHIVE_NOT_GZIP' } });
    expect((failure as Error).message).toContain('ARCHIVE_NOT_GZIP');
    expect(await waitForJobEnd(client, started.id)).toMatchObject({ state: 'failed', error: { code: 'ARCHIVE_NOT_GZIP' } });
  });

  it('rejects once the server is gone instead of waiting on', async () => {
    const other = await startServer({ dataDir: path.join(root, 'other-data'), backupDir: path.join(root, 'other-backups') });
    const otherClient = createClient(other.url);
    const started = await otherClient.backups.create.mutate();
    await other.stop();
    await expect(waitForJob(otherClient, started.id)).rejects.toThrow(/fetch failed/);
  });
});

describe('uploadArchive against the built server', () => {
  it('streams an archive to POST /api/uploads and answers its upload id', async () => {
    const made = await waitForJob(client, (await client.backups.create.mutate()).id);
    if (made.kind !== 'backup' || !made.result) throw new Error('no backup result');
    const uploadId = await uploadArchive(server.url, made.result.path);
    expect(uploadId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('throws with the answer when the server refuses the file', async () => {
    const file = path.join(root, 'not-gzip.tar.gz');
    fs.writeFileSync(file, 'plain text, not an archive');
    await expect(uploadArchive(server.url, file)).rejects.toThrow(/POST \/api\/uploads answered 4\d\d: .*ARCHIVE_NOT_GZIP/);
  });
});
