import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTestContext, createTestServices } from '@evidence-locker/server/testing/test-services';
import type { AlertSignals, AlertSubject } from '../alerts/alert-signals.ts';
import { createServerServices } from '../server-services.ts';
import { createCallerFactory } from '../trpc/init.ts';
import { appRouter } from '../trpc/routers/_app.ts';
import type { ServerServices } from '../trpc/context.ts';
import { verifyScheduledBackup } from './verify-scheduled-backup.ts';

const createCaller = createCallerFactory(appRouter);

type Told = { ok: boolean; subject: AlertSubject; code?: string; fileName?: string };

function recordingAlerts(): AlertSignals & { told: Told[] } {
  const told: Told[] = [];
  return {
    told,
    failed: (subject, failure) =>
      told.push({ ok: false, subject, code: failure.code, ...(failure.fileName ? { fileName: failure.fileName } : {}) }),
    succeeded: (subject, success) => told.push({ ok: true, subject, ...(success.fileName ? { fileName: success.fileName } : {}) }),
  };
}

/** Resolves with the first job of `kind` once one exists (it is queued by a callback, not by the test). */
async function jobOf(services: ServerServices, kind: 'verify' | 'backup'): Promise<string> {
  for (;;) {
    const job = services.jobs.list().find((candidate) => candidate.kind === kind);
    if (job) return job.id;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('verification after each scheduled backup', () => {
  it('verifies the scheduled backup at once: the list shows it verified, the alerts hear of it', async () => {
    const setup = await createTestServices({ config: { modem_type: 'fritzbox', backup_enabled: true } });
    // The server's own services, with the schedule starting at once (SCHEDULE_START_DELAY_SECONDS=0).
    const services = createServerServices({ env: { ...setup.env, scheduleStartDelayMs: 0 }, instance: setup.services.instance });
    const alerts = recordingAlerts();
    services.alerts = alerts;
    try {
      await services.scheduler.start();
      const backup = await services.jobs.wait(await jobOf(services, 'backup'));
      expect(backup.state).toBe('succeeded');
      const verify = await services.jobs.wait(await jobOf(services, 'verify'));
      expect(verify).toMatchObject({ state: 'succeeded', result: { databasesChecked: expect.any(Array) } });
      const fileName = backup.kind === 'backup' ? backup.result?.fileName : undefined;
      // The schedule tells of its backup first, then the verification behind it.
      expect(alerts.told).toEqual([
        { ok: true, subject: { kind: 'scheduled-backup' }, fileName },
        { ok: true, subject: { kind: 'verification' }, fileName },
      ]);
      const api = createCaller(createTestContext(services).ctx);
      const { backups } = await api.backups.list();
      expect(backups).toEqual([
        expect.objectContaining({ fileName, trigger: 'scheduled', verified: expect.objectContaining({ ok: true }) }),
      ]);
    } finally {
      services.scheduler.stop();
      await services.jobs.close();
    }
  });

  it('records a scheduled backup that fails the check and tells the alerts its code', async () => {
    const setup = await createTestServices({ config: { modem_type: 'fritzbox' } });
    const alerts = recordingAlerts();
    const fileName = 'docsight_backup_2026-11-20_070000.tar.gz';
    const file = path.join(setup.backupDir, fileName);
    fs.writeFileSync(file, 'damaged on the way to the disk');
    const id = await verifyScheduledBackup({ ...setup.services, alerts }, { fileName, path: file });
    expect(await setup.services.jobs.wait(id)).toMatchObject({ state: 'failed', error: { code: 'ARCHIVE_NOT_GZIP' } });
    expect(alerts.told).toEqual([{ ok: false, subject: { kind: 'verification' }, code: 'ARCHIVE_NOT_GZIP', fileName }]);
    const { backups } = await createCaller(createTestContext(setup.services).ctx).backups.list();
    expect(backups[0]?.verified).toMatchObject({ ok: false, code: 'ARCHIVE_NOT_GZIP' });
  });
});
