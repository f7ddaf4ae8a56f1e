import { createBackup, hashPassword, recordPushFailure, recordPushSuccess } from '@evidence-locker/core';
import Fastify from 'fastify';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createTestContext, createTestServices, type TestServices } from '@evidence-locker/server/testing/test-services';
import { serveTestApp } from '@evidence-locker/server/testing/serve-test-app';
import { createCallerFactory } from '../trpc/init.ts';
import { appRouter } from '../trpc/routers/_app.ts';
import { registerMetricsRoute } from './metrics-route.ts';

const createCaller = createCallerFactory(appRouter);

/**
 * A strict reader of the Prometheus text format 0.0.4 (prometheus.io "Exposition formats"): every
 * line is a HELP, a TYPE or a sample; names and label names follow the grammar; label values use
 * only the escapes \\ \" \n; a metric has at most one HELP and one TYPE, both before its samples,
 * and its samples are together; no series twice. Throws naming the line otherwise.
 */
type Sample = { labels: Record<string, string>; value: number };
type Family = { help?: string; type?: string; samples: Sample[] };

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const VALUE = /^(?:[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|NaN|[+-]Inf)$/;

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let rest = text;
  while (rest.length > 0) {
    const eq = rest.indexOf('=');
    const name = rest.slice(0, eq);
    if (eq < 0 || !LABEL_NAME.test(name) || rest[eq + 1] !== '"') throw new Error(`Bad label in: ${line}`);
    let value = '';
    let at = eq + 2;
    for (;;) {
      const char = rest[at];
      if (char === undefined || char === '\n') throw new Error(`Unterminated label value in: ${line}`);
      if (char === '"') break;
      if (char === '\\') {
        const next = rest[at + 1];
        if (next === '\\') value += '\\';
        else if (next === '"') value += '"';
        else if (next === 'n') value += '\n';
        else throw new Error(`Bad escape in: ${line}`);
        at += 2;
      } else {
        value += char;
        at += 1;
      }
    }
    if (name in labels) throw new Error(`Label ${name} twice in: ${line}`);
    labels[name] = value;
    rest = rest.slice(at + 1);
    if (rest.startsWith(',')) rest = rest.slice(1);
    else if (rest.length > 0) throw new Error(`Expected , between labels in: ${line}`);
  }
  return labels;
}

function parseExposition(body: string): Map<string, Family> {
  if (!body.endsWith('\n')) throw new Error('The body does not end with a newline.');
  const families = new Map<string, Family>();
  const finished = new Set<string>();
  let current: string | null = null;
  const family = (name: string): Family => {
    if (current !== name) {
      if (current !== null) finished.add(current);
      if (finished.has(name)) throw new Error(`${name} is not together in one group.`);
      current = name;
    }
    let entry = families.get(name);
    if (!entry) families.set(name, (entry = { samples: [] }));
    return entry;
  };
  for (const line of body.slice(0, -1).split('\n')) {
    if (line === '') continue;
    let match: RegExpExecArray | null;
    if ((match = new RegExp(`^# HELP (${NAME}) (.*)$`).exec(line))) {
      const entry = family(match[1]!);
      if (entry.help !== undefined || entry.samples.length > 0) throw new Error(`HELP twice or late: ${line}`);
      if (match[2]!.replace(/\\[\\n]/g, '').includes('\\')) throw new Error(`Bad escape in HELP: ${line}`);
      entry.help = match[2]!;
    } else if ((match = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`).exec(line))) {
      const entry = family(match[1]!);
      if (entry.type !== undefined || entry.samples.length > 0) throw new Error(`TYPE twice or late: ${line}`);
      entry.type = match[2]!;
    } else if (line.startsWith('#')) {
      throw new Error(`A comment that is neither HELP nor TYPE: ${line}`);
    } else if ((match = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)(?: (-?\\d+))?$`).exec(line))) {
      const entry = family(match[1]!);
      if (!VALUE.test(match[3]!)) throw new Error(`Bad value: ${line}`);
      const labels = parseLabels(match[2] ?? '', line);
      const key = JSON.stringify(Object.entries(labels).sort());
      if (entry.samples.some((sample) => JSON.stringify(Object.entries(sample.labels).sort()) === key)) {
        throw new Error(`Series twice: ${line}`);
      }
      entry.samples.push({ labels, value: Number(match[3]) });
    } else {
      throw new Error(`Not a line of the text format: ${JSON.stringify(line)}`);
    }
  }
  return families;
}

async function scrape(setup: TestServices) {
  const app = Fastify({ logger: false });
  registerMetricsRoute(app, setup.services);
  onTestFinished(() => app.close());
  const response = await app.inject({ method: 'GET', url: '/metrics' });
  expect(response.statusCode).toBe(200);
  return { response, families: parseExposition(response.body) };
}

const value = (families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number | undefined =>
  families
    .get(`evidence_locker_${name}`)
    ?.samples.find((sample) => Object.entries(labels).every(([key, wanted]) => sample.labels[key] === wanted))?.value;

describe('parseExposition (the test’s own reader)', () => {
  it('refuses what the format does not allow', () => {
    expect(() => parseExposition('a 1')).toThrow(/newline/);
    expect(() => parseExposition('a{b="c} 1\n')).toThrow(/Unterminated/);
    expect(() => parseExposition('a{b="\\x"} 1\n')).toThrow(/escape/);
    expect(() => parseExposition('a one\n')).toThrow(/Bad value/);
    expect(() => parseExposition('a 1\nb 1\na 2\n')).toThrow(/together/);
    expect(() => parseExposition('a 1\na 2\n')).toThrow(/twice/);
    expect(() => parseExposition('a 1\n# TYPE a gauge\n')).toThrow(/late/);
    expect(() => parseExposition('9a 1\n')).toThrow(/Not a line/);
    expect(() => parseExposition('# HELP a A \\ thing.\n')).toThrow(/escape in HELP/);
    expect(parseExposition('# HELP a A \\\\ thing.\n# TYPE a gauge\na{b="x\\"y\\n"} -1.5e3\n').get('a')).toEqual({
      help: 'A \\\\ thing.',
      type: 'gauge',
      samples: [{ labels: { b: 'x"y\n' }, value: -1500 }],
    });
  });
});

describe('GET /metrics', () => {
  it('parses on a fresh instance, every metric with HELP and TYPE, unknown values left out', async () => {
    const setup = await createTestServices();
    const { response, families } = await scrape(setup);
    expect(response.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(response.headers['cache-control']).toBe('no-store');
    for (const [name, entry] of families) {
      expect(name).toMatch(/^evidence_locker_/);
      expect(entry).toMatchObject({ help: expect.any(String), type: 'gauge' });
    }
    expect(value(families, 'protection_state', { state: 'unprotected' })).toBe(1);
    expect(value(families, 'protection_state', { state: 'protected' })).toBe(0);
    expect(value(families, 'location_status', { location: 'backup directory', kind: 'local', status: 'stale' })).toBe(1);
    expect(value(families, 'location_copies', { location: 'backup directory' })).toBe(0);
    expect(families.has('evidence_locker_backup_newest_timestamp_seconds')).toBe(false);
    expect(families.get('evidence_locker_backup_newest_verification')?.samples).toEqual([]);
    expect(value(families, 'test_restore_enabled')).toBe(0);
    expect(families.has('evidence_locker_test_restore_last_success')).toBe(false);
    expect(value(families, 'backup_dir_free_bytes')).toBeGreaterThan(0);
  });

  it('reports the newest backup, each location and the test restores, with no path, host, user, file name or secret', async () => {
    const setup = await createTestServices({ config: { modem_type: 'fritzbox' } });
    const api = createCaller(createTestContext(setup.services).ctx);
    const made = await createBackup({
      dataDir: setup.dataDir,
      destination: { kind: 'directory', backupDir: setup.backupDir },
      trigger: 'manual',
    });
    const modified = (await api.backups.list()).backups[0]!.modified;
    await setup.services.verifications.record(
      setup.backupDir,
      { fileName: made.fileName, size: made.size, modified },
      { ok: false, at: new Date().toISOString(), code: 'DATABASE_CORRUPT', message: 'corrupt' },
    );
    // Quotes and a backslash in a name: the label value must be escaped.
    const name = 'NAS "cellar" \\ 2';
    const nas = await api.targets.add({
      name,
      sealed: false,
      address: { kind: 'sftp', host: 'nas.example.net', port: 2222, username: 'backupuser', directory: '/srv/evidence' },
      secrets: { password: 'hunter2-secret' },
    });
    const cloud = await api.targets.add({
      name: 'Cloud',
      sealed: false,
      address: { kind: 'webdav', url: 'https://dav.example.org/remote/', username: 'davuser' },
      secrets: { password: 'dav-secret' },
    });
    await recordPushSuccess(setup.dataDir, nas.id, made.fileName);
    await recordPushFailure(setup.dataDir, cloud.id, { code: 'TARGET_AUTH_FAILED', message: 'No.' });
    await recordPushFailure(setup.dataDir, cloud.id, { code: 'TARGET_AUTH_FAILED', message: 'No.' });
    const last = {
      ok: false,
      at: '2026-11-26T03:00:00+01:00',
      fileName: made.fileName,
      backupMadeAt: null,
      code: 'DATABASE_CORRUPT',
      message: 'x',
    };
    const good = {
      ok: true,
      at: '2026-11-19T03:00:00+01:00',
      fileName: 'docsight_backup_2026-11-19_020000.tar.gz',
      backupMadeAt: '2026-11-19T02:00:00+01:00',
    };
    setup.services.testRestoreState = () => ({
      enabled: true,
      reason: null,
      intervalDays: 7,
      last,
      lastGood: good,
      nextRunAt: '2026-12-03T03:00:00+01:00',
      running: false,
    });

    const { response, families } = await scrape(setup);
    for (const secret of [
      setup.root,
      setup.backupDir,
      setup.dataDir,
      'nas.example.net',
      'dav.example.org',
      'backupuser',
      'davuser',
      'hunter2',
      'dav-secret',
      made.fileName,
      'docsight_backup',
    ]) {
      expect(response.body).not.toContain(secret);
    }
    expect(value(families, 'backup_newest_size_bytes')).toBe(made.size);
    expect(value(families, 'backup_newest_timestamp_seconds')).toBe(Math.floor(Date.parse(modified) / 1000));
    expect(value(families, 'backup_newest_age_seconds')).toBeGreaterThanOrEqual(0);
    expect(value(families, 'backup_newest_verification', { result: 'failed' })).toBe(1);
    expect(value(families, 'backup_newest_verification', { result: 'passed' })).toBe(0);
    expect(value(families, 'location_status', { location: 'backup directory', status: 'failing' })).toBe(1);
    expect(value(families, 'location_status', { location: name, kind: 'sftp', status: 'ok' })).toBe(1);
    expect(value(families, 'location_off_machine', { location: name })).toBe(1);
    expect(value(families, 'location_copies', { location: name })).toBe(1);
    expect(value(families, 'location_status', { location: 'Cloud', kind: 'webdav', status: 'failing' })).toBe(1);
    expect(value(families, 'location_consecutive_failures', { location: 'Cloud' })).toBe(2);
    expect(families.get('evidence_locker_location_newest_copy_age_seconds')?.samples.map((sample) => sample.labels['location'])).toEqual([
      'backup directory',
      name,
    ]);
    expect(value(families, 'newest_backup_copies')).toBe(2);
    expect(value(families, 'newest_backup_off_machine_copies')).toBe(1);
    expect(value(families, 'test_restore_enabled')).toBe(1);
    expect(value(families, 'test_restore_last_success')).toBe(0);
    expect(value(families, 'test_restore_last_timestamp_seconds')).toBe(Date.parse(last.at) / 1000);
    expect(value(families, 'test_restore_restorable_as_of_timestamp_seconds')).toBe(Date.parse(good.backupMadeAt) / 1000);
    expect(value(families, 'test_restore_next_run_timestamp_seconds')).toBe(Date.parse('2026-12-03T03:00:00+01:00') / 1000);
  });

  it('is served by the app without a login, even when an admin password is set', async () => {
    const { app } = await serveTestApp({ config: { modem_type: 'fritzbox', admin_password: await hashPassword('correct horse battery') } });
    const trpc = await app.inject({ method: 'GET', url: '/trpc/dashboard.summary' });
    expect(trpc.statusCode).toBe(401);
    const response = await app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(value(parseExposition(response.body), 'protection_state', { state: 'unprotected' })).toBe(1);
  });
});
