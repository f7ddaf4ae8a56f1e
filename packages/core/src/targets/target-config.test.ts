import { describe, expect, it } from 'vitest';
import { ConfigSchema, type ConfigRecord } from '../config/config-schema.ts';
import { generateFernetKey, parseFernetKey } from '../config/fernet.ts';
import { isLockerError } from '../errors.ts';
import { publicTarget, readTargets, targetsPatch, type TargetConfig } from './target-config.ts';

const key = parseFernetKey(generateFernetKey());
const otherKey = parseFernetKey(generateFernetKey());
const RECIPIENT = 'age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p';
const FINGERPRINT = 'SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s';

function s3(overrides: Partial<Extract<TargetConfig, { kind: 's3' }>> = {}): TargetConfig {
  return {
    id: '3f1c0f0e-5a8e-4b4e-9d55-6f1d2a0c1b01',
    name: 'Swift on loopback',
    kind: 's3',
    enabled: true,
    sealed: true,
    retention: { keepLast: 7 },
    bucket: 'docsight',
    prefix: 'backups',
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:8080',
    pathStyle: true,
    accessKeyId: 'test:tester',
    secrets: { secretAccessKey: 's3cr3t-access' },
    createdAt: '2026-03-01T10:00:00.000Z',
    ...overrides,
  };
}

function sftp(overrides: Partial<Extract<TargetConfig, { kind: 'sftp' }>> = {}): TargetConfig {
  return {
    id: '8a7b6c5d-4e3f-4a1b-8c9d-0e1f2a3b4c5d',
    name: 'NAS',
    kind: 'sftp',
    enabled: false,
    sealed: true,
    recipient: RECIPIENT,
    retention: { keepDays: 30 },
    host: 'nas.local',
    port: 2222,
    username: 'backup',
    directory: '/srv/docsight',
    hostKeyFingerprint: FINGERPRINT,
    secrets: { privateKey: '-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----\n', privateKeyPassphrase: 'pp' },
    createdAt: '2026-03-02T10:00:00+01:00',
    ...overrides,
  };
}

const webdav: TargetConfig = {
  id: '0b8e2f7a-1c3d-4e5f-a6b7-c8d9e0f1a2b3',
  name: 'Nextcloud',
  kind: 'webdav',
  enabled: true,
  sealed: false,
  retention: {},
  url: 'https://cloud.example.org/remote.php/dav/files/anna/Backups/',
  username: 'anna',
  secrets: { password: 'app-password' },
  createdAt: '2026-03-03T10:00:00Z',
};

function saved(targets: TargetConfig[], with_ = key): ConfigRecord {
  return { modem_type: 'fritzbox', ...targetsPatch(targets, with_) };
}

describe('stored targets', () => {
  it('stores secrets only as Fernet tokens and reads them back decrypted', () => {
    const config = saved([s3(), sftp(), webdav]);
    const text = JSON.stringify(config);
    for (const secret of ['s3cr3t-access', 'BEGIN OPENSSH', 'app-password', '"pp"']) expect(text).not.toContain(secret);
    expect(ConfigSchema.safeParse(config).success).toBe(true);
    const read = readTargets(JSON.parse(text) as ConfigRecord, key);
    expect(read.problems).toEqual([]);
    expect(read.targets).toEqual([s3(), sftp(), webdav]);
  });

  it('keeps a target whose secret no longer decrypts, marked unusable, and writes its token back unchanged', () => {
    const config = saved([s3(), webdav], otherKey);
    const read = readTargets(config, key);
    expect(read.targets).toHaveLength(2);
    expect(read.targets[0]!.unusable).toMatch(/secret access key of "Swift on loopback" cannot be decrypted.*enter it again/);
    expect(read.targets[0]!.secrets).toEqual({});
    expect(read.problems.map((problem) => problem.name)).toEqual(['Swift on loopback', 'Nextcloud']);
    const tokenBefore = (config.backup_targets as { secrets: { secretAccessKey: string } }[])[0]!.secrets.secretAccessKey;
    // Saving the list again (say, after renaming the other target) keeps the undecryptable token.
    const again = targetsPatch(read.targets, key);
    expect((again.backup_targets as { secrets: { secretAccessKey: string } }[])[0]!.secrets.secretAccessKey).toBe(tokenBefore);
    // Entering the secret again makes it usable.
    const fixed = { ...read.targets[0]!, secrets: { secretAccessKey: 'new-secret' } } as TargetConfig;
    const reread = readTargets(targetsPatch([fixed], key), key);
    expect(reread.targets[0]!.unusable).toBeUndefined();
    expect(reread.targets[0]!.secrets).toEqual({ secretAccessKey: 'new-secret' });
  });

  it('marks every target unusable when the instance has no .config_key', () => {
    const read = readTargets(saved([sftp()]), null);
    expect(read.targets[0]!.unusable).toMatch(/private key and private key passphrase of "NAS"/);
  });

  it('keeps entries that are not targets, reports them, and writes them back', () => {
    const garbage = [{ id: 'x', name: 'hand-edited', kind: 'ftp' }, 42];
    const config: ConfigRecord = { backup_targets: [...(saved([webdav]).backup_targets as []), ...garbage] };
    const read = readTargets(config, key);
    expect(read.targets).toHaveLength(1);
    expect(read.unreadable).toEqual(garbage);
    expect(read.problems[0]).toMatchObject({ index: 1, name: 'hand-edited' });
    expect(read.problems[0]!.message).toMatch(/Target 2 .*kind must be "s3", "sftp" or "webdav"/);
    const patch = targetsPatch(read.targets, key, { unreadable: read.unreadable });
    expect((patch.backup_targets as unknown[]).slice(1)).toEqual(garbage);
  });

  it('reads a backup_targets that is not a list as no targets, keeping it', () => {
    const read = readTargets({ backup_targets: 'oops' }, key);
    expect(read).toMatchObject({ targets: [], unreadable: ['oops'] });
    expect(read.problems[0]!.message).toMatch(/not a list/);
    expect(readTargets({}, key)).toEqual({ targets: [], problems: [], unreadable: [] });
  });

  it('reports repeated ids and names on read', () => {
    const config: ConfigRecord = {
      backup_targets: [...(saved([s3()]).backup_targets as []), ...(saved([s3({ name: 'SWIFT ON LOOPBACK' })]).backup_targets as [])],
    };
    const messages = readTargets(config, key).problems.map((problem) => problem.message);
    expect(messages).toEqual([
      expect.stringMatching(/Two targets have the id/),
      expect.stringMatching(/Two targets are named "SWIFT ON LOOPBACK"/),
    ]);
  });

  const refusals: [string, TargetConfig[], RegExp][] = [
    ['a name used twice (ignoring case)', [s3(), sftp({ name: 'swift on LOOPBACK' })], /already named "swift on LOOPBACK"/],
    ['an id used twice', [s3(), sftp({ id: s3().id })], /id of another target/],
    ['an empty name', [s3({ name: '  ' })], /name: The name is empty/],
    ['a name with surrounding spaces', [s3({ name: ' NAS' })], /begins or ends with a space/],
    ['a name over 64 characters', [s3({ name: 'n'.repeat(65) })], /longer than 64/],
    ['a name with a newline', [s3({ name: 'a\nb' })], /control character/],
    ['an id that is not a UUID', [s3({ id: 'nas-1' })], /id: id must be a UUID/],
    ['keepLast 0', [s3({ retention: { keepLast: 0 } })], /retention.keepLast: keepLast must be at least 1/],
    ['keepLast 1001', [s3({ retention: { keepLast: 1001 } })], /at most 1000/],
    ['keepDays 3651', [s3({ retention: { keepDays: 3651 } })], /at most 3650/],
    ['keepDays 1.5', [s3({ retention: { keepDays: 1.5 } })], /whole number/],
    [
      'an unknown retention key',
      [s3({ retention: { keep: 3 } as never })],
      /only keepLast, keepDays, daily, weekly, monthly, includeManual and includePreRestore/,
    ],
    ['a recipient that is not age1…', [s3({ recipient: 'age1nope' })], /age X25519 recipient/],
    ['a recipient on a plain target', [s3({ sealed: false, recipient: RECIPIENT })], /sealed is false/],
    ['an S3 target without its secret', [s3({ secrets: {} as never })], /secretAccessKey/],
    ['an S3 target with a password', [s3({ secrets: { secretAccessKey: 'x', password: 'y' } as never })], /no other secret/],
    ['an S3 target without accessKeyId', [s3({ accessKeyId: '' })], /accessKeyId is empty/],
    ['an SFTP target with neither password nor key', [sftp({ secrets: { privateKeyPassphrase: 'pp' } })], /password or a private key/],
    ['a fingerprint in another form', [sftp({ hostKeyFingerprint: 'MD5:aa:bb' })], /SHA256: and 43 base64/],
    ['a bad port', [sftp({ port: 70000 })], /port: The port 70000/],
    ['a bad bucket', [s3({ bucket: 'a' })], /bucket: "a" is not a bucket name/],
    ['a WebDAV URL with credentials', [{ ...webdav, url: 'https://a:b@h/x/' }], /credentials never go/],
    ['a WebDAV URL without the trailing slash', [{ ...webdav, url: 'https://h/x' }], /must end with \//],
    ['an unknown kind', [{ ...webdav, kind: 'ftp' } as unknown as TargetConfig], /kind must be/],
    ['a createdAt that is not a time', [s3({ createdAt: 'yesterday' })], /ISO 8601/],
  ];

  it.each(refusals)('refuses to save %s with INVALID_ARGUMENT', (_label, targets, message) => {
    let caught: unknown;
    try {
      targetsPatch(targets, key);
    } catch (error) {
      caught = error;
    }
    expect(isLockerError(caught, 'INVALID_ARGUMENT')).toBe(true);
    expect((caught as Error).message).toMatch(message);
    expect((caught as Error).message).not.toMatch(/s3cr3t|BEGIN OPENSSH/);
  });

  it('defaults sealed to true and retention to keep everything when an entry leaves them out', () => {
    const stored = saved([webdav]).backup_targets as Record<string, unknown>[];
    const { sealed: _sealed, retention: _retention, ...rest } = stored[0]!;
    const read = readTargets({ backup_targets: [rest] } as ConfigRecord, key);
    expect(read.targets[0]).toMatchObject({ sealed: true, retention: {} });
  });
});

describe('publicTarget', () => {
  it('gives every field but the secrets, and which secrets are set', () => {
    const shown = publicTarget(sftp());
    expect(JSON.stringify(shown)).not.toMatch(/BEGIN OPENSSH|"pp"/);
    expect(shown).toMatchObject({ name: 'NAS', host: 'nas.local', hostKeyFingerprint: FINGERPRINT, recipient: RECIPIENT });
    expect(shown.secretsSet).toEqual({ secretAccessKey: false, password: false, privateKey: true, privateKeyPassphrase: true });
    expect('secrets' in shown).toBe(false);
  });

  it('says a secret that does not decrypt is not set, and why the target is unusable', () => {
    const [target] = readTargets(saved([s3()], otherKey), key).targets;
    const shown = publicTarget(target!);
    expect(shown.secretsSet.secretAccessKey).toBe(false);
    expect(shown.unusable).toMatch(/enter it again/);
    expect(JSON.stringify(shown)).not.toContain('gAAAAA');
  });
});
