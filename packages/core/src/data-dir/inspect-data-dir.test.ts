import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { extractFixture, makeTempDir, type ExtractedFixture } from '@evidence-locker/core/testing/db-fixture-archives';
import { inspectDataDir } from './inspect-data-dir.ts';

const cleanups: ExtractedFixture[] = [];
afterEach(() => {
  for (const item of cleanups.splice(0)) item.cleanup();
});

function hashTree(dir: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const name of fs.readdirSync(dir)) {
    result[name] = fs.readFileSync(path.join(dir, name)).toString('base64').slice(0, 64) + fs.statSync(path.join(dir, name)).size;
  }
  return result;
}

describe('inspectDataDir', () => {
  it('reports files, configuration and row counts of a DOCSight data directory without changing it', async () => {
    const fixture = extractFixture('a-real-1m');
    cleanups.push(fixture);
    fs.rmSync(path.join(fixture.dir, 'backup_meta.json'));
    const before = hashTree(fixture.dir);

    const report = await inspectDataDir(fixture.dir);

    expect(report.exists).toBe(true);
    expect(report.files.map((file) => file.name)).toEqual([
      'docsis_history.db',
      'connection_monitor.db',
      'config.json',
      '.config_key',
      '.session_key',
      '.auth_state',
    ]);
    expect(report.files.find((file) => file.name === 'config.json')?.mode).toBe('0600');
    expect(report.configured).toBe(true);
    expect(report.modemType).toBe('fritzbox');
    expect(report.demoMode).toBe(false);
    const history = report.databases.find((db) => db.name === 'docsis_history.db');
    expect(history?.schemaVersion).toBe('2');
    expect(history?.migrationIds).toHaveLength(16);
    expect(history?.tables['snapshots']).toEqual({ rows: 2880, isDemo: 0 });
    expect(history?.tables['api_tokens']).toEqual({ rows: 0, isDemo: null });
    const monitor = report.databases.find((db) => db.name === 'connection_monitor.db');
    expect(monitor?.tables['connection_samples']).toEqual({ rows: 51840, isDemo: null });
    expect(hashTree(fixture.dir)).toEqual(before);
  });

  it('reports a missing data directory as empty and unconfigured', async () => {
    const temp = makeTempDir('inspect-missing');
    cleanups.push(temp);
    const report = await inspectDataDir(path.join(temp.dir, 'nope'));
    expect(report).toMatchObject({ exists: false, files: [], configured: false, databases: [] });
  });

  it('names the problem when config.json is not a JSON object', async () => {
    const temp = makeTempDir('inspect-bad-config');
    cleanups.push(temp);
    fs.writeFileSync(path.join(temp.dir, 'config.json'), '[1, 2]');
    const report = await inspectDataDir(temp.dir);
    expect(report.configured).toBe(false);
    expect(report.configProblem?.kind).toBe('not-an-object');
  });

  it('refuses a data directory path that is a file', async () => {
    const temp = makeTempDir('inspect-file');
    cleanups.push(temp);
    const file = path.join(temp.dir, 'plain');
    fs.writeFileSync(file, 'x');
    await expect(inspectDataDir(file)).rejects.toMatchObject({ code: 'DATA_DIR_UNUSABLE' });
  });
});
