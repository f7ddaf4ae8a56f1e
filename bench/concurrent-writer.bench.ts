/**
 * Backups of a 1 GB data directory while DOCSight keeps writing to it: the scenario of
 * reliability/test/concurrent-writer.test.ts (reliability/src/concurrency/concurrent-writer-run.ts) on
 * real-sized data, with numbers.
 *
 *   pnpm bench:concurrent-writer [-- [--backups=20] [--polls-per-second=5] [--persistent]
 *     [--cli-verify-every=1] [DATA_DIR]]
 *   tsx bench/concurrent-writer.bench.ts …   (after `pnpm --filter @evidence-locker/server build`)
 *
 * DATA_DIR defaults to /tmp/bench/one-gb (made with
 * `pnpm locker seed --data-dir /tmp/bench/one-gb --months 27 --configured`). It is only read: the
 * run works on a `cp -r` copy in a temp dir, removed at the end with the archives.
 *
 * A writer process inserts like DOCSight (WAL, busy_timeout 30 s, one transaction per poll: a
 * snapshot row with its channel JSON, the device state, every third poll an event; and a probe
 * round of Connection Monitor samples) while `locker backup create` runs `--backups` times in a row.
 * Then every archive is unpacked and checked (integrity_check, foreign keys, meta counts, rows never
 * going back, the writer's rows growing and its transactions whole), `locker backup verify` runs on
 * every `--cli-verify-every`-th archive and the last, and the live databases are checked.
 *
 * Prints one line per backup and a summary: rows the writer committed, writes per second, its errors
 * (SQLITE_BUSY counts), its longest transaction (how long a backup held it up), backup times.
 * Exits non-zero when any check fails or the writer met an error, not on speed.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assertBuilt } from '@evidence-locker/harness';
import { runConcurrentWriter } from '@evidence-locker/reliability/concurrent-writer';

const args = process.argv.slice(2);
const flag = (name: string) => args.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
const backups = Number(flag('backups') ?? 20);
const pollsPerSecond = Number(flag('polls-per-second') ?? 5);
const cliVerifyEvery = Number(flag('cli-verify-every') ?? 1);
const persistent = args.includes('--persistent');
const sourceDataDir = args.find((arg) => !arg.startsWith('--')) ?? '/tmp/bench/one-gb';
const MB = 1e6;

function table(header: string[], rows: (string | number)[][]) {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => String(row[column]).length)));
  const line = (cells: (string | number)[]) =>
    cells.map((cell, column) => (column <= 1 ? String(cell).padEnd(widths[column]!) : String(cell).padStart(widths[column]!))).join('  ');
  console.log(line(header));
  for (const row of rows) console.log(line(row));
}

async function main() {
  assertBuilt();
  if (!fs.existsSync(path.join(sourceDataDir, 'docsis_history.db'))) {
    throw new Error(`${sourceDataDir} has no docsis_history.db: pnpm locker seed --data-dir ${sourceDataDir} --months 27 --configured`);
  }
  const tempRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'el-concurrent-writer-bench-'));
  try {
    const dataDir = path.join(tempRoot, 'data');
    execFileSync('cp', ['-r', sourceDataDir, dataDir]);
    const dbMb = fs.statSync(path.join(dataDir, 'docsis_history.db')).size / MB;
    console.log(
      `data: copy of ${sourceDataDir}, docsis_history.db ${dbMb.toFixed(0)} MB; ${backups} backups; writer ${pollsPerSecond} polls/s, ` +
        `${persistent ? 'persistent connections' : 'a connection per transaction'}; node ${process.version}; ` +
        `load ${os
          .loadavg()
          .map((load) => load.toFixed(2))
          .join(' ')} on ${os.availableParallelism()} CPUs`,
    );
    const started = performance.now();
    const result = await runConcurrentWriter({
      dataDir,
      backupDir: path.join(tempRoot, 'backups'),
      scratchDir: path.join(tempRoot, 'scratch'),
      backups,
      pollsPerSecond,
      persistentConnections: persistent,
      cliVerifyEvery,
      deleteCheckedArchives: true,
      log: (line: string) => console.error(`  [${((performance.now() - started) / 1000).toFixed(0)} s] ${line}`),
    });

    console.log('');
    table(
      ['#', 'archive', 'MB', 'wall s', 'create s', 'writer snapshots', 'events', 'samples', 'integrity', 'verify s'],
      result.backups.map((backup) => {
        const history = backup.databases['docsis_history.db'];
        const monitor = backup.databases['connection_monitor.db'];
        const sound = history?.integrity.join() === 'ok' && monitor?.integrity.join() === 'ok';
        return [
          backup.index,
          backup.fileName,
          (backup.size / MB).toFixed(0),
          backup.seconds.toFixed(1),
          backup.createSeconds.toFixed(1),
          history?.writerRows?.snapshots ?? '-',
          history?.writerRows?.events ?? '-',
          monitor?.writerRows?.connection_samples ?? '-',
          sound ? 'ok' : 'BAD',
          backup.verifySeconds === null ? '-' : `${backup.verifySeconds.toFixed(1)}${backup.cliVerified ? '' : ' FAILED'}`,
        ];
      }),
    );
    const { writer } = result;
    const rows = writer.inserted.snapshots + writer.inserted.events + writer.inserted.connection_samples;
    const seconds = result.backups.map((backup) => backup.seconds);
    console.log('');
    console.log(
      `backups: ${result.backups.length} in ${result.backupSeconds.toFixed(0)} s; per backup min ${Math.min(...seconds).toFixed(1)} / median ${[...seconds].sort((a, b) => a - b)[Math.floor(seconds.length / 2)]!.toFixed(1)} / max ${Math.max(...seconds).toFixed(1)} s (CLI wall time)`,
    );
    console.log(
      `writer: ${writer.polls} polls in ${writer.seconds.toFixed(0)} s; rows committed: ${writer.inserted.snapshots} snapshots, ${writer.inserted.events} events, ` +
        `${writer.inserted.connection_samples} connection samples (${rows} rows, ${(rows / writer.seconds).toFixed(1)} rows/s, ` +
        `${((writer.polls * 2) / writer.seconds).toFixed(1)} transactions/s) + ${writer.inserted.device_state} device_state upserts`,
    );
    console.log(
      `writer errors: ${writer.errors.length} (SQLITE_BUSY included); longest transaction: docsis_history.db ${writer.worstTransactionMs['docsis_history.db'].toFixed(0)} ms, ` +
        `connection_monitor.db ${writer.worstTransactionMs['connection_monitor.db'].toFixed(0)} ms; ${writer.slowTransactions} of ${writer.polls * 2} transactions over 250 ms; ` +
        `polls more than one interval late: ${writer.latePolls}`,
    );
    console.log(
      `live databases: docsis_history.db ${result.live['docsis_history.db']!.integrity.join('; ')}, connection_monitor.db ${result.live['connection_monitor.db']!.integrity.join('; ')}`,
    );
    console.log(
      `load average at the end: ${os
        .loadavg()
        .map((load) => load.toFixed(2))
        .join(' ')}`,
    );
    if (result.problems.length > 0) {
      console.log(`\nPROBLEMS (${result.problems.length}):`);
      for (const problem of result.problems) console.log(`  - ${problem}`);
      process.exitCode = 1;
    } else {
      console.log('\nall checks passed');
    }
  } finally {
    fs.rmSync(tempRoot, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exitCode = 1;
});
