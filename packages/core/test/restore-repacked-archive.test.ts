/**
 * Archives a user extracted, edited and packed again with GNU tar or Python's tarfile, so that
 * `backup_meta.json` stands wherever the packer put it. DOCSight finds the meta by name and
 * restores such archives; validate and restore here accept them too, with every check the meta
 * carries, and still refuse what is wrong with them for any other reason.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackup } from '../src/archive/create/create-backup.ts';
import { makeDataDir, readWithPython } from './support/create-backup-fixtures.ts';
import { estimateUnpackedBytes } from '../src/archive/read/estimate-unpacked-bytes.ts';
import { restoreBackup, type RestoreResult } from '../src/archive/restore/restore-backup.ts';
import { validateArchiveFile, type ArchiveValidation } from '../src/archive/read/validate-archive.ts';
import { readBackupTrigger } from '../src/backup-dir/read-backup-trigger.ts';
import {
  AUTH_STATE_FILE,
  CONFIG_FILE,
  CONFIG_KEY_FILE,
  CONNECTION_MONITOR_DB,
  HISTORY_DB,
  META_FILE,
  SESSION_KEY_FILE,
} from '../src/data-dir-layout.ts';
import {
  FIXTURE_A,
  buildPythonArchive,
  cleanupTempDirs,
  makeLiveDataDir,
  makeTempDir,
  metaText,
  restoreWorkFiles,
  sha256,
  snapshotDir,
} from './support/restore-support.ts';
import { lockerErrorOf } from './support/locker-error-of.ts';

type Packer = 'GNU tar' | "Python's tarfile";

/** Packs `names` from `dir` into `target` in that order, as a user would with either tool. */
function pack(packer: Packer, target: string, dir: string, names: string[]): string {
  if (packer === 'GNU tar') execFileSync('tar', ['czf', target, '-C', dir, ...names]);
  else
    buildPythonArchive(
      target,
      names.map((name) => [name, path.join(dir, name)]),
    );
  return target;
}

/** Python's tarfile adding a whole folder as `.`: a `.` directory entry, then `./name` members. */
function packFolderWithPython(target: string, dir: string): string {
  const script = 'import sys, tarfile\nwith tarfile.open(sys.argv[1], "w:gz") as tar:\n    tar.add(sys.argv[2], arcname=".")\n';
  execFileSync('python3', ['-c', script, target, dir]);
  return target;
}

/** Member names in archive order, as GNU tar lists them. */
function listMembers(archive: string): string[] {
  return execFileSync('tar', ['tzf', archive], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line !== '');
}

/** `dir`'s files copied into a new folder a test may edit. */
function copyOf(dir: string): string {
  const copy = makeTempDir('repack-edit');
  fs.cpSync(dir, copy, { recursive: true });
  return copy;
}

interface Restored {
  dataDir: string;
  result: RestoreResult;
  /** Every file of the data dir after the restore → its SHA-256. */
  snapshot: Record<string, string>;
}

/** Restores `archive`, streamed from its file, into a fresh live data dir. */
async function restoreInto(archive: string): Promise<Restored> {
  const dataDir = makeLiveDataDir();
  const result = await restoreBackup({
    source: fs.createReadStream(archive),
    archivePath: archive,
    dataDir,
    // Migrations stamp the time they ran; without them two restores of the same data are byte-identical.
    migrate: async () => undefined,
  });
  return { dataDir, result, snapshot: snapshotDir(dataDir) };
}

/** The members of a validation by name, whatever their order in the archive. */
function membersByName(validation: ArchiveValidation): ArchiveValidation['members'] {
  return [...validation.members].sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * How validate and restore refuse `archive`: both with the same code and message, the live data
 * dir byte-identical afterwards and no staged file left in it.
 */
async function refusal(archive: string): Promise<{ code: string; message: string }> {
  const validated = await lockerErrorOf(validateArchiveFile(archive));
  const dataDir = makeLiveDataDir();
  const before = snapshotDir(dataDir);
  const restored = await lockerErrorOf(
    restoreBackup({ source: fs.createReadStream(archive), archivePath: archive, dataDir, migrate: async () => undefined }),
  );
  expect(snapshotDir(dataDir)).toEqual(before);
  expect(restoreWorkFiles(dataDir)).toEqual([]);
  expect({ code: restored.code, message: restored.message }).toEqual({ code: validated.code, message: validated.message });
  return { code: restored.code, message: restored.message };
}

afterAll(cleanupTempDirs);

describe('an Evidence Locker archive extracted and packed again', () => {
  let source: ReturnType<typeof makeDataDir>;
  let original: string;
  let extracted: string;
  let originalValidation: ArchiveValidation;
  let baseline: Restored;

  beforeAll(async () => {
    source = makeDataDir();
    const created = await createBackup({
      dataDir: source.dataDir,
      destination: { kind: 'directory', backupDir: makeTempDir('repack-backups') },
      trigger: 'manual',
    });
    original = created.path!;
    extracted = makeTempDir('repack-extracted');
    execFileSync('tar', ['xzf', original, '-C', extracted]);
    originalValidation = await validateArchiveFile(original);
    baseline = await restoreInto(original);
  });
  afterAll(() => source.cleanup());

  it('starts from an archive whose meta is first and lists every member digest', () => {
    expect(listMembers(original)[0]).toBe(META_FILE);
    expect(Object.keys(originalValidation.meta.members ?? {}).sort()).toEqual(
      [CONFIG_KEY_FILE, CONFIG_FILE, CONNECTION_MONITOR_DB, HISTORY_DB].sort(),
    );
  });

  const orders: Record<string, string[]> = {
    'backup_meta.json last': [HISTORY_DB, CONNECTION_MONITOR_DB, CONFIG_FILE, CONFIG_KEY_FILE, META_FILE],
    'backup_meta.json in the middle': [CONFIG_FILE, HISTORY_DB, META_FILE, CONNECTION_MONITOR_DB, CONFIG_KEY_FILE],
    'the databases first': [CONNECTION_MONITOR_DB, HISTORY_DB, META_FILE, CONFIG_FILE, CONFIG_KEY_FILE],
  };
  for (const packer of ['GNU tar', "Python's tarfile"] as const) {
    for (const [order, names] of Object.entries(orders)) {
      it(`packed by ${packer} with ${order}, validates and restores the same data dir as the original`, async () => {
        const archive = pack(packer, path.join(makeTempDir('repack'), 'repacked.tar.gz'), extracted, names);
        expect(listMembers(archive)).toEqual(names);

        const validation = await validateArchiveFile(archive);
        expect(validation.meta).toEqual(originalValidation.meta);
        expect(validation.files).toEqual(names);
        expect(membersByName(validation)).toEqual(membersByName(originalValidation));
        expect(validation.warnings).toEqual([]);

        const restored = await restoreInto(archive);
        expect(restored.snapshot).toEqual(baseline.snapshot);
        expect(restored.result.restoredFiles).toEqual(names.filter((name) => name !== META_FILE));
        expect(restoreWorkFiles(restored.dataDir)).toEqual([]);
      });
    }
  }

  it('packed from its folder with `tar czf x.tar.gz -C dir .`, restores the same data dir as the original', async () => {
    // GNU tar writes `./` first, then `./name` members; the reader takes `./name` as `name`
    // (archive-member-name.ts), where DOCSight, which compares bare names, would not find the meta.
    for (const sorted of [true, false]) {
      const archive = path.join(makeTempDir('repack'), 'repacked.tar.gz');
      execFileSync('tar', ['czf', archive, ...(sorted ? ['--sort=name'] : []), '-C', extracted, '.']);
      const members = listMembers(archive);
      expect(members[0]).toBe('./');
      if (sorted) expect(members.indexOf(`./${META_FILE}`)).toBeGreaterThan(1);

      const validation = await validateArchiveFile(archive);
      expect(validation.meta).toEqual(originalValidation.meta);
      expect(membersByName(validation)).toEqual(membersByName(originalValidation));
      expect(validation.warnings).toEqual([]);
      expect((await restoreInto(archive)).snapshot).toEqual(baseline.snapshot);
    }
  });

  it("packed from its folder with Python's tarfile `add(dir, arcname='.')`, restores the same data dir as the original", async () => {
    const archive = packFolderWithPython(path.join(makeTempDir('repack'), 'repacked.tar.gz'), extracted);
    expect(listMembers(archive).slice(0, 3)).toEqual(['./', `./${CONFIG_KEY_FILE}`, `./${META_FILE}`]);
    expect((await validateArchiveFile(archive)).meta).toEqual(originalValidation.meta);
    expect((await restoreInto(archive)).snapshot).toEqual(baseline.snapshot);
  });

  it('shows its trigger in the backup list and its size to the free-space check when the meta comes last', async () => {
    const archive = pack('GNU tar', path.join(makeTempDir('repack'), 'repacked.tar.gz'), extracted, orders['backup_meta.json last']!);
    expect(await readBackupTrigger(archive)).toBe('manual');
    const sizes = Object.values(originalValidation.meta.members ?? {}).reduce((sum, member) => sum + member.size, 0);
    expect(await estimateUnpackedBytes(archive)).toBe(sizes);
  });

  it('with config.json edited, is refused for its checksum even when the meta comes last, and nothing changes', async () => {
    const edited = copyOf(extracted);
    const config = fs.readFileSync(path.join(edited, CONFIG_FILE), 'utf8');
    // Same length, so the size still matches and the SHA-256 is what catches the edit.
    fs.writeFileSync(path.join(edited, CONFIG_FILE), config.replace('fritzbox', 'fritzbax'));
    for (const packer of ['GNU tar', "Python's tarfile"] as const) {
      const archive = pack(packer, path.join(makeTempDir('repack'), 'edited.tar.gz'), edited, orders['backup_meta.json last']!);
      expect(await refusal(archive)).toEqual({
        code: 'MEMBER_CHECKSUM_MISMATCH',
        message: 'Invalid backup: checksum mismatch for config.json',
      });
    }
  });

  it('with config.json grown, is refused for its size when the meta comes after it', async () => {
    const edited = copyOf(extracted);
    fs.writeFileSync(path.join(edited, CONFIG_FILE), '{\n  "modem_type": "vodafone-cable"\n}');
    const archive = pack('GNU tar', path.join(makeTempDir('repack'), 'edited.tar.gz'), edited, orders['backup_meta.json in the middle']!);
    const { code, message } = await refusal(archive);
    expect(code).toBe('MEMBER_CHECKSUM_MISMATCH');
    expect(message).toMatch(/^Invalid backup: config\.json is \d+ bytes but backup_meta\.json says \d+$/);
  });

  it('with a data file the meta does not list packed before the meta, is refused', async () => {
    const edited = copyOf(extracted);
    fs.copyFileSync(path.join(source.dataDir, SESSION_KEY_FILE), path.join(edited, SESSION_KEY_FILE));
    const archive = pack("Python's tarfile", path.join(makeTempDir('repack'), 'extra.tar.gz'), edited, [
      SESSION_KEY_FILE,
      ...orders['backup_meta.json last']!,
    ]);
    expect(await refusal(archive)).toEqual({
      code: 'MEMBER_CHECKSUM_MISMATCH',
      message: 'Invalid backup: .session_key is not listed in backup_meta.json',
    });
  });

  it('with backup_meta.json left out, is refused as missing its meta after the data members were read', async () => {
    const archive = pack('GNU tar', path.join(makeTempDir('repack'), 'no-meta.tar.gz'), extracted, [HISTORY_DB, CONFIG_FILE]);
    expect(await refusal(archive)).toEqual({ code: 'META_MISSING', message: 'Missing backup_meta.json - not a valid DOCSight backup' });
  });

  it('with backup_meta.json both first and last, is refused as a duplicate', async () => {
    const archive = path.join(makeTempDir('repack'), 'two-metas.tar.gz');
    // Without --hard-dereference GNU tar stores the second copy as a hard link to the first.
    execFileSync('tar', ['czf', archive, '--hard-dereference', '-C', extracted, META_FILE, ...orders['backup_meta.json last']!]);
    expect((await refusal(archive)).code).toBe('MEMBER_DUPLICATE');
  });

  it('with a wrong magic value in a meta that comes last, is refused after its members were staged', async () => {
    const edited = copyOf(extracted);
    fs.writeFileSync(path.join(edited, META_FILE), metaText({ magic: 'not-docsight' }));
    const archive = pack("Python's tarfile", path.join(makeTempDir('repack'), 'magic.tar.gz'), edited, orders['backup_meta.json last']!);
    expect(await refusal(archive)).toEqual({ code: 'MAGIC_MISMATCH', message: 'Invalid backup: wrong magic value' });
  });
});

describe('a DOCSight archive extracted, edited and packed again', () => {
  let extracted: string;
  let baseline: Restored;

  beforeAll(async () => {
    extracted = makeTempDir('repack-docsight');
    execFileSync('tar', ['xzf', FIXTURE_A, '-C', extracted]);
    baseline = await restoreInto(FIXTURE_A);
  });

  it('an archive re-packed with tar czf after editing config.json restores, with the edit', async () => {
    const edited = copyOf(extracted);
    const configPath = path.join(edited, CONFIG_FILE);
    const config = JSON.parse(fs.readFileSync(configPath, 'utf8')) as Record<string, unknown>;
    expect(config['modem_url']).toBe('http://192.168.178.1');
    fs.writeFileSync(configPath, JSON.stringify({ ...config, modem_url: 'http://192.168.100.1' }, null, 2));
    const names = [HISTORY_DB, CONNECTION_MONITOR_DB, CONFIG_FILE, CONFIG_KEY_FILE, SESSION_KEY_FILE, AUTH_STATE_FILE, META_FILE];
    const archive = pack('GNU tar', path.join(makeTempDir('repack'), 'edited.tar.gz'), edited, names);

    // DOCSight's own checks accept it (test/support/create-backup-fixtures.ts reads it as validate_backup does).
    expect(readWithPython(archive, makeTempDir('repack-python')).docsightRejects).toBeNull();

    const restored = await restoreInto(archive);
    expect(restored.snapshot).toEqual({ ...baseline.snapshot, [CONFIG_FILE]: sha256(fs.readFileSync(configPath)) });
    expect(JSON.parse(fs.readFileSync(path.join(restored.dataDir, CONFIG_FILE), 'utf8'))).toMatchObject({
      modem_url: 'http://192.168.100.1',
    });
    expect(restored.result.configured).toBe(baseline.result.configured);
    expect(restored.result.meta).toEqual(baseline.result.meta);
  });

  it("packed by Python's tarfile with the meta among the databases, restores the same data dir as the original", async () => {
    const names = [CONNECTION_MONITOR_DB, META_FILE, HISTORY_DB, CONFIG_FILE, CONFIG_KEY_FILE, SESSION_KEY_FILE, AUTH_STATE_FILE];
    const archive = pack("Python's tarfile", path.join(makeTempDir('repack'), 'repacked.tar.gz'), extracted, names);
    expect((await validateArchiveFile(archive)).files).toEqual(names);
    expect((await restoreInto(archive)).snapshot).toEqual(baseline.snapshot);
  });

  it('with a damaged database packed before the meta, is refused by the restore and nothing changes', async () => {
    const edited = copyOf(extracted);
    fs.writeFileSync(path.join(edited, HISTORY_DB), 'not a sqlite database');
    const archive = pack('GNU tar', path.join(makeTempDir('repack'), 'damaged.tar.gz'), edited, [HISTORY_DB, CONFIG_FILE, META_FILE]);
    // Validate cannot see inside a database DOCSight gave no digest for, as with the meta first.
    await expect(validateArchiveFile(archive)).resolves.toMatchObject({ files: [HISTORY_DB, CONFIG_FILE, META_FILE] });
    const dataDir = makeLiveDataDir();
    const before = snapshotDir(dataDir);
    await expect(restoreBackup({ source: fs.createReadStream(archive), dataDir, migrate: async () => undefined })).rejects.toMatchObject({
      code: 'DATABASE_CORRUPT',
    });
    expect(snapshotDir(dataDir)).toEqual(before);
    expect(restoreWorkFiles(dataDir)).toEqual([]);
  });
});
