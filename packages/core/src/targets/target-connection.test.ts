import { describe, expect, it } from 'vitest';
import { generateFernetKey, parseFernetKey } from '../config/fernet.ts';
import { isLockerError } from '../errors.ts';
import { readTargets, targetsPatch } from './target-config.ts';
import { connectionOf, newTarget, type TargetConnection } from './target-connection.ts';
import { parseTargetUrl } from './target-url.ts';

const key = parseFernetKey(generateFernetKey());
const now = new Date('2026-03-01T10:00:00.000Z');
const FINGERPRINT = 'SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s';

const connections: [string, TargetConnection][] = [
  ['s3', { ...parseTargetUrl('s3://bkt/p?endpoint=http://127.0.0.1:9000'), accessKeyId: 'test:tester', secretAccessKey: 'testing' }],
  [
    'sftp with a key',
    {
      ...parseTargetUrl('sftp://backup@nas:2222/~/docsight'),
      privateKey: 'KEY TEXT',
      privateKeyPassphrase: 'pp',
      hostKeyFingerprint: `${FINGERPRINT}=`,
    },
  ],
  ['sftp with a password', { ...parseTargetUrl('sftp://backup@nas/srv'), password: 'pw' }],
  ['webdav with a login', { ...parseTargetUrl('webdav+https://anna@cloud.example/dav'), password: 'app' }],
  ['webdav without a login', parseTargetUrl('webdav+http://127.0.0.1:8080/')],
];

describe('newTarget and connectionOf', () => {
  it.each(connections)('stores a %s connection and gives the same connection back after a save', (_label, connection) => {
    const target = newTarget(connection, { name: 'Offsite', now, retention: { keepLast: 5 } });
    expect(target).toMatchObject({
      name: 'Offsite',
      enabled: true,
      sealed: true,
      retention: { keepLast: 5 },
      createdAt: now.toISOString(),
    });
    const [read] = readTargets(targetsPatch([target], key), key).targets;
    const back = connectionOf(read!);
    const expected = { ...connection } as Record<string, unknown>;
    if (typeof expected.hostKeyFingerprint === 'string') expected.hostKeyFingerprint = FINGERPRINT;
    expect(back).toEqual(expected);
  });

  it.each([
    ['an S3 connection without its secret', { ...connections[0]![1], secretAccessKey: '' }, /secrets.secretAccessKey|needs secrets/],
    ['an SFTP connection without password or key', parseTargetUrl('sftp://u@h/x'), /password or a private key/],
    [
      'a recipient on a plain target',
      connections[4]![1],
      /sealed is false/,
      { sealed: false, recipient: 'age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p' },
    ],
    ['a name of 65 characters', connections[4]![1], /longer than 64/, { name: 'x'.repeat(65) }],
    ['a retention of 0 days', connections[4]![1], /keepDays must be at least 1/, { retention: { keepDays: 0 } }],
  ] as [string, TargetConnection, RegExp, object?][])('refuses %s with INVALID_ARGUMENT', (_label, connection, message, details = {}) => {
    let caught: unknown;
    try {
      newTarget(connection, { name: 'T', ...details });
    } catch (error) {
      caught = error;
    }
    expect(isLockerError(caught, 'INVALID_ARGUMENT')).toBe(true);
    expect((caught as Error).message).toMatch(message);
  });

  it('refuses to give the connection of a target whose secret did not decrypt', () => {
    const saved = targetsPatch([newTarget(connections[3]![1], { name: 'Cloud' })], key);
    const [read] = readTargets(saved, parseFernetKey(generateFernetKey())).targets;
    expect(() => connectionOf(read!)).toThrow(/password of "Cloud" cannot be decrypted/);
  });
});
