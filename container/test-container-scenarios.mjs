/**
 * The container test's scenarios (steps 3 to 6 of test-container.mjs), each on its own volumes:
 * backup and a stop during a backup, a restore through the wizard's API on a fresh container, the
 * image beside a process that holds the database as DOCSight does, and the entrypoint's refusal
 * when started as uid 1000 on a backup volume it cannot write.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  APP_UID,
  check,
  checkVolumes,
  EXPECTED,
  FIXTURE,
  IMAGE,
  here,
  repo,
  seconds,
  sh,
  sleep,
  startLocker,
  step,
  stopLocker,
  volumes,
} from './test-support.mjs';

/** DOCSight's file names that a restored or seeded instance has. */
const INSTANCE_FILES = ['docsis_history.db', 'connection_monitor.db', 'config.json', '.config_key'];
const IN_USE_MESSAGE =
  'docsis_history.db is open in another process (DOCSight, or another app that uses /data). Stop the app that uses it, then restore.';

async function backupScenario({ podman, root, figures }) {
  step('Backup: a seeded instance (root-owned host directory) and an empty backup volume');
  // Three months, so a backup runs long enough (several seconds) to be stopped in the middle.
  const vol = volumes(root, 'a-backup', 3);
  const locker = await startLocker(podman, vol);
  figures.coldStart = locker.healthy;
  check(true, `healthy ${locker.healthy.toFixed(2)} s after podman run (podman healthcheck run)`);
  const { api, id } = locker;
  check((await api.health())?.status === 'ok', 'GET /api/health answers over the published port');
  check((await api.query('setup.state')).configured === true, 'the seeded instance is configured');
  const [command, arenas, ids] = podman
    .ok([
      'exec',
      '--user',
      `${APP_UID}:${APP_UID}`,
      id,
      'sh',
      '-c',
      'tr "\\0" " " </proc/1/cmdline; echo "|"; tr "\\0" "\\n" </proc/1/environ | grep ^MALLOC_ARENA_MAX=; echo "|"; grep -E "^(Uid|Gid):" /proc/1/status',
    ])
    .split('|');
  check(
    /^node --max-semi-space-size=2 --heap-growing-percent=100 \/app\/apps\/server\/dist\/locker\.js serve/.test(command.trim()) &&
      arenas.trim() === 'MALLOC_ARENA_MAX=2',
    `PID 1 is the server with the memory settings of pnpm start (${arenas.trim()} ${command.trim()})`,
  );
  check(
    ids
      .trim()
      .split('\n')
      .every((line) =>
        line
          .split(/\s+/)
          .slice(1)
          .every((value) => value === String(APP_UID)),
      ),
    `and runs as uid and gid ${APP_UID}`,
  );

  const job = await api.finished((await api.mutate('backups.create')).id);
  check(job.state === 'succeeded', `backups.create made ${job.result?.fileName ?? JSON.stringify(job.error)}`);
  const archive = path.join(vol.backup, job.result.fileName);
  check(fs.existsSync(archive), `the archive is on the host: ${path.relative(root, archive)}`);
  const listed = await api.query('backups.list');
  check(
    listed.backupPath === '/backup' && listed.backups.some((backup) => backup.fileName === job.result.fileName),
    'backups.list shows it in /backup',
  );

  const second = await api.mutate('backups.create');
  const watch = await api.watch(second.id);
  const running = await watch.next((snapshot) => snapshot.state === 'running' && snapshot.progress !== null);
  console.log(`  ..  a second backup is in phase ${running.progress.phase}; stopping the container`);
  figures.stopDuringBackup = stopLocker(podman, id, 'stop during a watched backup');
  await Promise.race([watch.ended, sleep(5000)]);
  const last = watch.snapshots.at(-1);
  check(last?.state === 'cancelled', `the running backup was cancelled by SIGTERM (its watcher saw ${last?.state})`);
  const logs = podman.run(['logs', id]);
  check(/handing \/data to uid 1000/.test(logs.stderr), 'the entrypoint handed the root-owned data directory to uid 1000');
  check(/Shutting down/.test(logs.stdout), 'the server logged its shutdown');
  checkVolumes(vol);
  const archives = fs.readdirSync(vol.backup);
  check(
    archives.length === 1 && archives[0] === job.result.fileName,
    `only the complete backup is in the backup volume (${archives.join(', ')})`,
  );
  // Read from a copy, so the host command touches neither volume.
  const copy = path.join(root, job.result.fileName);
  fs.copyFileSync(archive, copy);
  const validation = JSON.parse(sh(path.join(repo, 'apps/server/bin/locker'), ['backup', 'validate', copy, '--json']));
  check(validation.ok === true && validation.has_database === true, 'the archive validates on the host (locker backup validate)');
}

async function restoreScenario({ podman, root, figures }) {
  step('Restore: a second, fresh container restores a DOCSight archive through the wizard');
  const vol = volumes(root, 'b-restore', 0);
  const { api, id, healthy } = await startLocker(podman, vol);
  check(true, `healthy after ${healthy.toFixed(2)} s`);
  check((await api.query('setup.state')).configured === false, 'a fresh instance starts in the first-run wizard');
  const uploaded = await api.upload(FIXTURE);
  check(uploaded.validation.has_database === true, `POST /api/uploads staged ${path.basename(FIXTURE)} (${uploaded.uploadId})`);
  const job = await api.finished((await api.mutate('restore.start', { uploadId: uploaded.uploadId })).id);
  check(job.state === 'succeeded', `restore.start restored it (${job.state}${job.error ? `: ${job.error.message}` : ''})`);
  check(job.result.configured === true && job.result.needsLogin === false, 'the restored instance is configured, no login needed');
  const summary = await api.query('dashboard.summary');
  const snapshots = EXPECTED['docsis_history.db'].tables.snapshots.rows;
  const samples = EXPECTED['connection_monitor.db'].tables.connection_samples.rows;
  check(summary.databases.history.tables?.snapshots === snapshots, `the dashboard serves the archive's ${snapshots} snapshots`);
  check(summary.databases.connectionMonitor.tables?.connection_samples === samples, `and its ${samples} connection samples`);
  figures.stopAfterRestore = stopLocker(podman, id, 'stop after the restore');
  checkVolumes(vol);
  const present = INSTANCE_FILES.filter((name) => fs.existsSync(path.join(vol.data, name)));
  check(present.length === INSTANCE_FILES.length, `the data volume holds the restored instance (${present.join(', ')})`);
}

/** Starts hold-open-database.mjs as uid 1000 (DOCSight's appuser) and waits until it holds the database. */
async function holdDatabase(dataDir, children) {
  const child = spawn(process.execPath, [path.join(here, 'hold-open-database.mjs'), dataDir], {
    uid: APP_UID,
    gid: APP_UID,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  children.add(child);
  let writes = 0;
  let opened;
  const open = new Promise((resolve, reject) => {
    opened = resolve;
    child.once('exit', (code) => reject(new Error(`hold-open-database.mjs exited with ${code}`)));
    setTimeout(() => reject(new Error('hold-open-database.mjs did not open the database within 30 s')), 30_000).unref();
  });
  let buffer = '';
  child.stdout.on('data', (chunk) => {
    buffer += chunk;
    for (let end; (end = buffer.indexOf('\n')) >= 0; buffer = buffer.slice(end + 1)) {
      const line = buffer.slice(0, end);
      if (line === 'open') opened();
      else if (line.startsWith('wrote ')) writes = Number(line.slice(6));
    }
  });
  await open;
  return {
    pid: child.pid,
    writes: () => writes,
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      process.kill(child.pid, 'SIGTERM');
      await exited;
    },
  };
}

async function besideDocsightScenario({ podman, root, children, figures }) {
  step('Beside DOCSight: another process keeps docsis_history.db open on the shared data volume');
  const vol = volumes(root, 'c-beside-docsight', 1);
  // DOCSight's own entrypoint has given its data volume to its appuser, uid 1000.
  sh('chown', ['-R', `${APP_UID}:${APP_UID}`, vol.data, vol.backup]);
  const docsight = await holdDatabase(vol.data, children);
  check(true, `pid ${docsight.pid} (uid ${APP_UID}) holds docsis_history.db open in WAL mode and writes every 0.5 s`);
  const { api, id } = await startLocker(podman, vol);

  const before = docsight.writes();
  const backup = await api.finished((await api.mutate('backups.create')).id);
  check(backup.state === 'succeeded', `a backup works while it runs (${backup.result?.fileName ?? backup.error?.message})`);
  check(docsight.writes() > before, `and it kept writing meanwhile (${docsight.writes() - before} writes)`);

  const uploaded = await api.upload(FIXTURE);
  const refused = await api.finished((await api.mutate('restore.start', { uploadId: uploaded.uploadId })).id);
  check(refused.state === 'failed' && refused.error?.code === 'DATABASE_IN_USE', `the restore is refused with ${refused.error?.code}`);
  console.log(`  ..  "${refused.error.message}"`);
  check(refused.error.message === IN_USE_MESSAGE, 'with the message that says what to do');
  const afterRefusal = docsight.writes();
  await sleep(1200);
  check(docsight.writes() > afterRefusal, 'the other process was not blocked: it goes on writing');
  check((await api.health())?.status === 'ok', 'the server keeps serving');

  await docsight.stop();
  check(true, `stopped pid ${docsight.pid}, as the message asks`);
  const retry = await api.upload(FIXTURE);
  const restored = await api.finished((await api.mutate('restore.start', { uploadId: retry.uploadId })).id);
  check(
    restored.state === 'succeeded',
    `then the restore succeeds (${restored.state}${restored.error ? `: ${restored.error.message}` : ''})`,
  );
  figures.stopBesideDocsight = stopLocker(podman, id, 'stop beside DOCSight');
  checkVolumes(vol);
}

async function notWritableScenario({ podman, root }) {
  step('Started as uid 1000 on a backup volume only root can write');
  const vol = volumes(root, 'd-not-writable', 0);
  sh('chown', [`${APP_UID}:${APP_UID}`, vol.data]);
  const started = performance.now();
  const id = podman.start(['--user', `${APP_UID}:${APP_UID}`, '--network', 'none', ...vol.mounts, IMAGE]);
  const code = podman.ok(['wait', id], { timeout: 60_000 });
  const { stderr } = podman.run(['logs', id]);
  check(code === '1', `the entrypoint stops the start (exit code ${code}, after ${seconds(started).toFixed(1)} s)`);
  const message = stderr.split('\n').filter((line) => line.startsWith('evidence-locker:'));
  for (const line of message) console.log(`  ..  ${line}`);
  check(/Backup directory \/backup is not writable for uid 1000/.test(stderr), 'it names the path that is not writable');
  check(/Fix: on the host, run: chown -R 1000 <the directory mounted at \/backup>/.test(stderr), 'and says how to fix it');
}

/** Runs the scenarios in order; `figures` gets the cold start and the stop times. */
export async function runScenarios(context) {
  await backupScenario(context);
  await restoreScenario(context);
  await besideDocsightScenario(context);
  await notWritableScenario(context);
}
