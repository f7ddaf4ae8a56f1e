/**
 * Everything the fuzzer mutates and compares against, built once per run in one temp root:
 * - sources: the two DOCSight fixture archives, and archives createBackup makes of a small seeded
 *   data dir (1 day of history), once with the default 4 MiB gzip chunks (meta, one body member,
 *   end-of-archive member) and once with 16 KiB chunks (a long `gzip_members` index);
 * - the live template: a known good instance (another seeded archive, restored and migrated, plus
 *   modules/, .session_key and .auth_state) that every case restores over, in a copy;
 * - per source, the baseline: a snapshot of the template's copy after restoring the unmutated
 *   archive (with the no-op migrate, so restored databases are byte-comparable).
 * Inputs are fixed (seeds, clocks, file times), so a case replays on a later run.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { restoreBackup, validateArchive } from '../../src/index.ts';
import { FIXTURE_ARCHIVES } from '../support/db-fixture-archives.ts';
import { snapshotDir } from '../support/restore-support.ts';
import { splitGzipMembers, type ArchiveStyle, type GzipMember } from './gzip-members.ts';
import { ownArchive, seedSmallDataDir } from './seeded-archive.ts';
import { parseTar, type TarModel } from './tar-entries.ts';

export interface FuzzSource {
  label: string;
  bytes: Buffer;
  sha256: string;
  members: GzipMember[];
  tar: TarModel;
  style: ArchiveStyle;
  /** Share of the cases that mutate this source. */
  weight: number;
  /** The template's snapshot after restoring the unmutated archive. */
  baseline: Record<string, string>;
}

export interface FuzzWorld {
  root: string;
  template: string;
  templateSnapshot: Record<string, string>;
  sources: FuzzSource[];
  cleanup(): void;
}

const noMigrate = async (): Promise<void> => undefined;

/**
 * Where the world lives: FUZZ_TMPDIR, else /dev/shm when there is one (restores fsync every staged
 * file; on a RAM disk that costs nothing, which makes a case several times faster), else the OS
 * temp dir.
 */
function fuzzTempRoot(): string {
  const chosen = process.env['FUZZ_TMPDIR'];
  if (chosen !== undefined) return chosen;
  try {
    fs.accessSync('/dev/shm', fs.constants.W_OK);
    return '/dev/shm';
  } catch {
    return os.tmpdir();
  }
}

/** Builds the world under a new temp dir; `weights` gives each source label its share of the cases. */
export async function buildFuzzWorld(weights: Record<string, number>): Promise<FuzzWorld> {
  const root = fs.mkdtempSync(path.join(fuzzTempRoot(), 'el-fuzz-'));
  const source = path.join(root, 'seed-source');
  const live = path.join(root, 'seed-live');
  seedSmallDataDir(source, 7);
  seedSmallDataDir(live, 99);
  const own = await ownArchive(source, root);
  const own16k = await ownArchive(source, root, 16 * 1024);
  const liveArchive = await ownArchive(live, root);

  const template = path.join(root, 'template');
  await restoreBackup({ source: liveArchive, dataDir: template });
  fs.mkdirSync(path.join(template, 'modules'));
  fs.writeFileSync(path.join(template, 'modules', 'theme.css'), 'body { color: #123456; }');
  fs.writeFileSync(path.join(template, '.session_key'), Buffer.alloc(32, 5));
  fs.writeFileSync(path.join(template, '.auth_state'), 'f'.repeat(64));
  const templateSnapshot = snapshotDir(template);

  const inputs: [string, Buffer, ArchiveStyle][] = [
    ['own-4m', own, { kind: 'multi', chunkSize: 4 * 1024 * 1024 }],
    ['own-16k', own16k, { kind: 'multi', chunkSize: 16 * 1024 }],
    ['docsight-demo', fs.readFileSync(FIXTURE_ARCHIVES['b-demo-1m']), { kind: 'single' }],
    ['docsight-real', fs.readFileSync(FIXTURE_ARCHIVES['a-real-1m']), { kind: 'single' }],
  ];
  const sources: FuzzSource[] = [];
  for (const [label, bytes, style] of inputs) {
    const weight = weights[label] ?? 0;
    if (weight <= 0) continue;
    await validateArchive(bytes);
    const dataDir = path.join(root, `baseline-${label}`);
    fs.cpSync(template, dataDir, { recursive: true });
    await restoreBackup({ source: bytes, dataDir, migrate: noMigrate });
    sources.push({
      label,
      bytes,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      members: splitGzipMembers(bytes),
      tar: parseTar(gunzipSync(bytes)),
      style,
      weight,
      baseline: snapshotDir(dataDir),
    });
    fs.rmSync(dataDir, { recursive: true });
  }
  for (const dir of [source, live]) fs.rmSync(dir, { recursive: true });
  return { root, template, templateSnapshot, sources, cleanup: () => fs.rmSync(root, { recursive: true, force: true }) };
}
