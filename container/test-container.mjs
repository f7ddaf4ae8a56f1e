#!/usr/bin/env node
/**
 * `pnpm test:container`: the image (Containerfile) run the way DOCSight's users run things, with
 * real podman, on real volumes (host directories), against the real API.
 *
 *  1. Installs podman, runc and debootstrap when missing; sets up a private podman (podman.mjs).
 *  2. Provides the official base images locally under their official names (no registry can be
 *     reached here; stand-in-base-images.sh), then builds the Containerfile unchanged with
 *     `--pull=never --format docker`, and checks what the image holds.
 *  3. Backup: a container on a data volume with a seeded, configured instance (root-owned, as a
 *     host directory often is) and an empty backup volume; waits for the health check; makes a
 *     backup through the API; starts another and stops the container while it runs.
 *  4. Restore: a second, fresh container restores a DOCSight archive through the setup wizard's
 *     API (upload, then restore.start) and serves its rows.
 *  5. Beside DOCSight: a process that keeps docsis_history.db open in WAL mode, as DOCSight does;
 *     a backup works, the restore is refused with DATABASE_IN_USE and its message, and succeeds
 *     once that process has stopped.
 *  6. Started as uid 1000 on a backup volume it cannot write: the entrypoint refuses, saying which
 *     path and how to fix it.
 * After every stop: it took less than compose's 10 s, the exit was clean, every file on the
 * volumes belongs to uid 1000 and no work file (`.evidence-locker-*`) or lease is left. It reports
 * the image's size, the build time, the cold start to the first healthy check and the stop times.
 * It stops exactly the containers and processes it started, by id and pid, and removes its
 * temp directory (the private image store included).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createPodman } from './podman.mjs';
import { runScenarios } from './test-container-scenarios.mjs';
import { CA_BUNDLE, check, ensureTools, here, IMAGE, repo, seconds, step } from './test-support.mjs';

async function main() {
  if (process.getuid?.() !== 0) throw new Error('pnpm test:container needs root (rootful podman, debootstrap, apt-get).');
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'el-container-test-'));
  fs.chmodSync(root, 0o755);
  let podman;
  const children = new Set();
  const figures = {};
  let cleaned = false;
  const cleanup = () => {
    if (cleaned) return;
    cleaned = true;
    for (const child of children) if (child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGTERM');
    const problems = podman ? podman.cleanup() : [];
    fs.rmSync(root, { recursive: true, force: true });
    if (problems.length) console.error(`cleanup problems:\n${problems.join('\n')}`);
  };
  // Interrupted (Ctrl-C, a CI timeout): still stop what was started.
  const onSignal = (signal) => {
    console.error(`\n${signal}: stopping what this test started`);
    cleanup();
    process.exit(1);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    step('Tools and a private podman');
    ensureTools();
    podman = createPodman(path.join(root, 'podman'));
    console.log(`  ${podman.ok(['--version'])}, store in ${root}/podman`);

    step('Base images under their official names');
    let started = performance.now();
    // Without the npm_* settings pnpm hands its scripts, which npm would warn about.
    const env = Object.fromEntries(Object.entries(podman.env).filter(([name]) => !/^npm_/i.test(name)));
    const base = spawnSync(path.join(here, 'stand-in-base-images.sh'), [], { env, encoding: 'utf8', stdio: ['ignore', 'inherit', 'pipe'] });
    process.stderr.write(base.stderr);
    if (base.status !== 0) throw new Error('stand-in-base-images.sh failed');
    figures.baseImages = seconds(started);
    figures.baseImagesCached = !/debootstrap/.test(base.stderr);

    step('Build the Containerfile unchanged (--pull=never --format docker)');
    const buildLog = path.join(root, 'build.log');
    const secret = CA_BUNDLE ? ['--secret', `id=ca-certificates,src=${CA_BUNDLE}`] : [];
    started = performance.now();
    // The RUN steps share the machine's network (they reach the npm registry), as with Docker's default.
    const build = podman.run(
      ['build', '--pull=never', '--format', 'docker', '--network', 'host', ...secret, '--file', 'Containerfile', '--tag', IMAGE, '.'],
      {
        cwd: repo,
      },
    );
    fs.writeFileSync(buildLog, build.stdout + build.stderr);
    if (build.status !== 0) throw new Error(`podman build failed:\n${(build.stdout + build.stderr).split('\n').slice(-60).join('\n')}`);
    figures.build = seconds(started);
    check(true, `built ${IMAGE} in ${figures.build.toFixed(0)} s`);
    const [size, healthcheck, user] = podman
      .ok(['image', 'inspect', IMAGE, '--format', '{{.Size}}|{{json .HealthCheck.Test}}|{{.User}}'])
      .split('|');
    figures.imageMb = Number(size) / 1e6;
    check(/healthcheck\.mjs/.test(healthcheck), `the HEALTHCHECK is kept (${healthcheck})`);
    check(user === '', 'it starts as root, so the entrypoint can hand the volumes to uid 1000');
    const contents = podman.ok([
      'run',
      '--rm',
      '--network',
      'none',
      '--entrypoint',
      'sh',
      IMAGE,
      '-c',
      'ls /app; echo "|"; ls /app/node_modules; echo "|"; find /app -name "*.ts" ! -name "*.d.ts" | wc -l; echo "|"; node -v',
    ]);
    const [app, modules, sources, nodeVersion] = contents.split('|').map((part) => part.trim().split(/\s+/).join(' '));
    check(app === 'apps container node_modules', `/app holds only the built apps, the health check and node_modules (${app})`);
    check(modules === 'better-sqlite3 bindings file-uri-to-path', `production dependencies only: ${modules}`);
    check(sources === '0', 'no TypeScript sources in the runtime image');
    check(nodeVersion.startsWith('v20.'), `Node ${nodeVersion}`);

    await runScenarios({ podman, root, children, figures });

    step('Figures');
    const rows = [
      ['image size', `${figures.imageMb.toFixed(0)} MB`],
      ['base images', `${figures.baseImages.toFixed(0)} s (${figures.baseImagesCached ? 'cached, imported' : 'made with debootstrap'})`],
      ['build of the Containerfile (no layer cache)', `${figures.build.toFixed(0)} s`],
      ['cold start to the first healthy check', `${figures.coldStart.toFixed(2)} s`],
      ['stop during a watched backup', `${figures.stopDuringBackup.toFixed(2)} s`],
      ['stop after the restore', `${figures.stopAfterRestore.toFixed(2)} s`],
      ['stop beside DOCSight', `${figures.stopBesideDocsight.toFixed(2)} s`],
    ];
    for (const [what, value] of rows) console.log(`  ${what.padEnd(44)} ${value}`);
  } finally {
    cleanup();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().then(
    () => console.log('\npnpm test:container passed'),
    (error) => {
      console.error(`\n${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    },
  );
}
