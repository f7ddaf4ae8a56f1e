/**
 * Starts docsight-writer.ts as its own process and speaks its line protocol: `ready` (with the
 * baseline ids) after start, `report` after `stop()`. The process is killed if it does not stop
 * within the grace period, so a test never leaves it behind.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { tsxImportArgs } from '../tsx-loader.ts';
import type { WriterBaseline, WriterReport } from './docsight-writer.ts';

export type { WriterBaseline, WriterError, WriterReport } from './docsight-writer.ts';

const WRITER = fileURLToPath(new URL('./docsight-writer.ts', import.meta.url));

/** Options of {@link startWriter}. */
export interface WriterOptions {
  dataDir: string;
  /** Polls (one history and one connection-monitor transaction each) per second; default 5. */
  pollsPerSecond?: number;
  /** Every n-th poll also writes an event; default 3. */
  eventEvery?: number;
  /** Keep one connection per database open instead of one per transaction (default false). */
  persistent?: boolean;
}

/** A running writer. */
export interface RunningWriter {
  pid: number;
  baseline: WriterBaseline;
  /** Asks it to stop after the poll in progress and resolves with its report. */
  stop(graceMs?: number): Promise<WriterReport>;
  /** Kills it at once (cleanup after a failure); safe to call twice. */
  kill(): void;
}

/** Starts the writer and resolves once it has read its baseline and starts polling. */
export async function startWriter(options: WriterOptions): Promise<RunningWriter> {
  const args = [
    ...tsxImportArgs(),
    WRITER,
    '--data-dir',
    options.dataDir,
    '--polls-per-second',
    String(options.pollsPerSecond ?? 5),
    '--event-every',
    String(options.eventEvery ?? 3),
    ...(options.persistent ? ['--persistent'] : []),
  ];
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-10_000);
  });
  const messages = createInterface({ input: child.stdout });
  let onReady!: (baseline: WriterBaseline) => void;
  let onReport!: (report: WriterReport) => void;
  const ready = new Promise<WriterBaseline>((resolve) => (onReady = resolve));
  const reported = new Promise<WriterReport>((resolve) => (onReport = resolve));
  messages.on('line', (line) => {
    let message: { type?: string };
    try {
      message = JSON.parse(line) as { type?: string };
    } catch {
      return;
    }
    if (message.type === 'ready') onReady(message as unknown as WriterBaseline);
    if (message.type === 'report') onReport(message as unknown as WriterReport);
  });
  // 'close', not 'exit': it comes after stdout ended, so the report line has been read by then.
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const died = exited.then((code) => {
    throw new Error(`the writer exited (${code}) without a report:\n${stderr}`);
  });
  died.catch(() => undefined);

  const kill = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  let baseline: WriterBaseline;
  try {
    baseline = await Promise.race([ready, died]);
  } catch (error) {
    kill();
    throw error;
  }
  return {
    pid: child.pid!,
    baseline,
    async stop(graceMs = 60_000) {
      child.stdin.end('stop\n');
      const timer = setTimeout(kill, graceMs);
      try {
        const report = await Promise.race([reported, died]);
        await exited;
        return report;
      } finally {
        clearTimeout(timer);
      }
    },
    kill,
  };
}
