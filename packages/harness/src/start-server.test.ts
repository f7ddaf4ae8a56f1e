import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SERVER_BUNDLE } from './locker-bundle.ts';
import { PRODUCTION_NODE_SETTINGS } from './node-settings.ts';
import { startServer } from './start-server.ts';

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'el-harness-server-'));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

const dirs = () => ({ dataDir: path.join(root, 'data'), backupDir: path.join(root, 'backups') });
const refused = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });

describe('startServer', () => {
  it('starts the built bundle with the production node settings and none of the caller environment', async () => {
    process.env['DEMO_MODE'] = '1';
    try {
      const server = await startServer(dirs());
      try {
        const health = await fetch(`${server.url}/api/health`);
        expect(health.status).toBe(200);
        const pid = server.process.pid()!;
        const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
        expect(argv.slice(1)).toEqual([...PRODUCTION_NODE_SETTINGS.flags, SERVER_BUNDLE, 'serve']);
        const environ = fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
        expect(environ).toContain(`MALLOC_ARENA_MAX=${PRODUCTION_NODE_SETTINGS.env['MALLOC_ARENA_MAX']}`);
        expect(environ).toContain(`DATA_DIR=${dirs().dataDir}`);
        expect(environ).toContain(`PORT=${server.port}`);
        expect(environ.filter((entry) => entry.startsWith('DEMO_MODE='))).toEqual([]);
      } finally {
        await server.stop();
      }
    } finally {
      delete process.env['DEMO_MODE'];
    }
  });

  it('stops exactly the process it started, cleanly, and frees its port', async () => {
    const first = await startServer(dirs());
    const second = await startServer({ ...dirs(), backupDir: path.join(root, 'other-backups') });
    try {
      expect(await first.stop()).toEqual({ code: 0, signal: null });
      expect(await refused(first.port)).toBe(true);
      expect(second.process.ended()).toBe(false);
      expect((await fetch(`${second.url}/api/health`)).status).toBe(200);
      // A second stop answers the same exit.
      expect(await first.stop()).toEqual({ code: 0, signal: null });
    } finally {
      await second.stop();
    }
  });

  it('fails with the server output when the server exits while starting', async () => {
    const start = startServer({ ...dirs(), env: { PORT: '70000' } });
    await expect(start).rejects.toThrow(/the server exited \(1\) while starting:\n[^]*PORT/);
  });
});
