/**
 * Benchmark of the backup engine as a user runs it: the README's `pnpm locker <command>` (pnpm, then
 * apps/server/bin/locker, which execs node with the server's flags on the built bundle
 * apps/server/dist/locker.js and its worker bundles, no tsx), run from the repository root, one
 * command per operation, measured by GNU time (wall and CPU time of pnpm and node together; peak
 * RSS of the larger of the two, which is node).
 *
 *   pnpm bench [-- [--compare] [--direct] [--runs=N] [DATA_DIR ...]]
 *   node bench/engine.bench.mjs [--compare] [--direct] [--runs=N] [DATA_DIR ...]
 *
 * `pnpm locker help` runs once first, untimed, so a build the sources call for is not measured.
 * With --direct the commands run as `apps/server/bin/locker …` (what pnpm runs, without pnpm's own
 * process: it takes about 100 MB and a fraction of a second to start, and its peak then is the RSS
 * column of the light operations).
 *
 * DATA_DIR defaults to /tmp/bench/nine-months and /tmp/bench/one-gb; make them with
 * `pnpm locker seed --data-dir /tmp/bench/one-gb --months 27 --configured` (9 months for the other).
 * For each data dir it runs `backup create`, `backup validate`, `backup verify` and `backup restore`
 * (into an empty data dir) and prints one row per operation: wall seconds, MB of database
 * (docsis_history.db + connection_monitor.db) per second, archive MB, peak RSS of the node process
 * (its worker threads included) and the CPU seconds (user + system). Other load on the machine stretches
 * wall time but hardly CPU time, so the load average is printed too. With --compare the archive is
 * also recompressed with `gzip -9` (DOCSight's level) and the size difference printed. With
 * --runs=N every operation runs N times and the fastest run is shown.
 *
 * Needs GNU time at /usr/bin/time (`apt-get install -y time`). The data dirs are only read (create
 * uses a work dir inside them and removes it); everything else goes to a temp dir that is removed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const compare = args.includes('--compare');
const command = args.includes('--direct') ? [path.join(root, 'apps/server/bin/locker')] : ['pnpm', 'locker'];
const runs = Number(args.find((arg) => arg.startsWith('--runs='))?.slice(7) ?? 1);
// Absolute: the commands run from the repository root.
const dataDirs = args.filter((arg) => !arg.startsWith('--')).map((dir) => path.resolve(dir));
if (dataDirs.length === 0) dataDirs.push('/tmp/bench/nine-months', '/tmp/bench/one-gb');

if (!fs.existsSync('/usr/bin/time')) throw new Error('GNU time is missing at /usr/bin/time (apt-get install -y time)');
// Builds the bundle when the sources call for it, outside the measurements.
execFileSync('pnpm', ['locker', 'help'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });

const MB = 1e6;

/** Runs the CLI once under GNU time; returns its JSON output and the measurements. */
function timed(cliArgs) {
  const timeFile = path.join(os.tmpdir(), `el-bench-time-${process.pid}.txt`);
  const result = spawnSync('/usr/bin/time', ['-o', timeFile, '-f', '%e %U %S %M', ...command, ...cliArgs, '--json'], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const [seconds, user, system, maxRssKb] = fs.readFileSync(timeFile, 'utf8').trim().split('\n').at(-1).split(' ').map(Number);
  fs.rmSync(timeFile, { force: true });
  if (result.status !== 0) throw new Error(`locker ${cliArgs.join(' ')} failed (${result.status}): ${result.stdout}${result.stderr}`);
  return { output: JSON.parse(result.stdout), seconds, cpu: user + system, rssMb: (maxRssKb * 1024) / 1048576 };
}

/** The fastest of `runs` runs; `prepare` gives each run fresh arguments, `cleanup` tidies after it. */
function best(prepare, cleanup = () => undefined) {
  let fastest;
  for (let run = 0; run < runs; run++) {
    const cliArgs = prepare(run);
    const measured = timed(cliArgs);
    if (!fastest || measured.seconds < fastest.seconds) fastest = measured;
    if (run < runs - 1) cleanup(measured);
  }
  return fastest;
}

function databaseBytes(dataDir) {
  return ['docsis_history.db', 'connection_monitor.db']
    .map((name) => path.join(dataDir, name))
    .filter((file) => fs.existsSync(file))
    .reduce((sum, file) => sum + fs.statSync(file).size, 0);
}

const rows = [];
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'el-engine-bench-'));
try {
  for (const dataDir of dataDirs) {
    const dbMb = databaseBytes(dataDir) / MB;
    const label = path.basename(dataDir);
    const row = (operation, measured, extra = {}) =>
      rows.push({ operation, dataDir: label, dbMb, ...measured, load: os.loadavg()[0], ...extra });

    const backupDir = path.join(scratch, `${label}-backups`);
    const create = best(
      () => ['backup', 'create', '--data-dir', dataDir, '--backup-dir', backupDir],
      (measured) => fs.rmSync(measured.output.path, { force: true }),
    );
    const archive = create.output.path;
    let versusGzip9;
    if (compare) {
      const gzip9 = Number(
        execFileSync('sh', ['-c', `gzip -dc "${archive}" | gzip -9 | wc -c`])
          .toString()
          .trim(),
      );
      versusGzip9 = (create.output.size / gzip9 - 1) * 100;
    }
    row('create', create, { archiveMb: create.output.size / MB, versusGzip9 });
    row(
      'validate',
      best(() => ['backup', 'validate', archive]),
    );
    row(
      'verify',
      best(() => ['backup', 'verify', '--backup-dir', backupDir, path.basename(archive)]),
    );
    const restore = best(
      (run) => {
        const target = path.join(scratch, `${label}-restored-${run}`);
        fs.mkdirSync(target);
        return ['backup', 'restore', archive, '--data-dir', target, '--backup-dir', path.join(scratch, `${label}-pre-${run}`)];
      },
      () => undefined,
    );
    row('restore', restore);
    fs.rmSync(scratch, { recursive: true, force: true });
    fs.mkdirSync(scratch);
  }
} finally {
  fs.rmSync(scratch, { recursive: true, force: true });
}

const table = rows.map((r) => ({
  operation: r.operation,
  'data dir': r.dataDir,
  'db MB': r.dbMb.toFixed(0),
  seconds: r.seconds.toFixed(2),
  'db MB/s': (r.dbMb / r.seconds).toFixed(0),
  'archive MB': r.archiveMb === undefined ? '' : r.archiveMb.toFixed(1),
  'vs gzip -9': r.versusGzip9 === undefined ? '' : `${r.versusGzip9 >= 0 ? '+' : ''}${r.versusGzip9.toFixed(1)} %`,
  'peak RSS MB': r.rssMb.toFixed(0),
  'CPU s': r.cpu.toFixed(2),
  load: r.load.toFixed(1),
}));
console.log(
  `${command.join(' ')}, node ${process.version}, ${os.availableParallelism()} cores, ${runs === 1 ? 'one run' : `fastest of ${runs} runs`} each`,
);
console.table(table);
