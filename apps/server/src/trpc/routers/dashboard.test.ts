import { describe, expect, it } from 'vitest';
import { createTestContext, createTestServices } from '@evidence-locker/server/testing/test-services';
import { createCallerFactory } from '../init.ts';
import { appRouter } from './_app.ts';

const createCaller = createCallerFactory(appRouter);
describe('dashboard router', () => {
  it('reports the modem without its password, row counts of both databases and the snapshot range', async () => {
    const setup = await createTestServices({
      config: { modem_type: 'fritzbox', modem_url: 'http://192.168.178.1', modem_user: 'admin', modem_password: 'gAAAAAsecret' },
    });
    const db = setup.services.instance.historyDb;
    const insert = db.prepare(
      "INSERT INTO snapshots (timestamp, summary_json, ds_channels_json, us_channels_json) VALUES (?, '{}', '[]', '[]')",
    );
    for (const timestamp of ['2026-01-02T06:00:00Z', '2025-12-31T23:45:00Z', '2026-01-01T12:00:00Z']) insert.run(timestamp);
    setup.services.instance.connectionMonitorDb
      .prepare("INSERT INTO connection_targets (label, host, created_at) VALUES ('gw', '192.168.178.1', 1767225600.0)")
      .run();

    const summary = await createCaller(createTestContext(setup.services).ctx).dashboard.summary();
    expect(summary.modem).toEqual({ type: 'fritzbox', url: 'http://192.168.178.1', user: 'admin' });
    expect(JSON.stringify(summary)).not.toContain('gAAAAAsecret');
    expect(summary).toMatchObject({ demoMode: false, configured: true, schedule: null });
    expect(summary.databases.history).toMatchObject({
      firstSnapshot: '2025-12-31T23:45:00Z',
      lastSnapshot: '2026-01-02T06:00:00Z',
    });
    expect(summary.databases.history.tables).toMatchObject({ snapshots: 3, events: 0 });
    expect(summary.databases.connectionMonitor.tables).toMatchObject({ connection_targets: 1, connection_samples: 0 });
  });

  it('reports no modem and no snapshot range on a fresh instance', async () => {
    const setup = await createTestServices();
    const summary = await createCaller(createTestContext(setup.services).ctx).dashboard.summary();
    expect(summary).toMatchObject({
      modem: null,
      configured: false,
      databases: { history: { firstSnapshot: null, lastSnapshot: null } },
    });
    expect(summary.databases.history.tables?.['snapshots']).toBe(0);
  });

  it('passes on what the schedule reports', async () => {
    const setup = await createTestServices({ config: { modem_type: 'fritzbox' } });
    const state = {
      enabled: true,
      reason: null,
      paused: false,
      backupPath: '/backup',
      intervalHours: 24,
      retention: 5,
      lastSuccessAt: '2026-01-01T07:00:00.000+01:00',
      lastSuccessFile: 'docsight_backup_2026-01-01_070000.tar.gz',
      lastFailureAt: null,
      lastFailureMessage: null,
      consecutiveFailures: 0,
      nextRunAt: '2026-01-02T07:00:00.000+01:00',
      running: false,
      lastBackupAt: '2026-01-01T07:00:00.000+01:00',
      nextBackupAt: '2026-01-02T07:00:00.000+01:00',
    };
    setup.services.scheduleState = () => state;
    const summary = await createCaller(createTestContext(setup.services).ctx).dashboard.summary();
    expect(summary.schedule).toEqual(state);
  });
});
