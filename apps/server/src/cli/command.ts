/**
 * The shape of a CLI command and the strict argument parser every command uses (node:util
 * parseArgs), so an unknown flag or a missing value is a usage error, never silently ignored.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './cli-output.ts';

export interface Command {
  /** Words that select the command, e.g. `backup create`. */
  readonly name: string;
  readonly summary: string;
  /** Option synopsis shown by `help`. */
  readonly usage: string;
  /** Lines under the usage in `help`: what the flags do when the synopsis does not say it. */
  readonly notes?: readonly string[];
  run(args: string[]): Promise<number>;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** Parses `args` strictly against `options` (plus `--json`), turning parse errors into usage errors. */
export function parseCommandArgs<T extends Options>(args: string[], options: T, { positionals = 0 }: { positionals?: number } = {}) {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: { ...options, json: { type: 'boolean', default: false } },
      allowPositionals: positionals > 0,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (parsed.positionals.length > positionals) {
    throw new UsageError(`unexpected argument: ${parsed.positionals[positionals]}`);
  }
  return parsed;
}

/** Returns a required string option or throws a usage error naming it. */
export function requireOption(value: string | boolean | undefined | (string | boolean)[], flag: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new UsageError(`missing required option --${flag}`);
  }
  return value;
}

/** Parses an integer option within bounds, or throws a usage error naming it. */
export function integerOption(
  value: string | boolean | undefined | (string | boolean)[],
  flag: string,
  { min, max }: { min: number; max: number },
): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^\d+$/.test(value)) {
    throw new UsageError(`--${flag} must be a whole number`);
  }
  const number = Number(value);
  if (number < min || number > max) {
    throw new UsageError(`--${flag} must be between ${min} and ${max}`);
  }
  return number;
}
