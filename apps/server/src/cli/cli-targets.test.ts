/**
 * Offsite targets through the real CLI (`bin/locker`, the built bundle) against real servers on
 * loopback (issue 18): Debian's rclone serving WebDAV, a throwaway OpenSSH sshd for SFTP, and
 * OpenStack Swift's s3api for S3. A target is added only after its connection works, with its
 * secrets encrypted in config.json; `backup create` sends each new backup there (sealed by
 * default, opening with the instance's key), a target that fails never touches the local backup;
 * and on a fresh machine a target's backups are listed and restored straight from it.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BACKUP_TARGETS_KEY,
  generateSealIdentity,
  identityFileText,
  readConfig,
  readConfigKey,
  readSealSettings,
  sealSettingsPatch,
  updateConfig,
} from '@evidence-locker/core';
import { startSshd, type StartedSshd } from '@evidence-locker/test-servers/sshd';
import { startSwift, type RunningSwift } from '@evidence-locker/test-servers/swift';
import { startWebdav, type RunningWebdav } from '@evidence-locker/test-servers/webdav';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const LOCKER = fileURLToPath(new URL('../../bin/locker', import.meta.url));
const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'el-cli-targets-'));
const file = (...names: string[]) => path.join(temp, ...names);

function locker(args: string[]) {
  const result = spawnSync(LOCKER, args, { encoding: 'utf8', cwd: temp });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A CLI JSON document: its shape is what the assertions check. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Document = Record<string, any>;

/** `locker … --json`, expecting `exit`; returns the parsed document. */
function lockerJson(args: string[], exit = 0) {
  const result = locker([...args, '--json']);
  expect(result.code, `${args.join(' ')}: ${result.stdout}${result.stderr}`).toBe(exit);
  return JSON.parse(result.stdout) as Document;
}

function secretFile(name: string, text: string): string {
  fs.writeFileSync(file(name), text, { mode: 0o600 });
  return file(name);
}

/** The row counts of every table of a data directory, as `inspect` reports them. */
function rowCounts(dataDir: string) {
  const report = lockerJson(['inspect', '--data-dir', dataDir]) as { databases: { name: string; tables: unknown }[] };
  return report.databases.map((database) => [database.name, database.tables]);
}

const seeded = file('seeded');
let identity: string;
let kit: string;

/** A copy of the seeded (sealing) data directory and an empty backup directory for it. */
function instance(name: string): { dataDir: string; backupDir: string } {
  const dataDir = file(name);
  fs.cpSync(seeded, dataDir, { recursive: true });
  fs.mkdirSync(file(`${name}-backups`));
  return { dataDir, backupDir: file(`${name}-backups`) };
}

beforeAll(async () => {
  lockerJson(['seed', '--data-dir', seeded, '--months', '1', '--configured', '--seed', '5']);
  const current = readSealSettings((await readConfig(seeded)).config, await readConfigKey(seeded));
  const key = await generateSealIdentity();
  identity = key.identity;
  kit = secretFile('kit.txt', await identityFileText(key.identity));
  await updateConfig(
    seeded,
    sealSettingsPatch({ mode: 'identity', identity, recipient: key.recipient, createdAt: new Date().toISOString() }, current),
  );
});
afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));

describe('WebDAV target (rclone serve webdav)', () => {
  let server: RunningWebdav;
  let down: RunningWebdav;
  const { dataDir, backupDir } = { dataDir: file('dav'), backupDir: file('dav-backups') };
  const url = () => `webdav+http://${server.username}@${server.url.slice('http://'.length)}offsite/`;
  const onServer = (name: string) => path.join(server.rootDir, 'offsite', name);

  beforeAll(async () => {
    instance('dav');
    server = await startWebdav();
    down = await startWebdav();
    fs.mkdirSync(path.join(server.rootDir, 'offsite'));
    fs.mkdirSync(path.join(down.rootDir, 'offsite'));
    secretFile('dav-password', `${server.password}\n`);
    secretFile('down-password', `${down.password}\n`);
  });
  afterAll(async () => {
    await server?.stop();
    await down?.stop();
  });

  it('target add tests the connection first: a wrong password saves nothing', () => {
    secretFile('wrong-password', 'not-it\n');
    const refused = lockerJson(['target', 'add', 'nas', url(), '--data-dir', dataDir, '--password-file', file('wrong-password')], 1);
    expect(refused.error.code).toBe('TARGET_LOGIN_REFUSED');
    expect(lockerJson(['target', 'list', '--data-dir', dataDir]).targets).toEqual([]);
  });

  it('target add saves it with the password encrypted; list shows no secret; test works', () => {
    const added = lockerJson([
      'target',
      'add',
      'nas',
      url(),
      '--data-dir',
      dataDir,
      '--password-file',
      file('dav-password'),
      '--keep-last',
      '2',
      '--keep-daily',
      '3',
      // locker backup create makes manual backups: their copies count only with --include-manual.
      '--include-manual',
      '--include-pre-restore',
    ]);
    expect(added.target).toMatchObject({
      name: 'nas',
      kind: 'webdav',
      sealed: true,
      retention: { keepLast: 2, daily: 3, includeManual: true, includePreRestore: true },
      secretsSet: { password: true },
    });
    expect(added.test.elapsedMs).toBeGreaterThanOrEqual(0);
    const configText = fs.readFileSync(path.join(dataDir, 'config.json'), 'utf8');
    expect(configText).not.toContain(server.password);
    const stored = (JSON.parse(configText) as Document)[BACKUP_TARGETS_KEY][0];
    expect(stored.secrets.password).toMatch(/^gAAAAA/);

    const listed = lockerJson(['target', 'list', '--data-dir', dataDir]);
    expect(JSON.stringify(listed)).not.toContain(server.password);
    expect(listed.targets[0]).toMatchObject({ name: 'nas', enabled: true, location: url(), state: { lastSuccessAt: null } });
    expect(locker(['target', 'list', '--data-dir', dataDir]).stdout).toContain(
      'keeps the newest 2, the newest of each of the last 3 days (only copies this instance sent; never the newest; manual backups counted, pre-restore backups counted)',
    );
    expect(lockerJson(['target', 'test', 'nas', '--data-dir', dataDir])).toMatchObject({ ok: true, target: 'nas' });
    // The probe file is gone again.
    expect(fs.readdirSync(path.join(server.rootDir, 'offsite'))).toEqual([]);

    const twice = lockerJson(['target', 'add', 'NAS', url(), '--data-dir', dataDir, '--password-file', file('dav-password')], 2);
    expect(twice.error.message).toContain('already has a target named "nas"');
  });

  it('backup create sends the new backup there; a plain local backup is sealed on the way and opens with the key', () => {
    const sealed = lockerJson(['backup', 'create', '--data-dir', dataDir, '--backup-dir', backupDir]);
    expect(sealed.fileName).toMatch(/\.tar\.gz\.age$/);
    expect(sealed.targets).toEqual([expect.objectContaining({ ok: true, target: 'nas', remoteName: sealed.fileName, sealed: true })]);
    expect(fs.readFileSync(onServer(sealed.fileName)).equals(fs.readFileSync(sealed.path as string))).toBe(true);

    const plain = lockerJson(['backup', 'create', '--data-dir', dataDir, '--backup-dir', backupDir, '--plain']);
    expect(plain.fileName).toMatch(/\.tar\.gz$/);
    expect(plain.targets[0]).toMatchObject({ ok: true, remoteName: `${plain.fileName}.age`, sealed: true });
    expect(fs.existsSync(onServer(plain.fileName))).toBe(false);
    const opened = lockerJson(['backup', 'validate', onServer(`${plain.fileName}.age`), '--identity', kit]);
    expect(opened.ok).toBe(true);
    expect(locker(['backup', 'validate', onServer(`${plain.fileName}.age`)]).code).toBe(1);

    const state = lockerJson(['target', 'list', '--data-dir', dataDir]).targets[0].state;
    expect(state).toMatchObject({ lastSuccessName: `${plain.fileName}.age`, lastFailure: null, copiesSent: 2 });
  });

  it('--no-push keeps it local; backup push NAME sends it later, and the target keeps its newest 2 copies', () => {
    const local = lockerJson(['backup', 'create', '--data-dir', dataDir, '--backup-dir', backupDir, '--no-push']);
    expect(local.targets).toEqual([]);
    expect(fs.existsSync(onServer(local.fileName))).toBe(false);
    const pushed = lockerJson(['backup', 'push', local.fileName, '--data-dir', dataDir, '--backup-dir', backupDir]);
    expect(pushed.targets[0]).toMatchObject({ ok: true, remoteName: local.fileName, pruned: [expect.stringMatching(/^docsight_backup_/)] });
    expect(fs.existsSync(onServer(local.fileName))).toBe(true);
    expect(fs.readdirSync(path.join(server.rootDir, 'offsite'))).toHaveLength(2);
    // Again: it is there already (this instance sent it), which is not a failure.
    expect(lockerJson(['backup', 'push', local.fileName, '--data-dir', dataDir, '--backup-dir', backupDir]).targets[0]).toMatchObject({
      ok: true,
      alreadyThere: true,
    });
    // The local backups are all still there: the target's retention is the target's only.
    expect(fs.readdirSync(backupDir).filter((name) => name.startsWith('docsight_backup_'))).toHaveLength(3);
  });

  it('a target that cannot be reached: the local backup is written and intact, a warning, exit 3, the failure recorded', async () => {
    lockerJson([
      'target',
      'add',
      'gone',
      `webdav+http://${down.username}@${down.url.slice('http://'.length)}offsite/`,
      '--data-dir',
      dataDir,
      '--password-file',
      file('down-password'),
      '--plain',
    ]);
    await down.stop();
    const result = locker(['backup', 'create', '--data-dir', dataDir, '--backup-dir', backupDir]);
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toMatch(/warning: offsite "gone" failed \(TARGET_UNREACHABLE\)/);
    expect(result.stdout).toMatch(/Offsite "nas": docsight_backup_.*sealed/);
    const written = /Backup written: (\S+)/.exec(result.stdout)?.[1];
    expect(written).toBeDefined();
    expect(lockerJson(['backup', 'validate', written!, '--data-dir', dataDir]).ok).toBe(true);
    const gone = lockerJson(['target', 'list', '--data-dir', dataDir]).targets.find((target: { name: string }) => target.name === 'gone');
    expect(gone.state).toMatchObject({ lastSuccessAt: null, failures: 1, lastFailure: { code: 'TARGET_UNREACHABLE' } });
    expect(gone.state.lastFailure.message).toContain('127.0.0.1');
    // --json says the same to scripts.
    const json = lockerJson(['backup', 'create', '--data-dir', dataDir, '--backup-dir', backupDir], 3);
    expect(json.targets.map((target: { target: string; ok: boolean }) => [target.target, target.ok])).toEqual([
      ['nas', true],
      ['gone', false],
    ]);
  });

  it('target remove takes it out of the settings and says the copies stay on the target', () => {
    const before = fs.readdirSync(path.join(server.rootDir, 'offsite')).sort();
    const removed = locker(['target', 'remove', 'nas', '--data-dir', dataDir]);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toContain('stay there');
    expect(fs.readdirSync(path.join(server.rootDir, 'offsite')).sort()).toEqual(before);
    expect(lockerJson(['target', 'list', '--data-dir', dataDir]).targets.map((target: { name: string }) => target.name)).toEqual(['gone']);
    expect(lockerJson(['target', 'remove', 'nas', '--data-dir', dataDir], 1).error.message).toContain('has no target named "nas"');
  });

  it('sealed by default needs a key: a data directory that does not seal is told to pass --recipient or --plain', async () => {
    const plainDir = file('dav-plain');
    lockerJson(['seed', '--data-dir', plainDir, '--months', '1', '--configured', '--seed', '6']);
    const refused = locker(['target', 'add', 'nas', url(), '--data-dir', plainDir, '--password-file', file('dav-password')]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('pass --recipient age1… (a key that opens them is yours to keep) or --plain');
    const { recipient } = await generateSealIdentity();
    const added = lockerJson([
      'target',
      'add',
      'nas',
      url(),
      '--data-dir',
      plainDir,
      '--password-file',
      file('dav-password'),
      '--recipient',
      recipient,
    ]);
    expect(added.target).toMatchObject({ sealed: true, recipient });
  });
});

describe('a target sealed with the instance key after sealing was turned off', () => {
  let server: RunningWebdav;
  const dataDir = file('seal-off');
  const backupDir = file('seal-off-backups');

  beforeAll(async () => {
    instance('seal-off');
    server = await startWebdav();
    secretFile('seal-off-password', `${server.password}\n`);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('sends nothing plain: TARGET_SEAL_NO_KEY is recorded, the local backup kept, exit 3', async () => {
    const url = `webdav+http://${server.username}@${server.url.slice('http://'.length)}`;
    lockerJson(['target', 'add', 'nas', url, '--data-dir', dataDir, '--password-file', file('seal-off-password')]);
    const current = readSealSettings((await readConfig(dataDir)).config, await readConfigKey(dataDir));
    await updateConfig(dataDir, sealSettingsPatch({ mode: 'off' }, current));
    const created = lockerJson(['backup', 'create', '--data-dir', dataDir, '--backup-dir', backupDir], 3);
    expect(created.fileName).toMatch(/\.tar\.gz$/);
    expect(fs.existsSync(created.path)).toBe(true);
    expect(created.targets[0]).toMatchObject({ ok: false, code: 'TARGET_SEAL_NO_KEY' });
    expect(fs.readdirSync(server.rootDir)).toEqual([]);
    expect(lockerJson(['target', 'list', '--data-dir', dataDir]).targets[0].state.lastFailure).toMatchObject({
      code: 'TARGET_SEAL_NO_KEY',
    });
  });
});

describe('SFTP target (OpenSSH sshd)', () => {
  let sshd: StartedSshd;
  const dataDir = file('sftp');
  const backupDir = file('sftp-backups');
  const url = () => `sftp://root@127.0.0.1:${sshd.port}${sshd.rootDir}/offsite`;

  beforeAll(async () => {
    instance('sftp');
    sshd = await startSshd({ passwordUser: false });
    fs.mkdirSync(path.join(sshd.rootDir, 'offsite'));
    secretFile('client-key', sshd.privateKey);
  });
  afterAll(async () => {
    await sshd?.stop();
  });

  it('an unknown host key is refused with its fingerprint and how to accept it; --accept-host-key pins it', () => {
    const refused = locker(['target', 'add', 'box', url(), '--data-dir', dataDir, '--key-file', file('client-key')]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(sshd.hostKeyFingerprint);
    expect(refused.stderr).toContain('--accept-host-key');
    const json = lockerJson(['target', 'add', 'box', url(), '--data-dir', dataDir, '--key-file', file('client-key')], 1);
    expect(json.error).toMatchObject({ code: 'TARGET_HOST_KEY_UNKNOWN', details: { fingerprint: sshd.hostKeyFingerprint } });
    expect(lockerJson(['target', 'list', '--data-dir', dataDir]).targets).toEqual([]);

    const added = lockerJson(['target', 'add', 'box', url(), '--data-dir', dataDir, '--key-file', file('client-key'), '--accept-host-key']);
    expect(added.target).toMatchObject({ kind: 'sftp', hostKeyFingerprint: sshd.hostKeyFingerprint, secretsSet: { privateKey: true } });
  });

  it('backup create lands on the SFTP server, sealed', () => {
    const created = lockerJson(['backup', 'create', '--data-dir', dataDir, '--backup-dir', backupDir]);
    expect(created.targets[0]).toMatchObject({ ok: true, target: 'box', sealed: true });
    expect(fs.readFileSync(path.join(sshd.rootDir, 'offsite', created.fileName)).equals(fs.readFileSync(created.path))).toBe(true);
  });

  it('on a fresh machine: target backups URL lists them newest first, restore --from URL restores a sealed one with --identity', () => {
    lockerJson(['backup', 'create', '--data-dir', dataDir, '--backup-dir', backupDir, '--plain']);
    const listed = lockerJson(['target', 'backups', url(), '--key-file', file('client-key'), '--host-key', sshd.hostKeyFingerprint]);
    const names = listed.backups.map((backup: { name: string }) => backup.name);
    expect(names).toHaveLength(2);
    expect([...names].sort().reverse()).toEqual(names);
    expect(listed.backups.every((backup: { sealed: boolean; size: number }) => backup.sealed && backup.size > 0)).toBe(true);
    const human = locker(['target', 'backups', url(), '--key-file', file('client-key'), '--accept-host-key']);
    expect(human.stdout).toContain(names[0]);

    const fresh = file('sftp-fresh');
    const restored = lockerJson([
      'backup',
      'restore',
      '--from',
      url(),
      names[0],
      '--key-file',
      file('client-key'),
      '--host-key',
      sshd.hostKeyFingerprint,
      '--identity',
      kit,
      '--data-dir',
      fresh,
      '--backup-dir',
      file('sftp-fresh-backups'),
    ]);
    expect(restored).toMatchObject({ ok: true, sealed: true, configured: true, preRestoreBackup: null });
    expect(rowCounts(fresh)).toEqual(rowCounts(dataDir));
    // The restored instance keeps sending copies there: its settings hold the target (they did already).
    expect(restored.target).toMatchObject({ added: false, name: 'box' });
    expect(lockerJson(['target', 'test', 'box', '--data-dir', fresh]).ok).toBe(true);

    const noKey = lockerJson(
      [
        'backup',
        'restore',
        '--from',
        url(),
        names[0],
        '--key-file',
        file('client-key'),
        '--host-key',
        sshd.hostKeyFingerprint,
        '--data-dir',
        file('sftp-fresh-2'),
        '--backup-dir',
        file('sftp-fresh-2-backups'),
      ],
      1,
    );
    expect(noKey.error.code).toBe('SEAL_KEY_REQUIRED');
  });

  it('a changed host key is refused with both fingerprints; target test --accept-host-key pins the new one', async () => {
    const old = sshd.hostKeyFingerprint;
    const renewed = await sshd.regenerateHostKey();
    const refused = lockerJson(['target', 'test', 'box', '--data-dir', dataDir], 1);
    expect(refused.error).toMatchObject({ code: 'TARGET_HOST_KEY_CHANGED', details: { expected: old, presented: renewed } });
    const created = lockerJson(['backup', 'create', '--data-dir', dataDir, '--backup-dir', backupDir], 3);
    expect(created.targets[0]).toMatchObject({ ok: false, code: 'TARGET_HOST_KEY_CHANGED' });
    expect(fs.existsSync(created.path)).toBe(true);
    expect(lockerJson(['target', 'test', 'box', '--data-dir', dataDir, '--accept-host-key']).pinnedHostKey).toBe(renewed);
    expect(lockerJson(['target', 'list', '--data-dir', dataDir]).targets[0].hostKeyFingerprint).toBe(renewed);
    expect(lockerJson(['backup', 'push', created.fileName, '--data-dir', dataDir, '--backup-dir', backupDir]).targets[0].ok).toBe(true);
  });
});

describe('S3 target (OpenStack Swift s3api)', () => {
  let swift: RunningSwift;
  const dataDir = file('s3');
  const backupDir = file('s3-backups');
  const url = () => `s3://${swift.bucket}/locker/offsite?endpoint=${swift.endpoint}`;

  beforeAll(async () => {
    instance('s3');
    swift = await startSwift();
    secretFile('s3-secret', `${swift.secretAccessKey}\n`);
  }, 180_000);
  afterAll(async () => {
    await swift?.stop();
  });

  it('add a plain S3 target, push a backup made before it, and a fresh machine lists and restores it, keeping the target', () => {
    const creds = ['--access-key-id', swift.accessKeyId, '--secret-file', file('s3-secret')];
    // Made before the target exists: its config.json does not hold it.
    const created = lockerJson(['backup', 'create', '--data-dir', dataDir, '--backup-dir', backupDir, '--plain']);
    expect(created.targets).toEqual([]);
    const added = lockerJson(['target', 'add', 'bucket', url(), '--data-dir', dataDir, ...creds, '--plain']);
    expect(added.target).toMatchObject({
      kind: 's3',
      sealed: false,
      accessKeyId: swift.accessKeyId,
      secretsSet: { secretAccessKey: true },
    });
    const pushed = lockerJson(['backup', 'push', created.fileName, '--data-dir', dataDir, '--backup-dir', backupDir, '--target', 'bucket']);
    expect(pushed.targets[0]).toMatchObject({
      ok: true,
      target: 'bucket',
      remoteName: created.fileName,
      sealed: false,
      size: created.size,
    });

    const listed = lockerJson(['target', 'backups', url(), ...creds]);
    expect(listed.backups).toEqual([expect.objectContaining({ name: created.fileName, size: created.size, sealed: false })]);

    const fresh = file('s3-fresh');
    const restored = lockerJson([
      'backup',
      'restore',
      '--from',
      url(),
      created.fileName,
      ...creds,
      '--data-dir',
      fresh,
      '--backup-dir',
      file('s3-fresh-backups'),
    ]);
    expect(restored).toMatchObject({ ok: true, sealed: false });
    expect(rowCounts(fresh)).toEqual(rowCounts(dataDir));
    // The restored instance keeps sending copies there, sealed with its key (its settings seal backups).
    expect(restored.target).toMatchObject({ added: true, name: `Offsite ${swift.bucket}` });
    expect(lockerJson(['target', 'list', '--data-dir', fresh]).targets[0]).toMatchObject({ location: url(), sealed: true, enabled: true });
    const next = lockerJson(['backup', 'create', '--data-dir', fresh, '--backup-dir', file('s3-fresh-backups')]);
    expect(next.targets[0]).toMatchObject({ ok: true, sealed: true, remoteName: next.fileName });

    const missing = lockerJson(
      [
        'backup',
        'restore',
        '--from',
        url(),
        'docsight_backup_2020-01-01_000000.tar.gz',
        ...creds,
        '--data-dir',
        file('s3-fresh-2'),
        '--backup-dir',
        file('s3-fresh-2-backups'),
      ],
      1,
    );
    expect(missing.error.code).toBe('TARGET_OBJECT_MISSING');
  });

  it('credential flags are checked against the kind of target', () => {
    expect(lockerJson(['target', 'backups', url(), '--password-file', file('s3-secret')], 2).error.message).toContain(
      '--password-file does not apply to an S3 target',
    );
    expect(lockerJson(['target', 'backups', url()], 2).error.message).toContain('needs --access-key-id ID and --secret-file FILE');
    expect(lockerJson(['target', 'backups', 'ftp://example.org/x'], 1).error.code).toBe('TARGET_URL_INVALID');
  });
});
