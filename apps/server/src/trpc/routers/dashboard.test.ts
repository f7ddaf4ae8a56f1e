import fs from 'node:fs';
import path from 'node:path';
import {
  FREE_SPACE_MARGIN,
  backupSpaceNeeds,
  createBackup,
  recordPushFailure,
  recordPushSuccess,
  parseBackupFileTime,
} from '@evidence-locker/core';
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
    // Dated as retention dates it: the time in the name (a copied directory's mtimes say nothing).
    expect(Date.parse(summary.protection.lastCopyAt!)).toBe(parseBackupFileTime(made.fileName)!.getTime());
    expect(summary.protection.lastCopyFile).toBe(made.fileName);
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

  it('has one line per location: the backup directory first, then each target from its record, with the 3-2-1 picture and the free space', async () => {
    const setup = await createTestServices({ config: { modem_type: 'fritzbox' } });
    const api = createCaller(createTestContext(setup.services).ctx);
    const made = await createBackup({
      dataDir: setup.dataDir,
      destination: { kind: 'directory', backupDir: setup.backupDir },
      trigger: 'manual',
    });
    await setup.services.verifications.record(
      setup.backupDir,
      { fileName: made.fileName, size: made.size, modified: (await api.backups.list()).backups[0]!.modified },
      { ok: true, at: new Date().toISOString() },
    );
    const nas = await api.targets.add({
      name: 'NAS',
      sealed: false,
      address: { kind: 'sftp', host: 'nas.example.net', port: 22, username: 'backup', directory: '/srv/backups' },
      secrets: { password: 'secret-password' },
    });
    const here = await api.targets.add({
      name: 'Loopback',
      sealed: false,
      address: { kind: 'sftp', host: '127.0.0.1', port: 2222, username: 'backup', directory: 'copies' },
      secrets: { password: 'secret-password' },
    });
    await api.targets.add({
      name: 'AWS',
      enabled: false,
      sealed: false,
      address: { kind: 's3', bucket: 'my-bucket', prefix: '', region: 'eu-central-1', pathStyle: false, accessKeyId: 'AKIAEXAMPLE' },
      secrets: { secretAccessKey: 'secret-key' },
    });
    await recordPushSuccess(setup.dataDir, nas.id, made.fileName);
    await recordPushFailure(
      setup.dataDir,
      here.id,
      { code: 'TARGET_UNREACHABLE', message: 'Nothing answers.', details: { host: '127.0.0.1', port: 2222, hops: ['not', 'shown'] } },
      new Date(),
      new Date(Date.now() + 60_000),
    );

    const summary = await api.dashboard.summary();
    expect(JSON.stringify(summary)).not.toContain('secret-');
    expect(summary.locations.map((location) => [location.kind, location.name, location.status, location.offMachine])).toEqual([
      ['local', setup.backupDir, 'off', false],
      ['sftp', 'NAS', 'ok', true],
      ['sftp', 'Loopback', 'failing', false],
      ['s3', 'AWS', 'off', true],
    ]);
    const [local, nasLine, loopback] = summary.locations;
    expect(local).toMatchObject({
      copies: 1,
      holdsNewestBackup: true,
      newest: { name: made.fileName, size: made.size, verification: { ok: true } },
    });
    expect(nasLine).toMatchObject({ id: nas.id, where: 'sftp://backup@nas.example.net/srv/backups', copies: 1, holdsNewestBackup: true });
    expect(nasLine?.newest).toMatchObject({ name: made.fileName, verification: null, size: null });
    expect(loopback).toMatchObject({ failure: { code: 'TARGET_UNREACHABLE', count: 1 }, nextRun: { kind: 'retry' }, newest: null });
    // Its facts come along, so the text in the user's language can fill its placeholders (only strings and numbers).
    expect(loopback?.failure?.details).toEqual({ host: '127.0.0.1', port: 2222 });
    expect(summary.copies).toMatchObject({
      newest: { fileName: made.fileName },
      count: 2,
      places: 2,
      offMachine: 1,
      sameDiskAsData: true,
      rule: { copies: 3, threeCopies: true, twoPlaces: true, oneOffMachine: true },
    });
    expect(summary.space.backupSize).toBe(made.size);
    expect(summary.space.freeBytes).toBeGreaterThan(0);
    // What fits after the working space the backup preflight needs on this disk (the data directory shares it).
    const [dataDirNeed] = await backupSpaceNeeds(setup.dataDir, setup.backupDir);
    expect(dataDirNeed!.bytes).toBeGreaterThan(FREE_SPACE_MARGIN);
    expect(summary.space.moreBackups).toBe(Math.floor((summary.space.freeBytes! - dataDirNeed!.bytes) / made.size));
    expect(summary.testRestore).toMatchObject({ enabled: false, reason: 'not started', last: null });
  });

  it('passes on the test restores’ state', async () => {
    const setup = await createTestServices();
    const last = {
      ok: true,
      at: '2026-11-20T03:00:00+01:00',
      fileName: 'docsight_backup_2026-11-20_020000.tar.gz',
      backupMadeAt: '2026-11-20T02:00:00+01:00',
    };
    setup.services.testRestoreState = () => ({
      enabled: true,
      reason: null,
      intervalDays: 7,
      last,
      lastGood: last,
      nextRunAt: '2026-11-27T03:00:00+01:00',
      running: false,
    });
    const summary = await createCaller(createTestContext(setup.services).ctx).dashboard.summary();
    expect(summary.testRestore).toEqual({
      enabled: true,
      reason: null,
      intervalDays: 7,
      last,
      lastGood: last,
      nextRunAt: '2026-11-27T03:00:00+01:00',
      running: false,
    });
  });
});

const STATE: ScheduleState = {
  enabled: true,
  reason: null,
  paused: false,
  backupPath: '/backup',
  intervalHours: 24,
  retention: 5,
  retentionRule: { keepLast: 5, includeManual: false, includePreRestore: false },
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
