/**
 * Test helper: extracts the real DOCSight backup archives in test/fixtures/docsight into a
 * fresh temp dir (never the shared extracted copies), so tests can open and even migrate them.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { docsightFixture } from './docsight-fixtures.mjs';

/** The two reference archives: (a) real data, (b) demo-mode data dir (docsight-fixtures.mjs). */
export const FIXTURE_ARCHIVES = {
  'a-real-1m': docsightFixture('a-real-1m').archive,
  'b-demo-1m': docsightFixture('b-demo-1m').archive,
} as const;
export type FixtureName = keyof typeof FIXTURE_ARCHIVES;

/** An extracted archive and how to remove it. */
export interface ExtractedFixture {
  readonly dir: string;
  readonly cleanup: () => void;
}

/** Extracts one fixture archive into a new temp dir. */
export function extractFixture(name: FixtureName): ExtractedFixture {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `el-db-${name}-`));
  execFileSync('tar', ['xzf', FIXTURE_ARCHIVES[name], '-C', dir]);
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Makes a temp dir for a test and returns it with a cleanup function. */
export function makeTempDir(label: string): ExtractedFixture {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `el-db-${label}-`));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
