/**
 * Sealed backups at the engine level, through core's public API (issue 17's proof):
 * - createBackup with a recipient or a passphrase, to a directory and to a stream: the name, the
 *   size, and the sealed file opening to exactly the plain backup made from the same data at the
 *   same time; listing, verify and validate with the key;
 * - interop with Debian's `age`: our sealed backup opened by `age -d` is an archive DOCSight's rules
 *   accept (Python's tarfile reading, as create-backup-fixtures' reader does) and restores; every
 *   DOCSight fixture sealed by `age -e -r` and `age -e -p` restores here as the plain fixture does;
 * - the refusal matrix, each through restoreDataDir over a live seeded instance, each with its own
 *   code, the live data dir byte-identical afterwards and no work file left.
 * The flat-memory comparison of sealed and plain restores is in sealed-restore-memory.test.ts.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import {
  createBackup,
  generateSealIdentity,
  isSealedBackupFileName,
  listBackups,
  openSealedStream,
  restoreBackup,
  restoreDataDir,
  seedDataDir,
  sealedArchiveName,
  sealExpectationOf,
  stopSqliteWorker,
  validateArchiveFile,
  verifyBackup,
  type CreateBackupResult,
  type OpenKey,
  type SealIdentity,
} from '../src/index.ts';
import { DOCSIGHT_FIXTURE_NAMES, docsightFixture } from '@evidence-locker/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureAgeCli, run, runAgeOnTerminal } from './support/age-cli.ts';
import { readWithPython } from './support/create-backup-fixtures.ts';
import { lockerErrorOf } from './support/locker-error-of.ts';
import { cleanupTempDirs, makeTempDir, sha256, snapshotDir } from './support/restore-support.ts';
import { flipByte, sealedLayout, SEALED_CHUNK_BYTES } from './support/sealed-bytes.ts';

const NOW = new Date('2026-11-21T07:00:00Z');
const PASSPHRASE = 'tiny-Owl-7-marble-Harbor';
// A low scrypt work factor keeps the passphrase cases fast; opening reads it from the file.
const SEAL_PASSPHRASE = { passphrase: PASSPHRASE, workFactor: 10 };
const noMigrate = async (): Promise<void> => undefined;

/** A seeded instance: `days` of history, a little Connection Monitor, config.json and .config_key. */
function seedInstance(dataDir: string, seed: number, days: number): void {
  seedDataDir({ dataDir, mode: 'user', historyDays: days, connectionMonitorDays: 0.05, now: NOW, seed });
  fs.writeFileSync(path.join(dataDir, 'config.json'), JSON.stringify({ modem_type: 'fritzbox', poll_interval: 900 }, null, 2));
  // A fixed Fernet key (urlsafe base64 of 32 bytes): test data, not a secret.
  fs.writeFileSync(path.join(dataDir, '.config_key'), `${Buffer.alloc(32, seed).toString('base64url')}=`);
}

let sourceDir: string;
let owner: SealIdentity;
let plain: { result: CreateBackupResult; bytes: Buffer };

const asOwner = (): OpenKey => ({ identities: [owner.identity] });

async function readAll(file: string, key: OpenKey): Promise<Buffer> {
  return Buffer.concat(await openSealedStream(fs.createReadStream(file), key).toArray());
}

/** A backup of the seeded source at NOW into a fresh backup dir. */
async function backupToDir(seal?: Parameters<typeof createBackup>[0]['seal']): Promise<CreateBackupResult> {
  return createBackup({
    dataDir: sourceDir,
    destination: { kind: 'directory', backupDir: makeTempDir('sealed-backups') },
    trigger: 'manual',
    now: NOW,
    ...(seal === undefined ? {} : { seal }),
  });
}

/** A backup of the seeded source at NOW to a stream; the bytes the stream received. */
async function backupToStream(seal: Parameters<typeof createBackup>[0]['seal']): Promise<{ result: CreateBackupResult; bytes: Buffer }> {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
  const result = await createBackup({
    dataDir: sourceDir,
    destination: { kind: 'stream', stream: sink },
    trigger: 'download',
    now: NOW,
    seal,
  });
  return { result, bytes: Buffer.concat(chunks) };
}

beforeAll(async () => {
  sourceDir = path.join(makeTempDir('sealed-source'), 'data');
  seedInstance(sourceDir, 7, 6);
  owner = await generateSealIdentity();
  const result = await backupToDir();
  plain = { result, bytes: fs.readFileSync(result.path!) };
  // Several 64 KiB chunks, so cuts and flips can land before, inside and after middle chunks.
  expect(plain.bytes.length).toBeGreaterThan(6 * SEALED_CHUNK_BYTES);
}, 120_000);

afterAll(async () => {
  cleanupTempDirs();
  await stopSqliteWorker();
});

describe('createBackup with a seal', () => {
  it('seals for a recipient into the backup dir: .tar.gz.age, its size, the plain backup byte for byte, listed and verified', async () => {
    const sealed = await backupToDir({ recipients: [owner.recipient] });
    expect(sealed.fileName).toBe(sealedArchiveName(plain.result.fileName));
    expect(sealed.fileName).toMatch(/^docsight_backup_\d{4}-\d{2}-\d{2}_\d{6}\.tar\.gz\.age$/);
    expect(isSealedBackupFileName(sealed.fileName)).toBe(true);
    expect(sealed.sealed).toBe(true);
    expect(sealed.size).toBe(fs.statSync(sealed.path!).size);
    expect(fs.readFileSync(sealed.path!).subarray(0, 22).toString('latin1')).toBe('age-encryption.org/v1\n');
    expect((await readAll(sealed.path!, asOwner())).equals(plain.bytes)).toBe(true);

    const backupDir = path.dirname(sealed.path!);
    expect(await listBackups(backupDir)).toEqual([
      expect.objectContaining({ fileName: sealed.fileName, sealed: 'identity', trigger: null }),
    ]);
    const stranger = await generateSealIdentity();
    expect(await listBackups(backupDir, { identities: [stranger.identity] })).toEqual([
      expect.objectContaining({ sealed: 'identity', trigger: null }),
    ]);
    expect(await listBackups(backupDir, { identities: [stranger.identity, owner.identity] })).toEqual([
      expect.objectContaining({ fileName: sealed.fileName, sealed: 'identity', trigger: 'manual', size: sealed.size }),
    ]);

    const verified = await verifyBackup(backupDir, sealed.fileName, { key: asOwner() });
    expect(verified).toMatchObject({ fileName: sealed.fileName, size: sealed.size, checksumsVerified: true, bytesRead: sealed.size });
    expect([...verified.databasesChecked].sort()).toEqual(['connection_monitor.db', 'docsis_history.db']);
    const validated = await validateArchiveFile(sealed.path!, { seal: { key: asOwner() } });
    expect(validated).toMatchObject({ has_database: true, has_config: true, warnings: [] });
    expect(validated.meta.trigger).toBe('manual');

    const keyless = await lockerErrorOf(validateArchiveFile(sealed.path!));
    expect(keyless.code).toBe('SEAL_KEY_REQUIRED');
    expect(keyless.details).toEqual({ sealedWith: 'identity' });
    expect((await lockerErrorOf(verifyBackup(backupDir, sealed.fileName))).code).toBe('SEAL_KEY_REQUIRED');
  });

  it('seals with a passphrase into the backup dir, listed as passphrase-sealed, verified with the passphrase', async () => {
    const sealed = await backupToDir(SEAL_PASSPHRASE);
    expect(sealed.fileName).toBe(sealedArchiveName(plain.result.fileName));
    expect(sealed.size).toBe(fs.statSync(sealed.path!).size);
    const bytes = fs.readFileSync(sealed.path!);
    expect(bytes.toString('latin1', 0, 200)).toMatch(/^age-encryption\.org\/v1\n-> scrypt \S+ 10\n/);
    expect((await readAll(sealed.path!, { passphrase: PASSPHRASE })).equals(plain.bytes)).toBe(true);

    const backupDir = path.dirname(sealed.path!);
    // Identities cannot open a passphrase seal: the trigger stays unknown, the kind of seal is known.
    expect(await listBackups(backupDir, { identities: [owner.identity] })).toEqual([
      expect.objectContaining({ fileName: sealed.fileName, sealed: 'passphrase', trigger: null }),
    ]);
    const verified = await verifyBackup(backupDir, sealed.fileName, { key: { passphrase: PASSPHRASE } });
    expect(verified.checksumsVerified).toBe(true);
    await expect(validateArchiveFile(sealed.path!, { seal: { key: { passphrase: PASSPHRASE } } })).resolves.toMatchObject({
      has_database: true,
    });
    const keyless = await lockerErrorOf(validateArchiveFile(sealed.path!));
    expect(keyless).toMatchObject({ code: 'SEAL_KEY_REQUIRED', details: { sealedWith: 'passphrase' } });
  });

  it.each([
    ['a recipient', () => ({ recipients: [owner.recipient] }), () => asOwner()],
    ['a passphrase', () => SEAL_PASSPHRASE, () => ({ passphrase: PASSPHRASE })],
  ])('seals a download with %s: the size is known up front and is what the stream got', async (_name, sealKey, openKey) => {
    const plainDownload = await backupToStream(undefined);
    expect(plainDownload.result).toMatchObject({ fileName: plain.result.fileName, sealed: false, size: plainDownload.bytes.length });
    const { result, bytes } = await backupToStream(sealKey());
    expect(result).toMatchObject({ fileName: sealedArchiveName(plain.result.fileName), sealed: true, size: bytes.length });
    expect(result.path).toBeUndefined();
    const file = path.join(makeTempDir('download'), result.fileName);
    fs.writeFileSync(file, bytes);
    // A download's meta says `download`; otherwise it is the plain download, byte for byte.
    expect((await readAll(file, openKey())).equals(plainDownload.bytes)).toBe(true);
  });

  it('refuses a malformed recipient before any work (SEAL_KEY_INVALID), leaving the backup dir empty', async () => {
    const backupDir = makeTempDir('sealed-backups');
    const error = await lockerErrorOf(
      createBackup({
        dataDir: sourceDir,
        destination: { kind: 'directory', backupDir },
        trigger: 'manual',
        seal: { recipients: ['age1nope'] },
      }),
    );
    expect(error.code).toBe('SEAL_KEY_INVALID');
    expect(fs.readdirSync(backupDir)).toEqual([]);
    expect(fs.readdirSync(sourceDir).filter((name) => name.startsWith('.evidence-locker-'))).toEqual([]);
  });
});

describe("interop with Debian's age", () => {
  let dir: string;
  let keyFile: string;

  beforeAll(() => {
    ensureAgeCli();
    dir = makeTempDir('age-interop');
    keyFile = path.join(dir, 'key.txt');
    fs.writeFileSync(keyFile, `# public key: ${owner.recipient}\n${owner.identity}\n`);
  });

  /** The checks DOCSight's validate_backup and restore make, through Python's tarfile (DOCSight's reader). */
  function expectDocsightAccepts(archive: string): void {
    const out = makeTempDir('python-view');
    const view = readWithPython(archive, out);
    expect(view.docsightRejects).toBeNull();
    expect(view.meta['magic']).toBe('docsight-backup');
    expect(view.gzipMembers).toBeGreaterThan(0);
    for (const [name, digest] of Object.entries(plain.result.meta.members ?? {})) expect(view.sha256[name], name).toBe(digest.sha256);
  }

  it('opens our identity-sealed backup with age -d -i to the plain archive, which DOCSight accepts and which restores', async () => {
    const sealed = await backupToDir({ recipients: [owner.recipient] });
    const opened = path.join(dir, plain.result.fileName);
    run('age', ['-d', '-i', keyFile, '-o', opened, sealed.path!]);
    expect(fs.readFileSync(opened).equals(plain.bytes)).toBe(true);
    expectDocsightAccepts(opened);
    const dataDir = makeTempDir('age-restored');
    const restored = await restoreBackup({ source: fs.createReadStream(opened), archivePath: opened, dataDir });
    expect(restored).toMatchObject({ configured: true, warnings: [] });
    expect(restored.restoredFiles).toEqual(['docsis_history.db', 'connection_monitor.db', 'config.json', '.config_key']);
  });

  it('opens our passphrase-sealed backup with age -d and the passphrase to the plain archive, which DOCSight accepts', async () => {
    const sealed = await backupToDir(SEAL_PASSPHRASE);
    const opened = path.join(dir, `pass-${plain.result.fileName}`);
    runAgeOnTerminal(['-d', '-o', opened, sealed.path!], [PASSPHRASE]);
    expect(fs.readFileSync(opened).equals(plain.bytes)).toBe(true);
    expectDocsightAccepts(opened);
  });

  /** What a restore gave: its result, and the data dir without the fresh session files. */
  async function restoreInto(source: string, key: OpenKey | undefined): Promise<{ result: object; files: Record<string, string> }> {
    const dataDir = path.join(makeTempDir('fixture-restore'), 'data');
    const result = await restoreDataDir({
      source: fs.createReadStream(source),
      archivePath: source,
      dataDir,
      backupDir: makeTempDir('unused-backups'),
      seal: { key, expect: sealExpectationOf(source) },
      // Unmigrated, so databases compare byte for byte (the migrations stamp the wall clock).
      migrate: noMigrate,
    });
    const files = snapshotDir(dataDir);
    delete files['.session_key'];
    delete files['.auth_state'];
    return { result, files };
  }

  it.each(DOCSIGHT_FIXTURE_NAMES)(
    'restores DOCSight fixture %s sealed by age -e -r and age -e -p exactly as the plain one',
    async (name) => {
      const fixture = docsightFixture(name).archive;
      const base = path.basename(fixture);
      const byRecipient = path.join(dir, `r-${name}`, `${base}.age`);
      const byPassphrase = path.join(dir, `p-${name}`, `${base}.age`);
      fs.mkdirSync(path.dirname(byRecipient));
      fs.mkdirSync(path.dirname(byPassphrase));
      run('age', ['-e', '-r', owner.recipient, '-o', byRecipient, fixture]);
      // age's own default work factor (18), as a user's `age -p` writes it.
      runAgeOnTerminal(['-e', '-p', '-o', byPassphrase, fixture], [PASSPHRASE, PASSPHRASE]);

      const expected = await restoreInto(fixture, undefined);
      expect(Object.keys(expected.files)).toContain('docsis_history.db');
      const viaIdentity = await restoreInto(byRecipient, asOwner());
      expect(viaIdentity).toEqual(expected);
      const viaPassphrase = await restoreInto(byPassphrase, { passphrase: PASSPHRASE });
      expect(viaPassphrase).toEqual(expected);
    },
  );
});

describe('refusals, each over a live instance that stays byte-identical', () => {
  let liveDir: string;
  let backupDir: string;
  let cases: string;
  let byIdentity: Buffer;
  let byPassphrase: Buffer;

  beforeAll(async () => {
    liveDir = path.join(makeTempDir('live'), 'data');
    seedInstance(liveDir, 99, 1);
    fs.mkdirSync(path.join(liveDir, 'modules'));
    fs.writeFileSync(path.join(liveDir, 'modules', 'theme.css'), 'body { color: #123456; }');
    fs.writeFileSync(path.join(liveDir, '.session_key'), Buffer.alloc(32, 5));
    fs.writeFileSync(path.join(liveDir, '.auth_state'), 'f'.repeat(64));
    backupDir = makeTempDir('live-backups');
    cases = makeTempDir('refusal-cases');
    byIdentity = fs.readFileSync((await backupToDir({ recipients: [owner.recipient] })).path!);
    byPassphrase = fs.readFileSync((await backupToDir(SEAL_PASSPHRASE)).path!);
    ensureAgeCli();
  }, 120_000);

  /** Writes `bytes` as `name` and restores it over the live instance with `key`; the error's code and details. */
  async function refusal(name: string, bytes: Buffer, key: OpenKey | undefined): Promise<{ code: string; details: unknown }> {
    const file = path.join(cases, name);
    fs.writeFileSync(file, bytes);
    const before = snapshotDir(liveDir);
    const listing = fs.readdirSync(liveDir).sort();
    const error = await lockerErrorOf(
      restoreDataDir({
        source: fs.createReadStream(file),
        archivePath: file,
        dataDir: liveDir,
        backupDir,
        seal: { key, expect: sealExpectationOf(file) },
        preRestoreSeal: { seal: { recipients: [owner.recipient] }, open: asOwner() },
      }),
    );
    expect(fs.readdirSync(liveDir).sort()).toEqual(listing);
    expect(snapshotDir(liveDir)).toEqual(before);
    expect(fs.readdirSync(backupDir)).toEqual([]);
    fs.rmSync(file);
    return { code: error.code, details: error.details };
  }

  const SEALED = 'docsight_backup_2026-11-21_070000.tar.gz.age';
  const PLAIN = 'docsight_backup_2026-11-21_070000.tar.gz';

  it('holds live data and a sealed backup of several chunks', () => {
    expect(snapshotDir(liveDir)['docsis_history.db']).toBeDefined();
    expect(byIdentity.length).toBeGreaterThan(6 * SEALED_CHUNK_BYTES);
  });

  it('refuses a wrong identity (SEAL_WRONG_IDENTITY)', async () => {
    const stranger = await generateSealIdentity();
    expect((await refusal(SEALED, byIdentity, { identities: [stranger.identity] })).code).toBe('SEAL_WRONG_IDENTITY');
  });

  it('refuses a wrong passphrase (SEAL_WRONG_PASSPHRASE)', async () => {
    expect((await refusal(SEALED, byPassphrase, { passphrase: `${PASSPHRASE}!` })).code).toBe('SEAL_WRONG_PASSPHRASE');
  });

  it('refuses an identity for a passphrase seal (SEAL_NEEDS_PASSPHRASE) and a passphrase for an identity seal (SEAL_NEEDS_IDENTITY)', async () => {
    expect((await refusal(SEALED, byPassphrase, asOwner())).code).toBe('SEAL_NEEDS_PASSPHRASE');
    expect((await refusal(SEALED, byIdentity, { passphrase: PASSPHRASE })).code).toBe('SEAL_NEEDS_IDENTITY');
  });

  it('refuses a sealed backup without a key (SEAL_KEY_REQUIRED), saying which key it needs', async () => {
    expect(await refusal(SEALED, byIdentity, undefined)).toEqual({ code: 'SEAL_KEY_REQUIRED', details: { sealedWith: 'identity' } });
    expect(await refusal(SEALED, byPassphrase, undefined)).toEqual({ code: 'SEAL_KEY_REQUIRED', details: { sealedWith: 'passphrase' } });
  });

  it('refuses a file cut at a chunk boundary (SEAL_TRUNCATED, known as such)', async () => {
    const cut = byIdentity.subarray(0, sealedLayout(byIdentity).chunkStart(4));
    expect(await refusal(SEALED, cut, asOwner())).toEqual({ code: 'SEAL_TRUNCATED', details: { where: 'cut after chunk 3' } });
  });

  it('refuses a file cut in the middle of a chunk (SEAL_TRUNCATED)', async () => {
    const cut = byIdentity.subarray(0, sealedLayout(byIdentity).chunkStart(4) + 20_000);
    expect(await refusal(SEALED, cut, asOwner())).toEqual({ code: 'SEAL_TRUNCATED', details: { where: 'last chunk 4' } });
  });

  it('refuses a flipped byte in the header as age tells it: the MAC (SEAL_DAMAGED), the stanza (SEAL_WRONG_IDENTITY), the version line (SEAL_NOT_SEALED)', async () => {
    const layout = sealedLayout(byIdentity);
    expect(await refusal(SEALED, flipByte(byIdentity, layout.macStart + 3), asOwner())).toEqual({
      code: 'SEAL_DAMAGED',
      details: { where: 'header' },
    });
    // Another base64 character of the wrapped file key: the header still parses, only the key differs,
    // which is what another person's stanza looks like (open-sealed-stream.ts, step 2).
    const stanza = Buffer.from(byIdentity);
    const body = byIdentity.indexOf('\n', byIdentity.indexOf('-> X25519')) + 5;
    stanza[body] = byIdentity[body] === 0x41 ? 0x42 : 0x41;
    expect((await refusal(SEALED, stanza, asOwner())).code).toBe('SEAL_WRONG_IDENTITY');
    expect((await refusal(SEALED, flipByte(byIdentity, 3), asOwner())).code).toBe('SEAL_NOT_SEALED');
    // The passphrase stanza likewise reads as a wrong passphrase; its MAC as damage.
    const passLayout = sealedLayout(byPassphrase);
    expect((await refusal(SEALED, flipByte(byPassphrase, passLayout.macStart + 3), { passphrase: PASSPHRASE })).code).toBe('SEAL_DAMAGED');
  });

  it('refuses a flipped byte in a middle chunk (SEAL_DAMAGED)', async () => {
    const damaged = flipByte(byIdentity, sealedLayout(byIdentity).chunkStart(3) + 777);
    expect(await refusal(SEALED, damaged, asOwner())).toEqual({ code: 'SEAL_DAMAGED', details: { where: 'chunk 3' } });
  });

  it('refuses a flipped byte in the last chunk as cut short or changed (SEAL_TRUNCATED)', async () => {
    const damaged = flipByte(byIdentity, byIdentity.length - 40);
    const last = Math.floor((byIdentity.length - sealedLayout(byIdentity).chunkStart(0)) / SEALED_CHUNK_BYTES);
    expect(await refusal(SEALED, damaged, asOwner())).toEqual({ code: 'SEAL_TRUNCATED', details: { where: `last chunk ${last}` } });
  });

  it('refuses a plain archive renamed .age (SEAL_NOT_SEALED)', async () => {
    expect((await refusal(SEALED, plain.bytes, asOwner())).code).toBe('SEAL_NOT_SEALED');
  });

  it('refuses a sealed archive renamed .tar.gz (ARCHIVE_SEALED), with or without a key', async () => {
    expect((await refusal(PLAIN, byIdentity, asOwner())).code).toBe('ARCHIVE_SEALED');
    expect((await refusal(PLAIN, byPassphrase, undefined)).code).toBe('ARCHIVE_SEALED');
  });

  it('refuses the armored form age -a writes (SEAL_ARMORED)', async () => {
    const plainFile = path.join(cases, 'plain.tar.gz');
    fs.writeFileSync(plainFile, plain.bytes);
    const armoredFile = path.join(cases, 'armored.age');
    execFileSync('age', ['-e', '-a', '-r', owner.recipient, '-o', armoredFile, plainFile]);
    const armored = fs.readFileSync(armoredFile);
    expect(armored.toString('latin1', 0, 34)).toBe('-----BEGIN AGE ENCRYPTED FILE-----');
    expect((await refusal(SEALED, armored, asOwner())).code).toBe('SEAL_ARMORED');
  });

  it('restores the untouched sealed backup over the same live instance, sealing its pre-restore backup', async () => {
    const file = path.join(cases, SEALED);
    fs.writeFileSync(file, byIdentity);
    const result = await restoreDataDir({
      source: fs.createReadStream(file),
      archivePath: file,
      dataDir: liveDir,
      backupDir,
      seal: { key: asOwner(), expect: 'sealed' },
      preRestoreSeal: { seal: { recipients: [owner.recipient] }, open: asOwner() },
    });
    expect(result.preRestoreBackup?.fileName).toMatch(/\.tar\.gz\.age$/);
    expect(await listBackups(backupDir, { identities: [owner.identity] })).toEqual([
      expect.objectContaining({ fileName: result.preRestoreBackup!.fileName, sealed: 'identity', trigger: 'pre-restore' }),
    ]);
    expect(sha256(fs.readFileSync(path.join(liveDir, 'config.json')))).toBe(sha256(fs.readFileSync(path.join(sourceDir, 'config.json'))));
  });
});
