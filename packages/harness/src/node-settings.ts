/**
 * The node settings the product runs with, read from their one home, apps/server/bin/node-settings.sh
 * (which bin/locker and the container's launcher source), so the harness starts the bundle exactly
 * as `pnpm start` does without a copy of the flags. The file is read as text, not through a shell:
 * it holds plain `NAME='value'` lines and comments.
 */
import fs from 'node:fs';
import path from 'node:path';
import { SERVER_DIR } from './locker-bundle.ts';

/** apps/server/bin/node-settings.sh. */
export const NODE_SETTINGS_FILE = path.join(SERVER_DIR, 'bin/node-settings.sh');

/** node's command-line flags and the environment the launcher adds (when not already set). */
export interface NodeSettings {
  flags: readonly string[];
  env: Readonly<Record<string, string>>;
}

const LINE = /^([A-Z][A-Z0-9_]*)=(?:'([^']*)'|([^\s'"`$\\]*))$/;

/**
 * Parses `file` (default NODE_SETTINGS_FILE): LOCKER_NODE_FLAGS becomes `flags` (split at spaces),
 * LOCKER_MALLOC_ARENA_MAX the environment variable MALLOC_ARENA_MAX. Any other line throws, so a
 * setting added for the launcher cannot silently be missing here.
 */
export function readNodeSettings(file: string = NODE_SETTINGS_FILE): NodeSettings {
  let flags: string[] | undefined;
  const env: Record<string, string> = {};
  for (const [index, raw] of fs.readFileSync(file, 'utf8').split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = LINE.exec(line);
    const name = match?.[1];
    const value = match?.[2] ?? match?.[3];
    if (name === 'LOCKER_NODE_FLAGS' && value !== undefined) flags = value.split(/\s+/).filter(Boolean);
    else if (name === 'LOCKER_MALLOC_ARENA_MAX' && value !== undefined) env['MALLOC_ARENA_MAX'] = value;
    else
      throw new Error(`${file}:${index + 1}: the harness reads only LOCKER_NODE_FLAGS='…' and LOCKER_MALLOC_ARENA_MAX='…', not: ${line}`);
  }
  if (flags === undefined) throw new Error(`${file} sets no LOCKER_NODE_FLAGS`);
  return { flags, env };
}

/** The production settings, read once. */
export const PRODUCTION_NODE_SETTINGS: NodeSettings = readNodeSettings();
