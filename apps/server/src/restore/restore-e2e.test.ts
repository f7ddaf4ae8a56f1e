/**
 * End to end over real HTTP: a listening server on a fresh data directory, the DOCSight fixture
 * uploaded with fetch, restored through the typed client, the job followed, and the restored rows
 * read back through the dashboard procedure.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLockerClient } from '../client.ts';
import type { JobSnapshot } from '../jobs/job-snapshot.ts';
import { startServer, type RunningServer } from '../serve.ts';
import type { RestoreJobResult } from './restore-job-result.ts';
import {
  FIXTURE_A,
  FIXTURE_A_CONNECTION_SAMPLES,
  FIXTURE_A_SNAPSHOTS,
  stagedUploads,
} from '@evidence-locker/server/testing/restore-support';

let server: RunningServer | undefined;
let root: string | undefined;
afterEach(async () => {
  await server?.close();
  if (root) fs.rmSync(root, { recursive: true, force: true });
  server = undefined;
  root = undefined;
});

describe('restore end to end', () => {
  it('uploads the DOCSight fixture, restores it on a fresh instance and serves its rows', async () => {
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'el-restore-e2e-')));
    const dataDir = path.join(root, 'data');
    const backupDir = path.join(root, 'backups');
    server = await startServer(
      { dataDir, backupDir, host: '127.0.0.1', port: 0, browseRoots: [root], logLevel: 'silent' },
      { handleSignals: false, webDistDir: path.join(root, 'no-web-dist') },
    );
    const client = createLockerClient(server.url);
    expect(await client.setup.state.query()).toMatchObject({ configured: false, hasAdminPassword: false });

    const response = await fetch(`${server.url}/api/uploads`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: fs.readFileSync(FIXTURE_A),
    });
    expect(response.status).toBe(200);
    const uploaded = (await response.json()) as { uploadId: string; validation: { has_database: boolean } };
    expect(uploaded.validation.has_database).toBe(true);
    expect((await client.restore.uploaded.query({ uploadId: uploaded.uploadId })).uploadId).toBe(uploaded.uploadId);

    let job: JobSnapshot = await client.restore.start.mutate({ uploadId: uploaded.uploadId });
    const deadline = Date.now() + 30_000;
    while (job.state === 'queued' || job.state === 'running') {
      if (Date.now() > deadline) throw new Error(`restore still ${job.state} after 30 s`);
      await new Promise((resolve) => setTimeout(resolve, 50));
      job = await client.jobs.get.query({ id: job.id });
    }
    expect(job.error).toBeNull();
    expect(job.state).toBe('succeeded');
    const result = job.result as RestoreJobResult;
    expect(result).toMatchObject({ configured: true, preRestoreBackup: null });
    // The fixture has no admin password, so no login is needed to read the dashboard.
    expect(result.needsLogin).toBe(false);

    const summary = await client.dashboard.summary.query();
    expect(summary.configured).toBe(true);
    expect(summary.databases.history.tables?.['snapshots']).toBe(FIXTURE_A_SNAPSHOTS);
    expect(summary.databases.connectionMonitor.tables?.['connection_samples']).toBe(FIXTURE_A_CONNECTION_SAMPLES);
    expect(await client.setup.state.query()).toMatchObject({ configured: true, needsLogin: false });
    expect(stagedUploads(dataDir)).toEqual([]);
  });
});
