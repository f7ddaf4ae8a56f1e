import fs from 'node:fs';
import path from 'node:path';
import { createBackup } from '@evidence-locker/core';
import { describe, expect, it } from 'vitest';
import { createTestContext, createTestServices } from '@evidence-locker/server/testing/test-services';
import { createCallerFactory } from '../init.ts';
import type { ScheduleState } from '../../schedule-state.ts';
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
    // In a person's words, and per UTC day for the chart (days without snapshots are left out).
    expect(summary.databases.evidence).toMatchObject({ signalSnapshots: 3, speedTests: 0, modemEvents: 0, connectionSamples: 0 });
    expect(summary.databases.history.snapshotsPerDay).toEqual([
      { day: '2025-12-31', snapshots: 1 },
      { day: '2026-01-01', snapshots: 1 },
      { day: '2026-01-02', snapshots: 1 },
    ]);
  });

  it('reports no modem and no snapshot range on a fresh instance', async () => {
    const setup = await createTestServices();
    const summary = await createCaller(createTestContext(setup.services).ctx).dashboard.summary();
    expect(summary).toMatchObject({
      modem: null,
      configured: false,
      databases: { history: { firstSnapshot: null, lastSnapshot: null, snapshotsPerDay: [] } },
      protection: { state: 'unprotected', copies: 0, newestBackup: null, lastCopyAt: null, fixSection: 'automatic-backups' },
    });
    expect(summary.databases.history.tables?.['snapshots']).toBe(0);
  });

  it('says the evidence is protected by the newest archive in the backup directory, whatever made it', async () => {
    const setup = await createTestServices({ config: { modem_type: 'fritzbox' } });
    const made = await createBackup({
      dataDir: setup.dataDir,
      destination: { kind: 'directory', backupDir: setup.backupDir },
      trigger: 'manual',
    });
    const summary = await createCaller(createTestContext(setup.services).ctx).dashboard.summary();
    expect(summary.protection).toMatchObject({
      state: 'protected',
      backupPath: setup.backupDir,
      copies: 1,
      newestBackup: { fileName: made.fileName, dir: setup.backupDir, size: made.size },
      failure: null,
      fixSection: null,
    });
    expect(summary.protection.lastCopyAt).toBe(summary.protection.newestBackup?.modified);
  });

  it('counts a complete download as a copy the user holds', async () => {
    const setup = await createTestServices({ config: { modem_type: 'fritzbox' } });
    const at = new Date();
    setup.services.downloads.noteFinished(at);
    const summary = await createCaller(createTestContext(setup.services).ctx).dashboard.summary();
    expect(summary.protection).toMatchObject({ state: 'protected', copies: 0, newestBackup: null });
    expect(Date.parse(summary.protection.lastDownloadAt!)).toBe(at.getTime());
    expect(summary.protection.lastCopyAt).toBe(summary.protection.lastDownloadAt);
  });

  it('reports a failing schedule with its cause and since when, although older backups exist', async () => {
    const setup = await createTestServices({ config: { modem_type: 'fritzbox' } });
    await createBackup({ dataDir: setup.dataDir, destination: { kind: 'directory', backupDir: setup.backupDir }, trigger: 'scheduled' });
    setup.services.scheduleState = () => ({
      ...STATE,
      backupPath: setup.backupDir,
      consecutiveFailures: 3,
      failingSince: '2026-01-01T08:00:00.000+01:00',
      lastFailureAt: '2026-01-01T08:07:00.000+01:00',
      lastFailureCode: 'BACKUP_DIR_UNUSABLE',
      lastFailureMessage: `Backup directory ${setup.backupDir} cannot be written.`,
      lastFailureDetails: { path: setup.backupDir },
    });
    const summary = await createCaller(createTestContext(setup.services).ctx).dashboard.summary();
    expect(summary.protection).toMatchObject({
      state: 'failing',
      copies: 1,
      fixSection: 'automatic-backups',
      failure: { since: '2026-01-01T08:00:00.000+01:00', count: 3, code: 'BACKUP_DIR_UNUSABLE', details: { path: setup.backupDir } },
    });
  });

  it('says failing when the backup directory cannot be listed, with the engine code', async () => {
    const setup = await createTestServices({ config: { modem_type: 'fritzbox' } });
    fs.rmSync(setup.backupDir, { recursive: true, force: true });
    fs.writeFileSync(setup.backupDir, 'not a directory');
    const summary = await createCaller(createTestContext(setup.services).ctx).dashboard.summary();
    expect(summary.protection).toMatchObject({ state: 'failing', failure: { count: 0, code: 'BACKUP_DIR_UNUSABLE' } });
  });

  it('still counts the backups in the directory the backup path pointed at before', async () => {
    const setup = await createTestServices({ config: { modem_type: 'fritzbox' } });
    const before = path.join(setup.root, 'before');
    fs.mkdirSync(before);
    const made = await createBackup({
      dataDir: setup.dataDir,
      destination: { kind: 'directory', backupDir: before },
      trigger: 'scheduled',
    });
    setup.services.scheduleState = () => ({ ...STATE, backupPath: setup.backupDir, previousBackupPaths: [before] });
    const summary = await createCaller(createTestContext(setup.services).ctx).dashboard.summary();
    expect(summary.protection).toMatchObject({
      state: 'protected',
      copies: 0,
      earlierPaths: [{ path: before, copies: 1 }],
      newestBackup: { fileName: made.fileName, dir: before },
    });
    expect(summary.protection.backups).toHaveLength(1);
  });

  it('passes on what the schedule reports', async () => {
    const setup = await createTestServices({ config: { modem_type: 'fritzbox' } });
    const state = STATE;
    setup.services.scheduleState = () => state;
    const summary = await createCaller(createTestContext(setup.services).ctx).dashboard.summary();
    expect(summary.schedule).toEqual(state);
  });
});

const STATE: ScheduleState = {
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
  failingSince: null,
  lastFailureCode: null,
  lastFailureDetails: {},
  previousBackupPaths: [],
};
