/**
 * Test helper: extracts only the config and key files of the real DOCSight fixture archive
 * (a-real-1m) into a new temp dir, so tests never read the shared extracted copies.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FIXTURE_ARCHIVES } from './db-fixture-archives.ts';

const ARCHIVE = FIXTURE_ARCHIVES['a-real-1m'];
const MEMBERS = ['config.json', '.config_key', '.session_key', '.auth_state'];

/** A temp directory and how to remove it. */
export interface TempDir {
  readonly dir: string;
  readonly cleanup: () => void;
}

/** Extracts config.json and the three key files of the a-real-1m archive into a new temp dir. */
export function extractFixtureConfigFiles(): TempDir {
  const temp = makeTempDir('config-fixture');
  execFileSync('tar', ['xzf', ARCHIVE, '-C', temp.dir, ...MEMBERS]);
  return temp;
}

/** A fresh empty temp directory. */
export function makeTempDir(label: string): TempDir {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `el-${label}-`));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
