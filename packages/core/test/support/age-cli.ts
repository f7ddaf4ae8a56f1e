/**
 * The real `age` command (Debian's `age` package) for interop tests, installed when missing as the
 * test-services notes ask: tests install what they need and fail, never skip, when they cannot.
 * `age` reads passphrases only from a terminal, so passphrase runs go through util-linux's
 * `script`, which gives `age` a pty and types the passphrase lines into it.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';

function has(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).status === 0;
}

function aptGet(...args: string[]): SpawnSyncReturns<string> {
  return spawnSync('apt-get', args, { encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

/** Makes sure `age`, `age-keygen` and `script` are on PATH, installing Debian's packages if not. */
export function ensureAgeCli(): void {
  const missing = () => ['age', 'age-keygen', 'script'].filter((command) => !has(command));
  if (missing().length === 0) return;
  const packages = ['age', 'bsdutils'];
  let install = aptGet('install', '-y', ...packages);
  if (install.status !== 0) {
    aptGet('update');
    install = aptGet('install', '-y', ...packages);
  }
  if (missing().length > 0) {
    throw new Error(
      `The age interop tests need ${missing().join(', ')} (Debian packages age and bsdutils), and ` +
        `\`apt-get install -y ${packages.join(' ')}\` did not provide them (exit ${install.status}): ` +
        `${(install.stderr ?? String(install.error)).trim().slice(-500)}`,
    );
  }
}

/** Runs a command; throws with its stderr when it exits non-zero. */
export function run(command: string, args: string[], input?: string): string {
  // A bound, so a prompt nobody answers fails the test instead of hanging it.
  const result = spawnSync(command, args, { encoding: 'utf8', input, timeout: 120_000 });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status}): ${result.stderr || String(result.error)}`);
  }
  return result.stdout;
}

const shellQuoted = (word: string): string => `'${word.replaceAll("'", `'\\''`)}'`;

/** Runs `age ...args` on a pty, typing each of `lines` (the passphrase, and its confirmation). */
export function runAgeOnTerminal(args: string[], lines: string[]): void {
  const commandLine = ['age', ...args].map(shellQuoted).join(' ');
  run('script', ['-qec', commandLine, '/dev/null'], lines.map((line) => `${line}\n`).join(''));
}
