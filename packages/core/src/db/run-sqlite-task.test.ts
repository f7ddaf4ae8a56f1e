import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { SqliteTaskError, runSqliteTask, stopSqliteWorker } from './run-sqlite-task.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});
afterAll(stopSqliteWorker);

function tempFile(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'el-sqlite-task-'));
  dirs.push(dir);
  return path.join(dir, name);
}

describe('runSqliteTask', () => {
  it('warms the worker without keeping the process alive, and the warmed worker runs the next task', () => {
    const file = tempFile('warm.db');
    new Database(file).close();
    const moduleUrl = new URL('./run-sqlite-task.ts', import.meta.url).href;
    const script = tempFile('warm.mts');
    fs.writeFileSync(
      script,
      `import { runSqliteTask, warmSqliteWorker } from ${JSON.stringify(moduleUrl)};
      warmSqliteWorker();
      warmSqliteWorker();
      console.log(JSON.stringify(await runSqliteTask({ kind: 'integrity_check', path: ${JSON.stringify(file)} })));
      warmSqliteWorker();`,
    );
    const result = spawnSync(process.execPath, ['--import', 'tsx', script], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('["ok"]');
    expect(result.status).toBe(0);
  });

  it('runs integrity_check through the worker from TypeScript sources under vitest', async () => {
    const file = tempFile('ok.db');
    const db = new Database(file);
    db.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1);');
    db.close();
    expect(await runSqliteTask({ kind: 'integrity_check', path: file })).toEqual(['ok']);
  });

  it('rejects with the SQLite error code for a file that is not a database', async () => {
    const file = tempFile('junk.db');
    fs.writeFileSync(file, 'not a sqlite database, just some bytes that are long enough to have a header');
    const error = await runSqliteTask({ kind: 'integrity_check', path: file }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SqliteTaskError);
    expect((error as SqliteTaskError).code).toBe('SQLITE_NOTADB');
  });

  it('keeps serving tasks after one failed and after the worker was stopped', async () => {
    const file = tempFile('again.db');
    new Database(file).close();
    await runSqliteTask({ kind: 'integrity_check', path: tempFile('missing.db') }).catch(() => undefined);
    expect(await runSqliteTask({ kind: 'integrity_check', path: file })).toEqual(['ok']);
    await stopSqliteWorker();
    expect(await runSqliteTask({ kind: 'integrity_check', path: file })).toEqual(['ok']);
  });
});
