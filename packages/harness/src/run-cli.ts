/**
 * The CLI as a user runs it (`pnpm locker <args>`: the built bundle with the production node
 * settings; spawn-locker.ts), run to its end.
 */
import { assertBuilt } from './locker-bundle.ts';
import { spawnLocker, type LockerProcess } from './spawn-locker.ts';

/** How a CLI run ended and what it printed. */
export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved (the last 64 KB). */
  output: string;
  /** stdout parsed, when the arguments hold `--json` and it is JSON; else undefined. */
  json: unknown;
  /** Wall time, process start included. */
  seconds: number;
}

/** Options of {@link runCli} and {@link startCli}. */
export interface RunCliOptions {
  /** Environment variables besides PATH, HOME, TMPDIR and the node settings. */
  env?: Record<string, string>;
  /** Resolve with a failed run instead of throwing; default false. */
  allowFailure?: boolean;
  /** SIGKILL after this long (ms); default 10 minutes. */
  timeoutMs?: number;
  /** The bundle to run; default SERVER_BUNDLE. */
  bundle?: string;
}

/** A CLI run under way: its process, and its end. */
export interface StartedCli {
  process: LockerProcess;
  /** Resolves once the process has exited and its output is read, however it ended. */
  done: Promise<CliRun>;
}

function parseJson(args: readonly string[], stdout: string): unknown {
  if (!args.includes('--json')) return undefined;
  try {
    return JSON.parse(stdout);
  } catch {
    return undefined;
  }
}

/** Starts `locker <args>` (never throws for its exit; see {@link runCli}). */
export function startCli(args: readonly string[], options: Omit<RunCliOptions, 'allowFailure'> = {}): StartedCli {
  assertBuilt(options.bundle ? { bundle: options.bundle } : {});
  const started = performance.now();
  const locker = spawnLocker(args, { ...(options.env ? { env: options.env } : {}), ...(options.bundle ? { bundle: options.bundle } : {}) });
  const timer = setTimeout(() => void locker.kill(), options.timeoutMs ?? 10 * 60_000);
  // 'close' comes after 'exit' once stdout and stderr are drained: the output is whole then.
  const closed = new Promise<void>((resolve) => locker.child.once('close', () => resolve()));
  const done = (async (): Promise<CliRun> => {
    try {
      const exit = await locker.exited;
      await closed;
      const stdout = locker.stdout();
      return {
        ...exit,
        stdout,
        stderr: locker.stderr(),
        output: locker.output(),
        json: parseJson(args, stdout),
        seconds: (performance.now() - started) / 1000,
      };
    } finally {
      clearTimeout(timer);
    }
  })();
  return { process: locker, done };
}

/** Runs `locker <args>` to its end; a non-zero exit throws with the output, unless `allowFailure`. */
export async function runCli(args: readonly string[], options: RunCliOptions = {}): Promise<CliRun> {
  const run = await startCli(args, options).done;
  if (run.code !== 0 && !options.allowFailure) {
    throw new Error(`locker ${args.join(' ')} exited with ${run.code ?? run.signal}:\n${run.output}`);
  }
  return run;
}

/** Runs `locker <args> --json`; throws unless it succeeds and prints one JSON document. */
export async function runCliJson<T = Record<string, unknown>>(
  args: readonly string[],
  options: Omit<RunCliOptions, 'allowFailure'> = {},
): Promise<CliRun & { json: T }> {
  const run = await runCli([...args, '--json'], options);
  if (run.json === undefined) throw new Error(`locker ${args.join(' ')} --json printed no JSON:\n${run.output}`);
  return run as CliRun & { json: T };
}
