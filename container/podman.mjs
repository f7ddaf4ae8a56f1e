/**
 * A private podman for the container test: its image store, run state, network config and events
 * live in one temp directory, so the test sees nothing else on the machine and leaves nothing
 * behind. Every container it starts is remembered by id, and `cleanup` removes exactly those, then
 * unmounts what the store mounted under the directory and deletes it.
 *
 * The engine settings are what rootful podman needs on these machines: runc (crun refuses the
 * hybrid cgroup layout here), cgroupfs and file events (there is no systemd), and default ulimits
 * that root may set here (podman's defaults ask for more than the machine allows).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** Runs podman with `args` in the private setup; returns status and output (never throws). */
function runPodman(env, args, options = {}) {
  const result = spawnSync('podman', args, { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

/** Podman's complaint that there is no systemd to time health checks: expected here, not shown. */
const NO_SYSTEMD = /unable to get systemd connection/;

/**
 * Sets up the private podman under `root` (created) and returns how to call it.
 * `podman.ok(args)` throws with podman's output when it fails; `podman.run(args)` returns it.
 */
export function createPodman(root) {
  fs.mkdirSync(root, { recursive: true });
  const dirs = Object.fromEntries(['graph', 'run', 'tmp', 'networks'].map((name) => [name, path.join(root, name)]));
  for (const dir of Object.values(dirs)) fs.mkdirSync(dir, { recursive: true });
  const containersConf = path.join(root, 'containers.conf');
  const storageConf = path.join(root, 'storage.conf');
  fs.writeFileSync(
    containersConf,
    [
      '[containers]',
      'default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]',
      '[engine]',
      'runtime = "runc"',
      'cgroup_manager = "cgroupfs"',
      'events_logger = "file"',
      `tmp_dir = "${dirs.tmp}"`,
      '[network]',
      `network_config_dir = "${dirs.networks}"`,
      '',
    ].join('\n'),
  );
  fs.writeFileSync(
    storageConf,
    ['[storage]', 'driver = "overlay"', `runroot = "${dirs.run}"`, `graphroot = "${dirs.graph}"`, ''].join('\n'),
  );
  const env = { ...process.env, CONTAINERS_CONF: containersConf, CONTAINERS_STORAGE_CONF: storageConf };
  const started = new Set();
  // Rootful podman makes netavark's run directory whatever the settings; it stays empty here.
  const runDirs = ['/run/containers/networks', '/run/containers'].filter((dir) => !fs.existsSync(dir));

  const run = (args, options) => runPodman(env, args, options);
  const ok = (args, options) => {
    const result = run(args, options);
    if (result.status !== 0) throw new Error(`podman ${args.join(' ')} failed (${result.status}):\n${result.stderr}${result.stdout}`);
    return result.stdout.trim();
  };

  return {
    env,
    run,
    ok,
    /** `podman run -d …`: starts a container and remembers its id for cleanup. */
    start(args) {
      const result = run(['run', '--detach', ...args]);
      const id = result.stdout.trim().split('\n').at(-1) ?? '';
      if (/^[0-9a-f]{64}$/.test(id)) started.add(id);
      if (result.status !== 0) throw new Error(`podman run failed (${result.status}):\n${result.stderr}`);
      return id;
    },
    /** podman's stderr without the no-systemd noise. */
    quiet(text) {
      return text
        .split('\n')
        .filter((line) => !NO_SYSTEMD.test(line))
        .join('\n');
    },
    /** Removes the containers this test started, then unmounts and deletes the private store. */
    cleanup() {
      const problems = [];
      for (const id of started) {
        const result = run(['rm', '--force', '--time', '0', id]);
        if (result.status !== 0 && !/no such container/i.test(result.stderr)) problems.push(`rm ${id}: ${result.stderr.trim()}`);
      }
      started.clear();
      // The overlay store bind-mounts parts of itself; those mounts are under `root` only.
      const mounts = fs
        .readFileSync('/proc/self/mountinfo', 'utf8')
        .split('\n')
        .map((line) => line.split(' ')[4])
        .filter((point) => point && (point === root || point.startsWith(`${root}/`)))
        .sort((a, b) => b.length - a.length);
      for (const point of mounts) {
        const result = spawnSync('umount', [point], { encoding: 'utf8' });
        if (result.status !== 0) problems.push(`umount ${point}: ${result.stderr.trim()}`);
      }
      fs.rmSync(root, { recursive: true, force: true });
      for (const dir of runDirs) {
        try {
          fs.rmdirSync(dir); // only when still empty
        } catch {
          // in use by now, or gone
        }
      }
      return problems;
    },
  };
}
