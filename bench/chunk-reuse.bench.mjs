/**
 * Backups that cost what changed (issue 21): the scheduled backup of the 1 GB data directory after
 * a simulated day of DOCSight's writes, which takes over the previous backup's compressed chunks,
 * side by side with DOCSight's own create on the same data and with a full backup.
 *
 *   pnpm bench:reuse [-- [--direct] [--runs=N] [--days=N] [--warm] [DATA_DIR]]
 *   node bench/chunk-reuse.bench.mjs [--direct] [--runs=N] [--days=N] [--warm] [DATA_DIR]   (after building apps/server)
 *
 * DATA_DIR defaults to /tmp/bench/one-gb; when it holds no docsis_history.db it is seeded with
 * `pnpm locker seed --data-dir DATA_DIR --months 27 --configured` (~1 GB docsis_history.db). It is
 * only read: everything runs on a `cp -r` copy in a temp dir, with its backup dirs, and the temp
 * dir is removed at the end (on errors and Ctrl-C too).
 *
 * Our commands are the README's `pnpm locker backup create --data-dir COPY --backup-dir DIR --json`
 * (with --direct: apps/server/bin/locker, what pnpm runs, without pnpm's own ~100 MB process in the
 * peak RSS: use --direct for the RSS target). Every operation is measured by GNU time
 * (/usr/bin/time): wall seconds, CPU seconds (user + system, all processes of the command) and the
 * peak RSS of its largest process. The operations, in order:
 *   1. first backup       into an empty backup dir B: a full backup;
 *   2. a simulated day    bench/simulate-day.mjs in its own process, untimed: 288 snapshots (one
 *                         per 5 minutes), the events of a day, a day of Connection Monitor samples,
 *                         written as DOCSight writes them (see that file);
 *   3. scheduled, day 1   `backup create` into B again: it may reuse the first backup's chunks; its
 *                         `reuse` report (members reused / compressed, MB reused, why full) is shown;
 *   4. DOCSight create    bench/docsight-create.py on the same data: DOCSight's
 *                         `create_backup_to_file` (VACUUM INTO copies, demo filter, tar.gz level 9);
 *   5. full, reuse off    `backup create` into another empty dir, with --no-reuse when the CLI has
 *                         it: the CPU a scheduled backup costs without reuse;
 *   (with --days=N, steps 2 and 3 repeat for days 2…N, a scheduled backup after each day)
 *   6. after VACUUM       `VACUUM` of the copy's docsis_history.db (untimed, python3's sqlite3),
 *                         then `backup create` into B: VACUUM rebuilds the file, most pages move.
 * Targets (issue 21): scheduled wall < 0.1 × DOCSight's create wall, scheduled CPU < 20 % of the
 * full backup's CPU, peak RSS < 100 MB; the first backup and the one after VACUUM no slower than
 * the full backup (within 5 %, run-to-run noise). It also prints the CPU seconds a day of
 * scheduled backups saves (full CPU minus scheduled CPU).
 *
 * Warmth: the page cache cannot be dropped here (no root on a shared box), so every operation
 * starts equally warm instead: by default the files of the data dir and of the operation's backup
 * dir are read once (`cat > /dev/null`) right before each timed run; with --warm each operation
 * instead runs once untimed first (its archive deleted). With --runs=N each operation runs N times
 * and the fastest run is shown; the archive of every run but the last is deleted, so each run sees
 * the same backup dir. The load average is printed before every operation (other load stretches
 * wall time, hardly CPU time).
 *
 * The CLI rebuilds its bundle when its sources are newer than the build (apps/server/bin/locker):
 * `locker help` runs once first, untimed; a run that rebuilt anyway (sources edited meanwhile) is
 * marked with * in the table. It exits non-zero when a command fails, not when a target is missed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
// `pnpm bench:reuse -- --direct` passes pnpm's `--` along: it separates nothing here.
const args = process.argv.slice(2).filter((arg) => arg !== '--');
const known = ['--direct', '--warm', '--runs', '--days'];
for (const arg of args) {
  if (arg.startsWith('--') && !known.includes(arg.split('=')[0])) {
    throw new Error(`unknown option ${arg} (--direct, --warm, --runs=N, --days=N, DATA_DIR)`);
  }
}
const direct = args.includes('--direct');
const warmRun = args.includes('--warm');
const command = direct ? [path.join(root, 'apps/server/bin/locker')] : ['pnpm', 'locker'];
const wholeOption = (name) => {
  const value = Number(args.find((arg) => arg.startsWith(`${name}=`))?.slice(name.length + 1) ?? 1);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name}=N: N must be a whole number of at least 1`);
  return value;
};
const runs = wholeOption('--runs');
const days = wholeOption('--days');
const positional = args.filter((arg) => !arg.startsWith('--'));
if (positional.length > 1) throw new Error('give at most one DATA_DIR');
const sourceDataDir = path.resolve(positional[0] ?? '/tmp/bench/one-gb');

const MB = 1e6;
const TARGET_WALL_VS_DOCSIGHT = 0.1;
const TARGET_CPU_VS_FULL = 0.2;
const TARGET_RSS_MB = 100;
/** "No slower" allows this much run-to-run noise (two runs of the same full backup differ by a few %). */
const NOISE = 0.05;
const DATABASES = ['docsis_history.db', 'connection_monitor.db'];

if (!fs.existsSync('/usr/bin/time')) throw new Error('GNU time is missing at /usr/bin/time (apt-get install -y time)');

const loadText = () =>
  os
    .loadavg()
    .map((load) => load.toFixed(2))
    .join(' ');

let scratch;
function cleanUp() {
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  scratch = undefined;
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    console.error(`${signal}: removing ${scratch ?? 'nothing'}`);
    cleanUp();
    process.exit(130);
  });
}

/** Runs `argv` under GNU time; returns its output (the last stdout line as JSON) and the measurements. */
function timed(argv) {
  const timeFile = path.join(os.tmpdir(), `el-reuse-bench-time-${process.pid}.txt`);
  const result = spawnSync('/usr/bin/time', ['-o', timeFile, '-f', '%e %U %S %M', ...argv], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const timeText = fs.existsSync(timeFile) ? fs.readFileSync(timeFile, 'utf8').trim() : '';
  fs.rmSync(timeFile, { force: true });
  if (result.status !== 0) throw new Error(`${argv.join(' ')} failed (${result.status}): ${result.stdout}${result.stderr}`);
  const [seconds, user, system, maxRssKb] = timeText.split('\n').at(-1).split(' ').map(Number);
  const lastLine = result.stdout.trim().split('\n').at(-1) ?? '';
  let output;
  try {
    output = JSON.parse(result.stdout);
  } catch {
    output = JSON.parse(lastLine);
  }
  return {
    output,
    seconds,
    cpu: user + system,
    rssMb: (maxRssKb * 1024) / 1048576,
    rebuilt: result.stderr.includes('locker: building'),
  };
}

/** Reads every regular file of `dirs` once, so the run starts with them in the page cache. */
function readOnce(dirs) {
  const files = dirs.flatMap((dir) =>
    fs.existsSync(dir)
      ? fs
          .readdirSync(dir, { withFileTypes: true })
          .filter((entry) => entry.isFile())
          .map((entry) => path.join(dir, entry.name))
      : [],
  );
  if (files.length > 0) execFileSync('sh', ['-c', 'cat -- "$@" > /dev/null', 'sh', ...files]);
}

/**
 * The fastest of `runs` timed runs of `argv` (each after `readOnce(warmDirs)`, or after one untimed
 * run with --warm); the archive of every run but the last is deleted (the last one stays for the next operation).
 */
function measure(label, argv, warmDirs) {
  console.error(`${label}: load average ${loadText()}`);
  const load = os.loadavg()[0];
  if (warmRun) fs.rmSync(timed(argv).output.path, { force: true });
  let fastest;
  let last;
  for (let run = 0; run < runs; run++) {
    if (!warmRun) readOnce(warmDirs);
    const measured = timed(argv);
    // The next run must find the backup dir as this one did.
    if (run < runs - 1) fs.rmSync(measured.output.path, { force: true });
    if (!fastest || measured.seconds < fastest.seconds) fastest = measured;
    last = measured;
  }
  return { operation: label, load, ...fastest, output: last.output, archiveMb: last.output.size / MB, reuse: fastest.output.reuse };
}

function databaseMb(dataDir) {
  return DATABASES.map((name) => path.join(dataDir, name))
    .filter((file) => fs.existsSync(file))
    .map((file) => fs.statSync(file).size / MB);
}

function printTable(rows) {
  const header = [
    'operation',
    'wall s',
    'CPU s',
    'peak RSS MB',
    'archive MB',
    'load',
    'members reused/compressed',
    'MB reused',
    'full because',
  ];
  const lines = rows.map((row) => {
    const reuse = row.reuse;
    const reuseCells =
      reuse === undefined
        ? row.operation.startsWith('DOCSight')
          ? ['', '', '']
          : ['(no reuse in output)', '', '']
        : [
            `${reuse.membersReused}/${reuse.membersCompressed}`,
            (reuse.bytesReused / MB).toFixed(1),
            reuse.fullReason === null ? '' : `${reuse.fullReason}${reuse.detail ? `: ${reuse.detail}` : ''}`,
          ];
    return [
      `${row.operation}${row.rebuilt ? ' *' : ''}`,
      row.seconds.toFixed(2),
      row.cpu.toFixed(2),
      row.rssMb.toFixed(0),
      row.archiveMb.toFixed(1),
      row.load.toFixed(2),
      ...reuseCells,
    ];
  });
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column].length)));
  const pad = (cells) =>
    cells
      .map((cell, column) => (column === 0 || column >= 6 ? cell.padEnd(widths[column]) : cell.padStart(widths[column])))
      .join('  ')
      .trimEnd();
  console.log(pad(header));
  for (const line of lines) console.log(pad(line));
  if (rows.some((row) => row.rebuilt))
    console.log('*: the CLI rebuilt its bundle during this run (its sources changed): the time includes the build.');
}

function verdict(met) {
  return met ? 'met' : 'MISSED';
}

function main() {
  if (!fs.existsSync(path.join(sourceDataDir, 'docsis_history.db'))) {
    console.error(`${sourceDataDir} holds no docsis_history.db: seeding it (takes a few minutes)`);
    execFileSync('pnpm', ['locker', 'seed', '--data-dir', sourceDataDir, '--months', '27', '--configured'], {
      cwd: root,
      stdio: 'inherit',
    });
  }
  // Builds the bundle when the sources call for it, outside the measurements; tells whether --no-reuse exists.
  const help = execFileSync(command[0], [...command.slice(1), 'help', 'backup', 'create'], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const noReuse = help.includes('--no-reuse');

  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'el-reuse-bench-'));
  const dataDir = path.join(scratch, 'data');
  const backupDir = path.join(scratch, 'backups');
  const docsightDir = path.join(scratch, 'docsight');
  const fullDir = path.join(scratch, 'full');
  console.error(`copying ${sourceDataDir} to ${dataDir}`);
  execFileSync('cp', ['-r', sourceDataDir, dataDir]);
  for (const dir of [backupDir, docsightDir, fullDir]) fs.mkdirSync(dir);

  const [historyMb, monitorMb] = databaseMb(dataDir);
  console.log(
    `${command.join(' ')} backup create, node ${process.version}, python ${execFileSync('python3', ['--version'], { encoding: 'utf8' }).trim().split(' ')[1]}, ` +
      `${os.availableParallelism()} cores; ${sourceDataDir} (copy): docsis_history.db ${historyMb.toFixed(0)} MB, ` +
      `connection_monitor.db ${(monitorMb ?? 0).toFixed(1)} MB; ${runs === 1 ? 'one run' : `fastest of ${runs} runs`} each, ` +
      `${warmRun ? 'after one untimed run' : 'files read once (cat > /dev/null) before each run'}; ` +
      `reuse off: ${noReuse ? '--no-reuse into an empty dir' : 'an empty backup dir (the CLI has no --no-reuse)'}`,
  );

  const locker = (dir, ...extra) => [...command, 'backup', 'create', '--data-dir', dataDir, '--backup-dir', dir, '--json', ...extra];
  const rows = [];
  const show = (row) => {
    rows.push(row);
    const reuse = row.reuse
      ? `; reuse ${JSON.stringify({ previous: row.reuse.previous, membersReused: row.reuse.membersReused, membersCompressed: row.reuse.membersCompressed, bytesReused: row.reuse.bytesReused, membersInflated: row.reuse.membersInflated, fullReason: row.reuse.fullReason })}`
      : '';
    console.error(
      `  ${row.operation}: ${row.seconds.toFixed(2)} s, CPU ${row.cpu.toFixed(2)} s, peak RSS ${row.rssMb.toFixed(0)} MB, ${row.archiveMb.toFixed(1)} MB${reuse}`,
    );
    return row;
  };

  const first = show(measure('first backup (full)', locker(backupDir), [dataDir, backupDir]));
  const scheduled = [];
  let docsight;
  let full;
  for (let day = 1; day <= days; day++) {
    console.error(`simulating day ${day} of DOCSight's writes (untimed): load average ${loadText()}`);
    const simulated = execFileSync('node', [path.join(root, 'bench/simulate-day.mjs'), '--data-dir', dataDir, '--day', String(day)], {
      cwd: root,
      encoding: 'utf8',
    }).trim();
    console.log(`day ${day}: ${simulated}`);
    scheduled.push(show(measure(`scheduled, day ${day}`, locker(backupDir), [dataDir, backupDir])));
    if (day === 1) {
      docsight = show(
        measure('DOCSight create', ['python3', path.join(root, 'bench/docsight-create.py'), dataDir, docsightDir], [dataDir, docsightDir]),
      );
      fs.rmSync(docsight.output.path, { force: true });
      full = show(measure('full, reuse off', locker(fullDir, ...(noReuse ? ['--no-reuse'] : [])), [dataDir, fullDir]));
      fs.rmSync(full.output.path, { force: true });
    }
  }
  console.error(`VACUUM of the copy's docsis_history.db (untimed): load average ${loadText()}`);
  const vacuumStarted = performance.now();
  execFileSync('python3', [
    '-c',
    'import sqlite3, sys\nc = sqlite3.connect(sys.argv[1])\nc.execute("VACUUM")\nc.close()',
    path.join(dataDir, 'docsis_history.db'),
  ]);
  console.log(
    `VACUUM: ${((performance.now() - vacuumStarted) / 1000).toFixed(1)} s, docsis_history.db now ${databaseMb(dataDir)[0].toFixed(0)} MB`,
  );
  const vacuumed = show(measure('after VACUUM', locker(backupDir), [dataDir, backupDir]));

  console.log('');
  printTable(rows);
  console.log('');
  const day1 = scheduled[0];
  const wallRatio = day1.seconds / docsight.seconds;
  const cpuShare = day1.cpu / full.cpu;
  const worstRss = Math.max(...scheduled.map((row) => row.rssMb));
  console.log(
    `scheduled / DOCSight create, wall: ${wallRatio.toFixed(3)} (target < ${TARGET_WALL_VS_DOCSIGHT}: ${verdict(wallRatio < TARGET_WALL_VS_DOCSIGHT)}; ` +
      `${day1.seconds.toFixed(2)} s vs ${docsight.seconds.toFixed(2)} s)`,
  );
  console.log(
    `scheduled CPU / full CPU: ${(cpuShare * 100).toFixed(1)} % (target < ${TARGET_CPU_VS_FULL * 100} %: ${verdict(cpuShare < TARGET_CPU_VS_FULL)}; ` +
      `${day1.cpu.toFixed(2)} s vs ${full.cpu.toFixed(2)} s)`,
  );
  console.log(
    `scheduled peak RSS: ${worstRss.toFixed(0)} MB (target < ${TARGET_RSS_MB} MB: ${verdict(worstRss < TARGET_RSS_MB)}` +
      `${direct ? '' : '; measured with pnpm, whose own process counts: use --direct'})`,
  );
  for (const row of [first, vacuumed]) {
    const wall = row.seconds / full.seconds;
    console.log(
      `${row.operation} / full backup: wall ${wall.toFixed(2)} (${row.seconds.toFixed(2)} s vs ${full.seconds.toFixed(2)} s; no slower: ${verdict(wall <= 1 + NOISE)}), ` +
        `CPU ${(row.cpu / full.cpu).toFixed(2)}`,
    );
  }
  console.log(
    `CPU seconds saved per day: ${(full.cpu - day1.cpu).toFixed(2)} s (full ${full.cpu.toFixed(2)} s − scheduled ${day1.cpu.toFixed(2)} s)` +
      (scheduled.length > 1 ? `; days 1…${scheduled.length}: ${scheduled.map((row) => (full.cpu - row.cpu).toFixed(2)).join(', ')} s` : ''),
  );
  console.log(`load average at the end: ${loadText()} on ${os.availableParallelism()} CPUs`);
}

try {
  main();
} catch (error) {
  console.error(error instanceof Error ? error.stack : error);
  process.exitCode = 1;
} finally {
  cleanUp();
}
