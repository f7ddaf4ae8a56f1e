/**
 * How every CLI command talks to the user: human-readable lines on stdout by default, exactly one
 * JSON document with `--json`, and on failure a clear message on stderr (or a JSON error document)
 * with a non-zero exit code.
 */
import { isLockerError } from '@evidence-locker/core';
import { EnvError } from '../env.ts';

export interface CommandOutput {
  readonly json: boolean;
  /** A line for humans; ignored in JSON mode. */
  line(text?: string): void;
  /** Aligned `label  value` rows for humans; ignored in JSON mode. */
  table(rows: ReadonlyArray<readonly [string, string]>, indent?: number): void;
}

export function createOutput(json: boolean): CommandOutput {
  return {
    json,
    line(text = '') {
      if (!json) process.stdout.write(`${text}\n`);
    },
    table(rows, indent = 2) {
      if (json) return;
      const width = Math.max(0, ...rows.map(([label]) => label.length));
      for (const [label, value] of rows) {
        process.stdout.write(`${' '.repeat(indent)}${label.padEnd(width)}  ${value}\n`);
      }
    },
  };
}

/** Exit codes: 0 ok, 1 the operation failed, 2 the command line was wrong. */
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Writes the final JSON document of a successful command. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Reports a failure in the chosen format and returns the exit code to use. */
export function reportFailure(error: unknown, json: boolean): number {
  const usage = error instanceof UsageError;
  const code = usage ? 'USAGE' : isLockerError(error) ? error.code : error instanceof EnvError ? 'ENV_INVALID' : 'INTERNAL';
  const message = error instanceof Error ? error.message : String(error);
  // A host key refusal gives its fingerprints to scripts too (nothing secret in them).
  const hostKey =
    isLockerError(error) && (code === 'TARGET_HOST_KEY_UNKNOWN' || code === 'TARGET_HOST_KEY_CHANGED')
      ? Object.fromEntries(Object.entries(error.details ?? {}).filter(([name]) => ['fingerprint', 'expected', 'presented'].includes(name)))
      : undefined;
  if (json) {
    printJson({ ok: false, error: { code, message, ...(hostKey === undefined ? {} : { details: hostKey }) } });
  } else {
    process.stderr.write(`error: ${message}\n`);
    if (usage) process.stderr.write(`Run \`pnpm locker help\` for usage.\n`);
    if (code === 'SEAL_KEY_REQUIRED') {
      process.stderr.write(`Pass --identity FILE (the recovery kit or age-keygen's key file) or --passphrase-file FILE.\n`);
    }
    if (hostKey !== undefined) {
      process.stderr.write(
        "Compare the fingerprint with the server's (ask its owner, or run ssh-keygen -lf on its host key file there); " +
          'if they match, run the command again with --accept-host-key.\n',
      );
    }
    if (code === 'INTERNAL' && error instanceof Error && error.stack) {
      process.stderr.write(`${error.stack}\n`);
    }
  }
  return usage ? EXIT_USAGE : EXIT_FAILURE;
}
