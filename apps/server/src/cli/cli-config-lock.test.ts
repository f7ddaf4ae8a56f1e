/**
 * The CLI and the server save the same config.json (issue 18): `locker target add` (the real
 * `bin/locker`, against Debian's rclone serving WebDAV on loopback) runs while the server's code
 * paths add alert channels and targets to the same data directory, one after another, for as long
 * as the command runs. The command reads the targets, tests the connection, then saves: when it
 * saved the list it had read before the test, the server's targets added meanwhile were lost; when
 * config.json's read-merge-write was not locked across processes, a server save whose read came
 * before the command's write put the old target list back. Everything must survive.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { newTarget, readAlertChannels, readConfig, readConfigKey, readTargets } from '@evidence-locker/core';
import { startWebdav, type RunningWebdav } from '@evidence-locker/test-servers/webdav';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { draftAlertChannel } from '../alerts/alert-channel-draft.ts';
import { changeAlertChannels, instanceAlertChannels } from '../alerts/instance-alert-channels.ts';
import { openInstance, type Instance } from '../instance/instance.ts';
import { changeInstanceTargets, instanceTargets } from '../targets/instance-targets.ts';

const LOCKER = fileURLToPath(new URL('../../bin/locker', import.meta.url));
const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'el-cli-config-lock-'));
const dataDir = path.join(temp, 'data');
let server: RunningWebdav | undefined;
let instance: Instance | undefined;

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(LOCKER, args, { cwd: temp, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return once(child, 'close').then(([code]) => ({ code: code as number | null, stdout, stderr }));
}

beforeAll(async () => {
  const seeded = await run(['seed', '--data-dir', dataDir, '--months', '1', '--configured', '--seed', '7', '--json']);
  expect(seeded.code, seeded.stderr).toBe(0);
  server = await startWebdav();
  fs.mkdirSync(path.join(server.rootDir, 'offsite'));
  fs.writeFileSync(path.join(temp, 'dav-password'), `${server.password}\n`, { mode: 0o600 });
  const backupDir = path.join(temp, 'backups');
  instance = await openInstance({ dataDir, backupDir, browseRoots: [temp] });
});
afterAll(async () => {
  await instance?.close();
  await server?.stop();
  fs.rmSync(temp, { recursive: true, force: true });
});

it('keeps the target locker target add saves and every alert channel and target the server saves meanwhile', async () => {
  const url = `webdav+http://${server!.username}@${server!.url.slice('http://'.length)}offsite/`;
  const command = run([
    'target',
    'add',
    'nas',
    url,
    '--data-dir',
    dataDir,
    '--password-file',
    path.join(temp, 'dav-password'),
    '--plain',
    '--json',
  ]);
  let finished = false;
  void command.finally(() => (finished = true));

  // The server's code paths (Settings → Alerts, Settings → Offsite): a channel, then a target, until
  // the command has exited.
  const added: string[] = [];
  const serverTargets: string[] = [];
  while (!finished) {
    const channel = draftAlertChannel({
      kind: 'webhook',
      name: `Hook ${added.length}`,
      enabled: true,
      secrets: { url: `http://127.0.0.1:9/hook-${added.length}` },
    });
    await changeAlertChannels(instance!, (channels) => ({ channels: [...channels, channel], answer: undefined }));
    added.push(channel.id);
    const target = newTarget(
      { kind: 'webdav', url: `${server!.url}server-${serverTargets.length}/`, username: server!.username, password: server!.password },
      { name: `Server ${serverTargets.length}`, sealed: false },
    );
    await changeInstanceTargets(instance!, (targets) => ({ targets: [...targets, target], answer: undefined }));
    serverTargets.push(target.name);
  }
  const result = await command;
  expect(result.code, result.stdout + result.stderr).toBe(0);
  expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, target: { name: 'nas', kind: 'webdav' } });
  // The command ran while the server saved: its read and its write had server saves in between.
  expect(added.length).toBeGreaterThan(5);

  // One more server save after the command, as the settings page would make: the target stays.
  const last = draftAlertChannel({ kind: 'webhook', name: 'After', enabled: true, secrets: { url: 'http://127.0.0.1:9/after' } });
  await changeAlertChannels(instance!, (channels) => ({ channels: [...channels, last], answer: undefined }));
  added.push(last.id);

  const { config } = await readConfig(dataDir);
  const configKey = await readConfigKey(dataDir);
  const names = readTargets(config, configKey).targets.map((target) => target.name);
  expect([...names].sort()).toEqual([...serverTargets, 'nas'].sort());
  expect(readAlertChannels(config, configKey).channels.map((channel) => channel.id)).toEqual(added);
  // The server's view agrees with the file.
  expect(instanceTargets(instance!).targets.map((target) => target.name)).toEqual(names);
  expect(instanceAlertChannels(instance!).channels).toHaveLength(added.length);
});
