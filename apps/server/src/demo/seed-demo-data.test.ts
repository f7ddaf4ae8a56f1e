import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTestServices } from '@evidence-locker/server/testing/test-services';
import { seedDemoData } from './seed-demo-data.ts';

const SHORT = { historyDays: 2, connectionMonitorDays: 1, now: new Date('2026-05-01T12:00:00Z') };

describe('seedDemoData', () => {
  it('replaces the empty fresh databases with demo rows from a worker and reopens them', async () => {
    const setup = await createTestServices();
    const { instance } = setup.services;
    const calls: string[] = [];
    const phases = new Set<string>();
    const result = await seedDemoData({
      instance,
      ...SHORT,
      schedule: { pause: () => void calls.push('pause'), resume: () => void calls.push('resume') },
      onProgress: (progress) => phases.add(progress.phase),
    });
    expect(calls).toEqual(['pause', 'resume']);
    expect(phases.has('snapshots')).toBe(true);
    expect(result.rows['docsis_history.db']['snapshots']).toBe(192);
    expect(instance.historyDb.prepare('SELECT count(*) AS n, min(is_demo) AS demo FROM snapshots').get()).toEqual({ n: 192, demo: 1 });
    expect(instance.connectionMonitorDb.prepare('SELECT count(*) AS n FROM connection_samples').get()).toEqual({
      n: result.rows['connection_monitor.db']['connection_samples'],
    });
  });

  it('refuses to seed over user rows and leaves them alone', async () => {
    const setup = await createTestServices();
    const { instance } = setup.services;
    instance.historyDb
      .prepare("INSERT INTO journal_entries (date, title, created_at, updated_at) VALUES ('2026-01-01', 'mine', 'x', 'x')")
      .run();
    await expect(seedDemoData({ instance, ...SHORT })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: 'docsis_history.db already holds data, so no demo data was added; demo data only goes into an empty instance.',
    });
    expect(instance.historyDb.prepare('SELECT title FROM journal_entries').all()).toEqual([{ title: 'mine' }]);
    expect(instance.historyDb.prepare('SELECT count(*) AS n FROM snapshots').get()).toEqual({ n: 0 });
  });

  it('removes the half-seeded databases when cancelled, and reopens empty ones', async () => {
    const setup = await createTestServices();
    const { instance } = setup.services;
    const controller = new AbortController();
    const seeding = seedDemoData({
      instance,
      historyDays: 270,
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    await expect(seeding).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(instance.historyDb.prepare('SELECT count(*) AS n FROM snapshots').get()).toEqual({ n: 0 });
    expect(fs.existsSync(path.join(setup.dataDir, 'docsis_history.db'))).toBe(true);
  });
});
