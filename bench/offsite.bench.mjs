/**
 * Offsite copies of the 1 GB data directory's backup (issue 18): push to and pull from each kind of
 * target on loopback, through the running server as the settings page drives it, and what the
 * server pays for it. Target (issue 18): the event loop's worst delay under 50 ms, memory flat
 * (issue 4's figure: peak RSS under 150 MB).
 *
 *   pnpm bench:offsite [-- [--data-dir DIR] [--kinds sftp,s3,webdav] [--runs N]]
 *   node bench/offsite.bench.mjs [--data-dir DIR] [--kinds sftp,s3,webdav] [--runs N]   (after building apps/server)
 *
 * --data-dir defaults to /tmp/bench17/one-gb; when it holds no docsis_history.db it is seeded with
 * `pnpm locker seed --data-dir DIR --months 27 --configured` (a configured instance without admin
 * password, ~1 GB docsis_history.db). It is only read: the server runs on a `cp -r` copy in a temp
 * dir, with its own temp BACKUP_DIR. --kinds picks the targets (default all three), --runs N
 * (default 1) repeats each kind's three phases.
 *
 * The server is the built bundle started by @evidence-locker/harness (startServer: node with the
 * settings of apps/server/bin/node-settings.sh, `locker serve` on a free port; its pid is node's).
 * It makes one backup (`backups.create`, measured too), then for each kind the real server of
 * @evidence-locker/test-servers on 127.0.0.1 (started before the kind, stopped after it by the pids
 * it started):
 *   - sftp:   a throwaway OpenSSH sshd (`sshd`), root's key login, the copies in its temp dir; the
 *             host key is accepted as a user does: `targets.test` refuses the draft with
 *             TARGET_HOST_KEY_UNKNOWN and its fingerprint (checked against the server's own), which
 *             the target is added with;
 *   - s3:     OpenStack Swift with s3api (`swift`), path-style, in its bucket;
 *   - webdav: `rclone serve webdav` (`webdav`) with Basic auth.
 * The target is added plain (`sealed: false`: the seeded instance has no seal key; a sealed target
 * would measure sealing as well, which bench:seal covers), retention none. Phases, each measured on
 * its own (bench/server-phase.ts, shared with bench/server.bench.ts):
 *   1. push     `targets.push({ fileName, id })`, then its push job polled until it ends;
 *   2. pull     `GET /api/targets/:id/copies/:name` streamed to /dev/null, the bytes counted
 *               (checked against the pushed size and Content-Length);
 *   3. restore  `restore.start({ target: { id }, name })`, then its job polled until it ends: the copy
 *               streams from the target into the restore of the running instance, which first
 *               writes its usual pre-restore backup of the 1 GB it holds (part of the wall time).
 * Before every run after the first, the copy is deleted from the target (`targets.deleteCopy`):
 * a push of a copy the target already holds sends nothing. After a kind, its copy is deleted and
 * the target removed.
 * Per phase it prints wall seconds, MB/s (MB of the copy, 10^6 bytes, per wall second), the server's
 * own worst and p99 event-loop delay (its /api/health histogram, reset before the phase), the worst
 * /api/health answer the bench saw polling every 20 ms, and the server's peak RSS during the phase
 * (VmHWM reset through /proc/<pid>/clear_refs, and VmRSS every 100 ms).
 * It exits non-zero when something fails (a server does not start, a job fails, bytes are missing),
 * not when a target is missed. Every server it started is stopped by its own pid at the end, on
 * errors and on Ctrl-C too, and the temp dir is removed.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

// The harness, the test servers and the shared measurement are TypeScript: tsx's loader runs them.
register();
const { assertBuilt, createClient, startServer, waitForJob } = await import('@evidence-locker/harness');
const { closeHealthAgent, phase } = await import('./server-phase.ts');

const root = fileURLToPath(new URL('..', import.meta.url));
const KINDS = ['sftp', 's3', 'webdav'];
const TARGET_DELAY_MS = 50;
const TARGET_RSS_MB = 150;
const MB = 1e6;

// `pnpm bench:offsite -- --kinds s3` passes pnpm's `--` along: it separates nothing here.
const args = process.argv.slice(2).filter((arg) => arg !== '--');

/** `--name VALUE` or `--name=VALUE`. */
function option(name, fallback) {
  const index = args.findIndex((arg) => arg === name || arg.startsWith(`${name}=`));
  if (index === -1) return fallback;
  const value = args[index].includes('=') ? args[index].slice(name.length + 1) : args[index + 1];
  if (value === undefined || value === '') throw new Error(`${name} needs a value`);
  return value;
}

const known = new Set(['--data-dir', '--kinds', '--runs']);
for (const arg of args) {
  if (arg.startsWith('--') && !known.has(arg.split('=')[0]))
    throw new Error(`unknown option ${arg} (--data-dir DIR, --kinds sftp,s3,webdav, --runs N)`);
}
const sourceDataDir = path.resolve(option('--data-dir', '/tmp/bench17/one-gb'));
const kinds = option('--kinds', KINDS.join(','))
  .split(',')
  .map((kind) => kind.trim())
  .filter(Boolean);
for (const kind of kinds) if (!KINDS.includes(kind)) throw new Error(`--kinds: unknown kind ${kind} (sftp, s3, webdav)`);
const runs = Number(option('--runs', '1'));
if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a whole number of at least 1');

assertBuilt();

/** What to stop at the end: every server this bench started, each by its own pid. */
const cleanups = [];
let tempRoot;
async function cleanUp() {
  for (const stop of cleanups.splice(0).reverse()) {
    try {
      await stop();
    } catch (error) {
      console.error(`stopping a server failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  closeHealthAgent();
  if (tempRoot) fs.rmSync(tempRoot, { recursive: true, force: true });
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    console.error(`${signal}: stopping the servers this bench started`);
    void cleanUp().finally(() => process.exit(130));
  });
}

/** Starts the real server of `kind` and the draft that adds it as a target (plain, no retention). */
async function startTargetServer(kind) {
  if (kind === 'sftp') {
    const { startSshd } = await import('@evidence-locker/test-servers/sshd');
    const sshd = await startSshd({ passwordUser: false });
    const stop = () => sshd.stop();
    cleanups.push(stop);
    return {
      pid: sshd.pid(),
      draft: {
        name: 'bench sftp',
        sealed: false,
        address: { kind: 'sftp', host: sshd.host, port: sshd.port, username: sshd.user, directory: sshd.rootDir },
        secrets: { privateKey: sshd.privateKey },
      },
      hostKeyFingerprint: sshd.hostKeyFingerprint,
      stop,
    };
  }
  if (kind === 's3') {
    const { startSwift } = await import('@evidence-locker/test-servers/swift');
    const swift = await startSwift();
    const stop = () => swift.stop();
    cleanups.push(stop);
    return {
      pid: swift.proxyPid(),
      draft: {
        name: 'bench s3',
        sealed: false,
        address: {
          kind: 's3',
          bucket: swift.bucket,
          prefix: 'bench',
          region: swift.region,
          endpoint: swift.endpoint,
          pathStyle: true,
          accessKeyId: swift.accessKeyId,
        },
        secrets: { secretAccessKey: swift.secretAccessKey },
      },
      stop,
    };
  }
  const { startWebdav } = await import('@evidence-locker/test-servers/webdav');
  const webdav = await startWebdav();
  const stop = () => webdav.stop();
  cleanups.push(stop);
  return {
    pid: webdav.pid,
    draft: {
      name: 'bench webdav',
      sealed: false,
      address: { kind: 'webdav', url: webdav.url, username: webdav.username },
      secrets: { password: webdav.password },
    },
    stop,
  };
}

/** Adds the target; for SFTP first as a user does: the unknown host key refused with its fingerprint, then accepted. */
async function addTarget(client, started) {
  const { draft } = started;
  if (draft.address.kind !== 'sftp') return client.targets.add.mutate(draft);
  let fingerprint;
  try {
    await client.targets.test.mutate({ draft });
    throw new Error('the SFTP target was tested without its host key being accepted');
  } catch (error) {
    if (error?.data?.lockerCode !== 'TARGET_HOST_KEY_UNKNOWN') throw error;
    fingerprint = error.data.details?.fingerprint;
  }
  if (fingerprint !== started.hostKeyFingerprint) {
    throw new Error(`the server presented ${fingerprint}, but sshd's host key is ${started.hostKeyFingerprint}`);
  }
  return client.targets.add.mutate({ ...draft, hostKeyFingerprint: fingerprint });
}

/** Streams the copy from `GET /api/targets/:id/copies/:name` to /dev/null; its byte count. */
function pull(url, id, name) {
  return new Promise((resolve, reject) => {
    const request = http.get(new URL(`/api/targets/${id}/copies/${encodeURIComponent(name)}`, url), (response) => {
      if (response.statusCode !== 200) {
        const chunks = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('end', () => reject(new Error(`GET copy answered ${response.statusCode}: ${Buffer.concat(chunks).toString('utf8')}`)));
        response.on('error', reject);
        return;
      }
      let bytes = 0;
      const count = new Transform({
        transform(chunk, _encoding, callback) {
          bytes += chunk.length;
          callback(null, chunk);
        },
      });
      pipeline(response, count, fs.createWriteStream('/dev/null')).then(() => {
        const announced = Number(response.headers['content-length']);
        if (bytes !== announced) reject(new Error(`GET copy sent ${bytes} bytes, Content-Length said ${announced}`));
        else resolve(bytes);
      }, reject);
    });
    request.on('error', reject);
  });
}

/** The target's id now: a restore brings back the configuration of the backup, which re-adds the target it came from. */
async function targetIdByName(client, name) {
  const { targets } = await client.targets.list.query();
  const target = targets.find((candidate) => candidate.name === name);
  if (!target) throw new Error(`the target "${name}" is not in targets.list any more`);
  return target.id;
}

const pad = (cells, widths) =>
  cells.map((cell, column) => (column < 3 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ');

function printTable(rows) {
  const header = ['kind', 'run', 'phase', 'wall s', 'MB/s', 'loop max ms', 'loop p99 ms', 'health worst ms', 'peak RSS MB'];
  const lines = rows.map((row) => [
    row.kind,
    row.run,
    row.phase,
    row.seconds.toFixed(2),
    row.bytes === undefined ? '' : (row.bytes / MB / row.seconds).toFixed(1),
    row.maxDelayMs.toFixed(1),
    row.p99DelayMs.toFixed(1),
    `${row.worstHealthMs.toFixed(1)} (${row.healthPolls})`,
    `${row.peakRssMb.toFixed(0)}${row.hwmReset ? '' : '*'}`,
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column].length)));
  console.log(pad(header, widths));
  for (const line of lines) console.log(pad(line, widths));
  console.log('MB/s: MB (10^6 bytes) of the copy per wall second. health worst: slowest /api/health answer seen by the bench (polls).');
  if (rows.some((row) => !row.hwmReset)) console.log('*: /proc/<pid>/clear_refs not writable; peak RSS is since the server started.');
  const measured = rows.filter((row) => row.kind !== '-');
  const worstDelay = Math.max(...measured.map((row) => row.maxDelayMs));
  const worstRss = Math.max(...measured.map((row) => row.peakRssMb));
  console.log(
    `targets (push, pull, restore): event-loop delay < ${TARGET_DELAY_MS} ms: ${worstDelay < TARGET_DELAY_MS ? 'met' : 'MISSED'} (worst ${worstDelay.toFixed(1)} ms); ` +
      `peak RSS < ${TARGET_RSS_MB} MB: ${worstRss < TARGET_RSS_MB ? 'met' : 'MISSED'} (worst ${worstRss.toFixed(0)} MB)`,
  );
}

async function main() {
  if (!fs.existsSync(path.join(sourceDataDir, 'docsis_history.db'))) {
    console.error(`${sourceDataDir} holds no docsis_history.db: seeding it (takes a few minutes)`);
    execFileSync('pnpm', ['locker', 'seed', '--data-dir', sourceDataDir, '--months', '27', '--configured'], {
      cwd: root,
      stdio: 'inherit',
    });
  }
  tempRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'el-offsite-bench-'));
  const dataDir = path.join(tempRoot, 'data');
  const backupDir = path.join(tempRoot, 'backups');
  execFileSync('cp', ['-r', sourceDataDir, dataDir]);
  fs.mkdirSync(backupDir);
  const dbMb = fs.statSync(path.join(dataDir, 'docsis_history.db')).size / MB;

  const server = await startServer({ dataDir, backupDir });
  cleanups.push(() => server.stop(10_000));
  const measured = { url: server.url, pid: server.process.pid() };
  const client = createClient(server.url, { timeoutMs: 600_000 });
  const finished = (job) => waitForJob(client, job.id, { pollMs: 20, timeoutMs: 60 * 60_000 });
  console.log(
    `server pid ${measured.pid} on ${server.url}; ${sourceDataDir}: docsis_history.db ${dbMb.toFixed(0)} MB; node ${process.version}; ` +
      `${os.availableParallelism()} CPUs, load ${os
        .loadavg()
        .map((load) => load.toFixed(2))
        .join(' ')}`,
  );

  const rows = [];
  const created = await phase('backup create', measured, async () => finished(await client.backups.create.mutate()));
  if (created.outcome.kind !== 'backup' || !created.outcome.result) throw new Error('the backup job answered no archive');
  const fileName = path.basename(created.outcome.result.path);
  const archiveBytes = fs.statSync(created.outcome.result.path).size;
  rows.push({ ...created.row, kind: '-', run: '-', bytes: archiveBytes });
  console.log(`archive ${fileName}: ${(archiveBytes / MB).toFixed(1)} MB`);

  for (const kind of kinds) {
    console.error(`${kind}: starting its server`);
    const started = await startTargetServer(kind);
    let target = await addTarget(client, started);
    console.error(`${kind}: target ${target.id} added, its server's pid ${started.pid}`);
    let remoteName;
    for (let run = 1; run <= runs; run += 1) {
      if (run > 1) await client.targets.deleteCopy.mutate({ id: target.id, name: remoteName });
      const pushed = await phase(`${kind} push`, measured, async () => {
        const { jobs } = await client.targets.push.mutate({ fileName, id: target.id });
        if (jobs.length !== 1) throw new Error(`targets.push started ${jobs.length} jobs`);
        return finished(jobs[0]);
      });
      const result = pushed.outcome.result;
      if (pushed.outcome.kind !== 'push' || !result) throw new Error('the push job answered no result');
      if (result.alreadyThere) throw new Error(`${kind}: the target already held ${result.remoteName}; nothing was sent`);
      remoteName = result.remoteName;
      rows.push({ ...pushed.row, kind, run: String(run), phase: 'push', bytes: result.size });

      const pulled = await phase(`${kind} pull`, measured, () => pull(server.url, target.id, remoteName));
      if (pulled.outcome !== result.size) throw new Error(`${kind}: pulled ${pulled.outcome} bytes of ${result.size}`);
      rows.push({ ...pulled.row, kind, run: String(run), phase: 'pull (GET)', bytes: pulled.outcome });

      const restored = await phase(`${kind} restore`, measured, async () =>
        finished(await client.restore.start.mutate({ target: { id: target.id }, name: remoteName })),
      );
      rows.push({ ...restored.row, kind, run: String(run), phase: 'restore', bytes: result.size });
      // The restored configuration is the backup's: the server added this target back to it.
      const kept = restored.outcome.result?.offsiteTarget;
      target = { ...target, id: kept?.id ?? (await targetIdByName(client, target.name)) };
    }
    await client.targets.deleteCopy.mutate({ id: target.id, name: remoteName });
    await client.targets.remove.mutate({ id: target.id });
    cleanups.splice(cleanups.indexOf(started.stop), 1);
    await started.stop();
  }

  console.log('');
  printTable(rows);
  console.log(
    `load average at the end: ${os
      .loadavg()
      .map((load) => load.toFixed(2))
      .join(' ')} on ${os.availableParallelism()} CPUs`,
  );
}

try {
  await main();
} catch (error) {
  console.error(error instanceof Error ? error.stack : error);
  if (error?.data) console.error(JSON.stringify(error.data));
  process.exitCode = 1;
} finally {
  await cleanUp();
}
