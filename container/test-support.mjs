/**
 * Helpers of the container test (test-container.mjs, test-container-scenarios.mjs): output, shell
 * commands, the volumes on the host, and starting and stopping the image with podman.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { docsightFixture } from '@evidence-locker/core/testing/docsight-fixtures';
import { lockerApi } from './locker-api.mjs';

export const here = path.dirname(fileURLToPath(import.meta.url));
export const repo = path.resolve(here, '..');
export const IMAGE = 'localhost/evidence-locker:container-test';
const fixture = docsightFixture('a-real-1m');
export const FIXTURE = fixture.archive;
export const EXPECTED = JSON.parse(fs.readFileSync(fixture.expected, 'utf8')).databases;
/** Compose's default time between SIGTERM and SIGKILL. */
export const STOP_TIMEOUT_S = 10;
export const APP_UID = 1000;
export const CA_BUNDLE = [process.env.NODE_EXTRA_CA_CERTS, '/etc/ssl/certs/ca-certificates.crt'].find(
  (file) => file && fs.existsSync(file),
);

export const seconds = (start) => (performance.now() - start) / 1000;
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
export function step(title) {
  console.log(`\n== ${title}`);
}
export function check(condition, what) {
  if (!condition) throw new Error(`FAILED: ${what}`);
  console.log(`  ok  ${what}`);
}

export function sh(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}):\n${result.stderr}${result.stdout}`);
  return result.stdout;
}

export function ensureTools() {
  const missing = ['podman', 'runc', 'slirp4netns', 'debootstrap'].filter(
    (tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0,
  );
  if (missing.length === 0) return;
  console.log(`  installing ${missing.join(', ')} (apt-get)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  sh('apt-get', ['update', '-qq'], { env });
  sh('apt-get', ['install', '-y', '-qq', ...missing], { env });
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** A host directory pair for /data and /backup; `seedMonths` fills data with a configured instance. */
export function volumes(root, name, seedMonths) {
  const dir = path.join(root, name);
  const data = path.join(dir, 'data');
  const backup = path.join(dir, 'backup');
  fs.mkdirSync(backup, { recursive: true });
  if (seedMonths)
    sh(path.join(repo, 'apps/server/bin/locker'), ['seed', '--data-dir', data, '--months', String(seedMonths), '--configured']);
  else fs.mkdirSync(data);
  return { data, backup, mounts: ['--volume', `${data}:/data`, '--volume', `${backup}:/backup`] };
}

/** Every path under `dir` with its owner. */
export function walk(dir) {
  const found = [];
  for (const name of fs.readdirSync(dir)) {
    const file = path.join(dir, name);
    const stats = fs.lstatSync(file);
    found.push({ file, name, uid: stats.uid, gid: stats.gid });
    if (stats.isDirectory()) found.push(...walk(file));
  }
  return found;
}

/** After a stop: all files belong to uid 1000, and no work file or lease is left. */
export function checkVolumes(vol) {
  for (const dir of [vol.data, vol.backup]) {
    const entries = walk(dir);
    const foreign = [{ file: dir, ...fs.lstatSync(dir) }, ...entries].filter((entry) => entry.uid !== APP_UID || entry.gid !== APP_UID);
    check(
      foreign.length === 0,
      `every file in ${path.basename(path.dirname(dir))}/${path.basename(dir)} belongs to uid ${APP_UID} (${entries.length} files)`,
    );
    const left = entries.filter((entry) => entry.name.startsWith('.evidence-locker'));
    check(left.length === 0, `nothing left behind in ${path.basename(dir)}${left.length ? `: ${left.map((e) => e.name).join(', ')}` : ''}`);
  }
}

/** Polls `podman healthcheck run` until healthy; returns the seconds since `since`. */
export async function waitHealthy(podman, id, since) {
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (podman.run(['healthcheck', 'run', id]).status === 0) return seconds(since);
    const status = podman.run(['inspect', id, '--format', '{{.State.Status}}']).stdout.trim();
    if (status !== 'running' && status !== 'created') {
      throw new Error(`container ${status} before it was healthy:\n${podman.run(['logs', id]).stderr}${podman.run(['logs', id]).stdout}`);
    }
    if (Date.now() > deadline) throw new Error(`not healthy after 90 s:\n${podman.run(['logs', id]).stdout}`);
    await sleep(100);
  }
}

/** Starts the image on `vol`; returns its id, its API and the seconds to the first healthy check. */
export async function startLocker(podman, vol, extra = []) {
  const port = await freePort();
  const started = performance.now();
  // slirp4netns: user-mode networking, so the test adds no firewall rules or bridge to the machine.
  const network = ['--network', 'slirp4netns', '--publish', `127.0.0.1:${port}:8765`];
  const id = podman.start(['--hostname', 'evidence-locker', ...network, ...vol.mounts, ...extra, IMAGE]);
  const healthy = await waitHealthy(podman, id, started);
  return { id, api: lockerApi(`http://127.0.0.1:${port}`), healthy };
}

/** `podman stop` with compose's timeout; checks it was clean and quick; returns the seconds. */
export function stopLocker(podman, id, what) {
  const started = performance.now();
  podman.ok(['stop', '--time', String(STOP_TIMEOUT_S), id]);
  const took = seconds(started);
  check(took < STOP_TIMEOUT_S, `${what}: stopped in ${took.toFixed(2)} s (SIGTERM; compose kills after ${STOP_TIMEOUT_S} s)`);
  const code = podman.ok(['inspect', id, '--format', '{{.State.ExitCode}}']);
  check(code === '0', `${what}: exit code 0 (not killed)`);
  return took;
}
