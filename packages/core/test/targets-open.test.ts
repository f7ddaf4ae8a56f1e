/**
 * openTarget end to end: target URLs as a user writes them, with credentials as the CLI reads them
 * from files, and stored targets read back from config.json, each opened and used against the real
 * servers on loopback (Debian's sshd, rclone serve webdav, OpenStack Swift with s3api).
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { startSshd, type StartedSshd } from '@evidence-locker/test-servers/sshd';
import { startSwift, type RunningSwift } from '@evidence-locker/test-servers/swift';
import { startWebdav, type RunningWebdav } from '@evidence-locker/test-servers/webdav';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateFernetKey, parseFernetKey } from '../src/config/fernet.ts';
import type { BackupTarget } from '../src/targets/backup-target.ts';
import { openTarget } from '../src/targets/open-target.ts';
import { probeTarget } from '../src/targets/probe-target.ts';
import type { SftpTarget } from '../src/targets/sftp-target.ts';
import type { SftpAddress } from '../src/targets/target-address.ts';
import { readTargets, targetsPatch, type TargetConfig } from '../src/targets/target-config.ts';
import { parseTargetUrl } from '../src/targets/target-url.ts';
import { lockerErrorOf } from './support/locker-error-of.ts';

let sshd: StartedSshd;
let webdav: RunningWebdav;
let swift: RunningSwift;
const opened: BackupTarget[] = [];
const NAME = 'docsight_backup_2026-03-01_030000.tar.gz';
const BYTES = Buffer.from('a backup, in a manner of speaking\n');

beforeAll(async () => {
  [sshd, webdav, swift] = await Promise.all([startSshd(), startWebdav(), startSwift()]);
}, 180_000);

afterAll(async () => {
  await Promise.all([sshd?.stop(), webdav?.stop(), swift?.stop()]);
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((target) => target.close()));
});

async function open(...args: Parameters<typeof openTarget>): Promise<BackupTarget> {
  const target = await openTarget(...args);
  opened.push(target);
  return target;
}

/** Uploads BYTES as NAME, reads it back, and returns the listing's names. */
async function roundTrip(target: BackupTarget): Promise<string[]> {
  await target.upload(NAME, Readable.from([BYTES]), { size: BYTES.length });
  const { stream } = await target.download(NAME);
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  expect(Buffer.concat(parts)).toEqual(BYTES);
  return (await target.list()).map((entry) => entry.name);
}

describe('openTarget', () => {
  it('opens an SFTP URL with a key: an unknown host key is refused with its fingerprint, accepted on request, then pinned', async () => {
    fs.mkdirSync(path.join(sshd.rootDir, 'pinned'));
    const address = parseTargetUrl(`sftp://root@127.0.0.1:${sshd.port}${sshd.rootDir}/pinned`);
    const unknown = await lockerErrorOf(probeTarget(await open({ ...address, privateKey: sshd.privateKey })));
    expect(unknown.code).toBe('TARGET_HOST_KEY_UNKNOWN');
    expect(unknown.details).toMatchObject({ fingerprint: sshd.hostKeyFingerprint });

    const accepted = (await open({ ...address, privateKey: sshd.privateKey }, { acceptHostKey: true })) as SftpTarget;
    await probeTarget(accepted);
    expect(accepted.hostKeyFingerprint()).toBe(sshd.hostKeyFingerprint);

    const pinned = await open({ ...address, privateKey: sshd.privateKey, hostKeyFingerprint: accepted.hostKeyFingerprint()! });
    expect(await roundTrip(pinned)).toEqual([NAME]);
    expect(fs.readFileSync(path.join(sshd.rootDir, 'pinned', NAME))).toEqual(BYTES);
  });

  it('opens a stored SFTP target with a password and a directory relative to the login directory (/~/DIR)', async () => {
    const user = sshd.passwordUser!;
    fs.mkdirSync(path.join(user.homeDir, 'copies'));
    fs.chownSync(path.join(user.homeDir, 'copies'), fs.statSync(user.homeDir).uid, fs.statSync(user.homeDir).gid);
    const address = parseTargetUrl(`sftp://${user.username}@127.0.0.1:${sshd.port}/~/copies`);
    expect(address).toMatchObject({ directory: 'copies' });
    const key = parseFernetKey(generateFernetKey());
    const stored: TargetConfig = {
      ...(address as Extract<TargetConfig, { kind: 'sftp' }>),
      id: randomUUID(),
      name: 'Storage box',
      enabled: true,
      sealed: true,
      retention: { keepLast: 3 },
      hostKeyFingerprint: sshd.hostKeyFingerprint,
      secrets: { password: user.password },
      createdAt: new Date().toISOString(),
    };
    const [target] = readTargets(targetsPatch([stored], key), key).targets;
    expect(await roundTrip(await open(target!))).toEqual([NAME]);
    expect(fs.readFileSync(path.join(user.homeDir, 'copies', NAME))).toEqual(BYTES);
  });

  it('opens a WebDAV URL with a user name and the password given apart', async () => {
    fs.mkdirSync(path.join(webdav.rootDir, 'dav copies'));
    const port = new URL(webdav.url).port;
    const address = parseTargetUrl(`webdav+http://${webdav.username}@127.0.0.1:${port}/dav%20copies`);
    expect(await roundTrip(await open({ ...address, password: webdav.password }))).toEqual([NAME]);
    expect(fs.readFileSync(path.join(webdav.rootDir, 'dav copies', NAME))).toEqual(BYTES);
    const refused = await lockerErrorOf(open({ ...address, password: 'wrong' }).then((target) => target.list()));
    expect(refused.code).toBe('TARGET_LOGIN_REFUSED');
  });

  it('opens an S3 URL with an endpoint, path-style by default, against Swift', async () => {
    const address = parseTargetUrl(`s3://${swift.bucket}/docsight/copies?endpoint=${swift.endpoint}`);
    expect(address).toMatchObject({ pathStyle: true, region: 'us-east-1', prefix: 'docsight/copies' });
    const target = await open({ ...address, accessKeyId: swift.accessKeyId, secretAccessKey: swift.secretAccessKey });
    expect(await roundTrip(target)).toEqual([NAME]);
    await probeTarget(target);
    await target.delete(NAME);
    expect(await target.list()).toEqual([]);
  });

  it('refuses a stored target whose secret does not decrypt, naming what to enter again', async () => {
    const stored: TargetConfig = {
      kind: 'webdav',
      url: webdav.url,
      id: randomUUID(),
      name: 'Old key',
      enabled: true,
      sealed: true,
      retention: {},
      secrets: { password: webdav.password },
      createdAt: new Date().toISOString(),
    };
    const [target] = readTargets(targetsPatch([stored], parseFernetKey(generateFernetKey())), parseFernetKey(generateFernetKey())).targets;
    const error = await lockerErrorOf(openTarget(target!));
    expect(error.code).toBe('SECRET_UNDECRYPTABLE');
    expect(error.message).toMatch(/password of "Old key" cannot be decrypted.*enter it again/);
  });

  it('refuses missing credentials and a malformed address before connecting', async () => {
    const s3 = parseTargetUrl('s3://bkt?endpoint=http://127.0.0.1:9');
    expect((await lockerErrorOf(openTarget({ ...s3, accessKeyId: 'k' }))).message).toMatch(
      /needs an access key id and its secret access key/,
    );
    const sftp = parseTargetUrl('sftp://u@127.0.0.1:9/x') as SftpAddress;
    const noLogin = await lockerErrorOf(openTarget(sftp));
    expect(noLogin.code).toBe('INVALID_ARGUMENT');
    expect(noLogin.message).toMatch(/sftp:\/\/u@127.0.0.1:9\/x: An SFTP target needs a password or a private key/);
    const badPort = await lockerErrorOf(openTarget({ ...sftp, port: 0, password: 'p' }));
    expect(badPort.code).toBe('TARGET_URL_INVALID');
    expect(badPort.message).toMatch(/port 0/);
  });
});
