/**
 * Sealed backups through the real CLI (`bin/locker`, the built bundle), with Debian's real `age`
 * on the other side (issue 17): what `backup create` seals opens with `age -d` into an archive the
 * CLI validates, keys come from files and from the data directory's settings, and every refusal
 * has its core code and leaves the live data directory byte for byte as it was.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  generateSealIdentity,
  identityFileText,
  readConfig,
  readConfigKey,
  readSealSettings,
  sealSettingsPatch,
  updateConfig,
} from '@evidence-locker/core';
import { ensureAgeCli, run, runAgeOnTerminal } from '@evidence-locker/core/testing/age-cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const LOCKER = fileURLToPath(new URL('../../bin/locker', import.meta.url));
const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'el-cli-seal-'));
const file = (...names: string[]) => path.join(temp, ...names);
const PASSPHRASE = 'tiny-Owl-7-marble-Harbor';

function locker(args: string[], input?: string) {
  const result = spawnSync(LOCKER, args, { encoding: 'utf8', cwd: temp, input });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** `locker … --json`, expecting success; returns the parsed document. */
function lockerJson(...args: string[]) {
  const result = locker([...args, '--json']);
  expect(result.code, `${args.join(' ')}: ${result.stdout}${result.stderr}`).toBe(0);
  return JSON.parse(result.stdout) as Record<string, unknown> & { ok: true };
}

/** `locker … --json`, expecting a failure; returns the exit code and the error document's code and message. */
function lockerRefusal(...args: string[]) {
  const result = locker([...args, '--json']);
  const document = JSON.parse(result.stdout) as { ok: false; error: { code: string; message: string } };
  return { exit: result.code, ...document.error };
}

/**
 * Every file of `dir` with its SHA-256, to prove a refused command changed nothing. SQLite's
 * sidecars are left out: a restore looks at the live databases before it reads the archive (is
 * there anything to keep in a pre-restore backup?), and opening one in WAL mode leaves an empty
 * `-wal` and its `-shm` index, as any reader does; a `-wal` holding anything fails the check.
 */
function fingerprint(dir: string): Record<string, string> {
  const names = fs.readdirSync(dir).sort();
  for (const name of names.filter((entry) => entry.endsWith('-wal'))) expect(fs.statSync(path.join(dir, name)).size).toBe(0);
  return Object.fromEntries(
    names
      .filter((name) => !name.endsWith('-wal') && !name.endsWith('-shm'))
      .map((name) => [
        name,
        createHash('sha256')
          .update(fs.readFileSync(path.join(dir, name)))
          .digest('hex'),
      ]),
  );
}

/** The row counts of every table of a data directory, as `inspect` reports them. */
function rowCounts(dataDir: string) {
  const report = lockerJson('inspect', '--data-dir', dataDir) as unknown as { databases: { name: string; tables: unknown }[] };
  return report.databases.map((database) => [database.name, database.tables]);
}

const dataDir = file('source');
const backupDir = file('backups');

beforeAll(() => {
  ensureAgeCli();
  lockerJson('seed', '--data-dir', dataDir, '--months', '1', '--configured', '--modem-password', 'pw-123');
});
afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));

describe('locker key', () => {
  it('key generate prints an age-keygen identity file that age -e -r and age -d -i use', () => {
    const generated = locker(['key', 'generate']);
    expect(generated.code, generated.stderr).toBe(0);
    const [created, publicKey, identity, ...rest] = generated.stdout.split('\n');
    expect(created).toMatch(/^# created: \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(publicKey).toMatch(/^# public key: age1[02-9ac-hj-np-z]{58}$/);
    expect(identity).toMatch(/^AGE-SECRET-KEY-1[02-9AC-HJ-NP-Z]{58}$/);
    expect(rest).toEqual(['']);
    const recipient = publicKey!.slice('# public key: '.length);
    expect(generated.stderr).toContain(`Public key: ${recipient}\n`);

    fs.writeFileSync(file('generated.txt'), generated.stdout);
    expect(run('age-keygen', ['-y', file('generated.txt')]).trim()).toBe(recipient);
    fs.writeFileSync(file('hello.txt'), 'sealed by age, opened by age\n');
    run('age', ['-e', '-r', recipient, '-o', file('hello.txt.age'), file('hello.txt')]);
    expect(run('age', ['-d', '-i', file('generated.txt'), file('hello.txt.age')])).toBe('sealed by age, opened by age\n');

    expect(locker(['key', 'recipient', file('generated.txt')]).stdout).toBe(`${recipient}\n`);
    expect(locker(['key', 'recipient', '-'], generated.stdout).stdout).toBe(`${recipient}\n`);
  });

  it('key generate --json gives the identity, its recipient and when it was made; --output never overwrites', () => {
    const generated = lockerJson('key', 'generate');
    expect(generated).toMatchObject({
      identity: expect.stringMatching(/^AGE-SECRET-KEY-1/),
      recipient: expect.stringMatching(/^age1/),
      createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
    });
    const written = locker(['key', 'generate', '--output', file('written.txt')]);
    expect(written.code, written.stderr).toBe(0);
    expect(fs.statSync(file('written.txt')).mode & 0o777).toBe(0o600);
    const before = fs.readFileSync(file('written.txt'), 'utf8');
    const again = locker(['key', 'generate', '--output', file('written.txt')]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('exists; an identity file is never written over');
    expect(fs.readFileSync(file('written.txt'), 'utf8')).toBe(before);
  });

  it('key recipient refuses a recipient given where an identity belongs', () => {
    const { recipient } = lockerJson('key', 'generate') as unknown as { recipient: string };
    fs.writeFileSync(file('recipient-only.txt'), `${recipient}\n`);
    expect(lockerRefusal('key', 'recipient', file('recipient-only.txt'))).toMatchObject({
      exit: 1,
      code: 'SEAL_KEY_INVALID',
      message: expect.stringContaining('it is a recipient'),
    });
  });
});

describe('backup create --recipient, opened by age -d -i', () => {
  it('writes a .tar.gz.age that the real age opens into an archive backup validate accepts', () => {
    const key = locker(['key', 'generate']).stdout;
    fs.writeFileSync(file('age-key.txt'), key);
    const recipient = /# public key: (age1\S+)/.exec(key)![1]!;
    const created = lockerJson('backup', 'create', '--data-dir', dataDir, '--backup-dir', backupDir, '--recipient', recipient);
    expect(created).toMatchObject({
      sealed: true,
      fileName: expect.stringMatching(/^docsight_backup_\d{4}-\d{2}-\d{2}_\d{6}\.tar\.gz\.age$/),
    });
    const sealed = created.path as string;
    expect(fs.statSync(sealed).size).toBe(created.size);

    run('age', ['-d', '-i', file('age-key.txt'), '-o', file('opened-by-age.tar.gz'), sealed]);
    const validated = lockerJson('backup', 'validate', file('opened-by-age.tar.gz'));
    expect(validated).toMatchObject({ sealed: false, has_database: true, has_config: true });

    // The same archive, opened here with the key file, and listed as sealed without any key.
    expect(lockerJson('backup', 'validate', sealed, '--identity', file('age-key.txt'))).toMatchObject({ sealed: true, has_database: true });
    const verified = lockerJson('backup', 'verify', '--backup-dir', backupDir, path.basename(sealed), '--identity', file('age-key.txt'));
    expect(verified).toMatchObject({ sealed: true, checksumsVerified: true });
    const listed = lockerJson('backup', 'list', '--backup-dir', backupDir) as unknown as {
      backups: { fileName: string; sealed: unknown }[];
    };
    expect(listed.backups.find((backup) => backup.fileName === path.basename(sealed))).toMatchObject({ sealed: 'identity' });
    const human = locker(['backup', 'list', '--backup-dir', backupDir]).stdout;
    expect(human).toMatch(new RegExp(`${path.basename(sealed).replaceAll('.', '\\.')} .* sealed \\(identity\\)`));
  });

  it('says the backup is sealed in its human output', () => {
    const { recipient } = lockerJson('key', 'generate') as unknown as { recipient: string };
    const created = locker(['backup', 'create', '--data-dir', dataDir, '--backup-dir', backupDir, '--recipient', recipient]);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/^Backup written: .*\.tar\.gz\.age$/m);
    expect(created.stdout).toMatch(/^ {2}Sealed +yes, with age/m);
  });

  it('refuses a malformed recipient with SEAL_KEY_INVALID and writes nothing', () => {
    const before = fs.readdirSync(backupDir);
    const refused = lockerRefusal('backup', 'create', '--data-dir', dataDir, '--backup-dir', backupDir, '--recipient', 'age1notarecipient');
    expect(refused).toMatchObject({ exit: 1, code: 'SEAL_KEY_INVALID', message: expect.stringContaining('not an age X25519 recipient') });
    expect(fs.readdirSync(backupDir)).toEqual(before);
    const output = file('refused.tar.gz.age');
    expect(lockerRefusal('backup', 'create', '--data-dir', dataDir, '--output', output, '--recipient', 'age1notarecipient')).toMatchObject({
      exit: 1,
      code: 'SEAL_KEY_INVALID',
    });
    expect(fs.existsSync(output)).toBe(false);
  });
});

describe('backup create --passphrase-file', () => {
  let sealed: string;

  beforeAll(() => {
    // A passphrase file from an editor on Windows: the first line, CRLF and all, then more lines.
    fs.writeFileSync(file('passphrase.txt'), `${PASSPHRASE}\r\nnot part of it\n`);
    const created = lockerJson(
      'backup',
      'create',
      '--data-dir',
      dataDir,
      '--backup-dir',
      backupDir,
      '--passphrase-file',
      file('passphrase.txt'),
    );
    expect(created).toMatchObject({ sealed: true });
    sealed = created.path as string;
  });

  it('validates and restores with --passphrase-file, and the restored data matches', () => {
    expect(lockerJson('backup', 'validate', sealed, '--passphrase-file', file('passphrase.txt'))).toMatchObject({ sealed: true });
    const restoredDir = file('restored-passphrase');
    const restored = lockerJson(
      'backup',
      'restore',
      sealed,
      '--data-dir',
      restoredDir,
      '--backup-dir',
      file('restored-passphrase-backups'),
      '--passphrase-file',
      file('passphrase.txt'),
    );
    expect(restored).toMatchObject({ sealed: true, configured: true, preRestoreBackup: null });
    expect(rowCounts(restoredDir)).toEqual(rowCounts(dataDir));
  });

  it('opens with the real age -d and the passphrase (the line ending was not part of it)', () => {
    runAgeOnTerminal(['-d', '-o', file('opened-passphrase.tar.gz'), sealed], [PASSPHRASE]);
    expect(lockerJson('backup', 'validate', file('opened-passphrase.tar.gz'))).toMatchObject({ has_database: true });
  });

  it('refuses an empty passphrase file with SEAL_KEY_INVALID, and a missing one as a usage error', () => {
    fs.writeFileSync(file('empty-passphrase.txt'), '\n');
    const empty = lockerRefusal(
      'backup',
      'create',
      '--data-dir',
      dataDir,
      '--backup-dir',
      backupDir,
      '--passphrase-file',
      file('empty-passphrase.txt'),
    );
    expect(empty).toMatchObject({ exit: 1, code: 'SEAL_KEY_INVALID', message: expect.stringContaining('is empty') });
    expect(lockerRefusal('backup', 'validate', sealed, '--passphrase-file', file('empty-passphrase.txt'))).toMatchObject({
      exit: 1,
      code: 'SEAL_KEY_INVALID',
    });
    const missing = locker(['backup', 'validate', sealed, '--passphrase-file', file('no-such-file.txt')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`cannot read --passphrase-file ${file('no-such-file.txt')}: no such file`);
  });

  it('refuses a wrong passphrase with SEAL_WRONG_PASSPHRASE', () => {
    fs.writeFileSync(file('wrong-passphrase.txt'), 'not the passphrase\n');
    expect(lockerRefusal('backup', 'validate', sealed, '--passphrase-file', file('wrong-passphrase.txt'))).toMatchObject({
      exit: 1,
      code: 'SEAL_WRONG_PASSPHRASE',
    });
  });
});

describe('restoring a sealed backup into a live data directory', () => {
  let identity: string;
  let sealed: string;
  const liveDir = file('live');
  const liveBackups = file('live-backups');

  beforeAll(async () => {
    ({ identity } = await generateSealIdentity());
    const recipient = /# public key: (age1\S+)/.exec(await identityFileText(identity))![1]!;
    sealed = lockerJson('backup', 'create', '--data-dir', dataDir, '--backup-dir', backupDir, '--recipient', recipient).path as string;
    lockerJson('seed', '--data-dir', liveDir, '--months', '1', '--seed', '7');
  });

  it('without a key it fails with SEAL_KEY_REQUIRED, says which flags give one, and changes nothing', () => {
    const before = fingerprint(liveDir);
    const refused = locker(['backup', 'restore', sealed, '--data-dir', liveDir, '--backup-dir', liveBackups]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('error: This backup is sealed (age-encrypted).');
    expect(refused.stderr).toContain('Pass --identity FILE');
    expect(lockerRefusal('backup', 'restore', sealed, '--data-dir', liveDir, '--backup-dir', liveBackups)).toMatchObject({
      exit: 1,
      code: 'SEAL_KEY_REQUIRED',
    });
    expect(fingerprint(liveDir)).toEqual(before);
    expect(fs.existsSync(liveBackups) ? fs.readdirSync(liveBackups) : []).toEqual([]);
  });

  it('with another identity it fails with SEAL_WRONG_IDENTITY and the live data stays byte-identical', async () => {
    const other = await generateSealIdentity();
    fs.writeFileSync(file('other-key.txt'), await identityFileText(other.identity));
    const before = fingerprint(liveDir);
    expect(
      lockerRefusal('backup', 'restore', sealed, '--data-dir', liveDir, '--backup-dir', liveBackups, '--identity', file('other-key.txt')),
    ).toMatchObject({
      exit: 1,
      code: 'SEAL_WRONG_IDENTITY',
      message: expect.stringContaining('does not open'),
    });
    expect(fingerprint(liveDir)).toEqual(before);
    expect(fs.existsSync(liveBackups) ? fs.readdirSync(liveBackups) : []).toEqual([]);
  });

  it('restores with --identity KIT (a recovery kit), keeping a pre-restore backup, and the data matches', async () => {
    const kit = await identityFileText(identity, [
      'Evidence Locker recovery kit',
      'It opens the sealed backups (….tar.gz.age) made with this key, without this product:',
      '  age -d -i this-file.txt docsight_backup_….tar.gz.age > backup.tar.gz',
      '',
    ]);
    fs.writeFileSync(file('kit.txt'), kit);
    const restored = lockerJson(
      'backup',
      'restore',
      sealed,
      '--data-dir',
      liveDir,
      '--backup-dir',
      liveBackups,
      '--identity',
      file('kit.txt'),
    );
    expect(restored).toMatchObject({ sealed: true, configured: true, preRestoreBackup: { fileName: expect.stringMatching(/\.tar\.gz$/) } });
    expect(rowCounts(liveDir)).toEqual(rowCounts(dataDir));
  });

  it('reads the kit from stdin with --identity -', () => {
    const validated = locker(['backup', 'validate', sealed, '--identity', '-', '--json'], fs.readFileSync(file('kit.txt'), 'utf8'));
    expect(validated.code, validated.stdout).toBe(0);
    expect(JSON.parse(validated.stdout)).toMatchObject({ sealed: true });
  });
});

describe("the data directory's settings", () => {
  const sealingDir = file('sealing');
  const sealingBackups = file('sealing-backups');
  let sealedBySettings: string;

  beforeAll(async () => {
    lockerJson('seed', '--data-dir', sealingDir, '--months', '1', '--configured', '--seed', '3');
    const current = readSealSettings((await readConfig(sealingDir)).config, await readConfigKey(sealingDir));
    const { identity, recipient } = await generateSealIdentity();
    await updateConfig(
      sealingDir,
      sealSettingsPatch({ mode: 'identity', identity, recipient, createdAt: new Date().toISOString() }, current),
    );
  });

  it('--encrypt without a key in the settings or on the command line says what to do', () => {
    const refused = locker(['backup', 'create', '--data-dir', dataDir, '--backup-dir', backupDir, '--encrypt']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--encrypt needs a key');
    expect(refused.stderr).toContain('Turn sealing on in the settings');
    expect(refused.stderr).toContain('--recipient age1…');
  });

  it('a plain backup create seals when the settings seal backups; --plain opts out', () => {
    const created = lockerJson('backup', 'create', '--data-dir', sealingDir, '--backup-dir', sealingBackups);
    expect(created).toMatchObject({ sealed: true, fileName: expect.stringMatching(/\.tar\.gz\.age$/) });
    sealedBySettings = created.path as string;
    expect(lockerJson('backup', 'create', '--data-dir', sealingDir, '--backup-dir', sealingBackups, '--encrypt')).toMatchObject({
      sealed: true,
    });
    expect(lockerJson('backup', 'create', '--data-dir', sealingDir, '--backup-dir', sealingBackups, '--plain')).toMatchObject({
      sealed: false,
      fileName: expect.stringMatching(/\.tar\.gz$/),
    });
    const misnamed = locker(['backup', 'create', '--data-dir', sealingDir, '--output', file('download.tar.gz')]);
    expect(misnamed.code).toBe(2);
    expect(misnamed.stderr).toContain('name the --output file ….tar.gz.age, or pass --plain');
    expect(fs.existsSync(file('download.tar.gz'))).toBe(false);
    expect(lockerJson('backup', 'create', '--data-dir', sealingDir, '--output', file('download.tar.gz.age'))).toMatchObject({
      sealed: true,
    });
    expect(lockerJson('backup', 'validate', file('download.tar.gz.age'), '--data-dir', sealingDir)).toMatchObject({ sealed: true });
  });

  it("validate, verify and list open the instance's sealed backups with its keys", () => {
    expect(lockerJson('backup', 'validate', sealedBySettings, '--data-dir', sealingDir)).toMatchObject({ sealed: true });
    expect(
      lockerJson('backup', 'verify', '--backup-dir', sealingBackups, path.basename(sealedBySettings), '--data-dir', sealingDir),
    ).toMatchObject({
      sealed: true,
      checksumsVerified: true,
    });
    const withKeys = lockerJson('backup', 'list', '--backup-dir', sealingBackups, '--data-dir', sealingDir) as unknown as {
      backups: { fileName: string; sealed: unknown; trigger: unknown }[];
    };
    expect(withKeys.backups.find((backup) => backup.fileName === path.basename(sealedBySettings))).toMatchObject({
      sealed: 'identity',
      trigger: 'manual',
    });
    const withoutKeys = lockerJson('backup', 'list', '--backup-dir', sealingBackups) as unknown as typeof withKeys;
    expect(withoutKeys.backups.find((backup) => backup.fileName === path.basename(sealedBySettings))).toMatchObject({
      sealed: 'identity',
      trigger: null,
    });
  });

  it('backup prune keeps sealed backups whose trigger it cannot read under the full rule, and reads them with --data-dir', () => {
    const pruneDir = file('prune-sealed');
    // Two sealed manual backups (the settings seal) and older files that are not archives (counted like scheduled ones).
    const sealed = [1, 2].map(
      () => lockerJson('backup', 'create', '--data-dir', sealingDir, '--backup-dir', pruneDir, '--no-push').fileName as string,
    );
    const older = (day: number) => {
      const name = `docsight_backup_2026-01-0${day}_030000.tar.gz`;
      fs.writeFileSync(path.join(pruneDir, name), 'x');
      return name;
    };
    const plain = [older(1), older(2), older(3)];
    const rule = ['--keep', '1', '--keep-daily', '1'];
    const newestFirst = [...sealed].reverse();

    const withoutKeys = lockerJson('backup', 'prune', '--backup-dir', pruneDir, ...rule) as unknown as Record<string, string[]>;
    expect(withoutKeys.deleted).toEqual([plain[1], plain[0]]);
    expect(withoutKeys.keptUnread).toEqual(newestFirst);
    expect(withoutKeys.kept).toEqual([...newestFirst, plain[2]]);
    const human = locker(['backup', 'prune', '--backup-dir', pruneDir, ...rule]);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('Nothing to delete.');
    expect(human.stdout).toContain('Kept 2 sealed backup(s) whose trigger could not be read (give --data-dir to read them)');
    for (const name of sealed) expect(human.stdout).toContain(`  ${name}`);

    // With the keys they read as manual: outside the rule without --include-manual, counted with it.
    const newer = older(4);
    const withKeys = lockerJson('backup', 'prune', '--backup-dir', pruneDir, ...rule, '--data-dir', sealingDir) as unknown as Record<
      string,
      string[]
    >;
    expect(withKeys).toMatchObject({ deleted: [plain[2]], keptUnread: [], kept: [...newestFirst, newer] });
    const included = lockerJson('backup', 'prune', '--backup-dir', pruneDir, ...rule, '--include-manual', '--data-dir', sealingDir);
    expect(included).toMatchObject({ deleted: [sealed[0], newer], kept: [sealed[1]] });
  });

  it('restore over the instance opens the backup with its keys and seals the pre-restore backup like the others', () => {
    const restored = lockerJson(
      'backup',
      'restore',
      sealedBySettings,
      '--data-dir',
      sealingDir,
      '--backup-dir',
      sealingBackups,
    ) as unknown as {
      preRestoreBackup: { fileName: string };
    };
    expect(restored.preRestoreBackup.fileName).toMatch(/\.tar\.gz\.age$/);
    expect(
      lockerJson('backup', 'validate', path.join(sealingBackups, restored.preRestoreBackup.fileName), '--data-dir', sealingDir),
    ).toMatchObject({
      sealed: true,
      meta: { trigger: 'pre-restore' },
    });
  });
});
