/**
 * The SFTP target against a real OpenSSH sshd on loopback (Debian's openssh-server, started once
 * for the file): key and password logins, host key pinning, every failure a user can meet, and a
 * 200 MB transfer each way with the test process's memory measured. The server's directories are
 * local here, so what landed (or did not) is checked on disk, not through the target itself.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { startSshd, type StartedSshd } from '@evidence-locker/test-servers/sshd';
import { freePort } from '@evidence-locker/test-servers/free-port';
import { mountTmpfs, unmountTmpfs } from '@evidence-locker/test-servers/tmpfs';
import { utils } from 'ssh2';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TARGET_TEMP_PREFIX } from '../src/targets/backup-target.ts';
import { probeTarget } from '../src/targets/probe-target.ts';
import { createSftpTarget, type SftpTarget, type SftpTargetOptions } from '../src/targets/sftp-target.ts';
import { lockerErrorOf } from './support/locker-error-of.ts';

const MiB = 1024 * 1024;
let sshd: StartedSshd;
let workDir: string;
let sourceFile: string;
let sourceHash: string;
const targets: SftpTarget[] = [];
const mounts: string[] = [];

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A fresh remote directory under the server's root, owned by `owner` (default root). */
function remoteDir(name: string, owner?: string): string {
  const dir = path.join(sshd.rootDir, name);
  fs.mkdirSync(dir, { recursive: true });
  if (owner !== undefined) execFileSync('chown', [`${owner}:`, dir]);
  return dir;
}

function keyTarget(directory: string, overrides: Partial<SftpTargetOptions> = {}): SftpTarget {
  const target = createSftpTarget({
    host: sshd.host,
    port: sshd.port,
    username: sshd.user,
    privateKey: sshd.privateKey,
    directory,
    hostKey: { fingerprint: sshd.hostKeyFingerprint },
    ...overrides,
  });
  targets.push(target);
  return target;
}

function passwordTarget(directory: string, password = sshd.passwordUser!.password): SftpTarget {
  const target = createSftpTarget({
    host: sshd.host,
    port: sshd.port,
    username: sshd.passwordUser!.username,
    password,
    directory,
    hostKey: { fingerprint: sshd.hostKeyFingerprint },
  });
  targets.push(target);
  return target;
}

/** Files in `dir` on the server's disk. */
function onDisk(dir: string): string[] {
  return fs.readdirSync(dir).sort();
}

async function collect(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

/** A stream of `total` random bytes that yields 64 KiB every `intervalMs` (a slow link). */
function throttled(total: number, intervalMs: number): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= total) {
        this.push(null);
        return;
      }
      setTimeout(() => {
        const chunk = randomBytes(Math.min(64 * 1024, total - sent));
        sent += chunk.length;
        this.push(chunk);
      }, intervalMs);
    },
  });
}

/** Round trip of the 20 MB source through `target`, checked on the server's disk too. */
async function roundTrip(target: SftpTarget, dir: string): Promise<void> {
  const name = `backup-${randomBytes(4).toString('hex')}.tar.gz`;
  const size = fs.statSync(sourceFile).size;
  const entry = await target.upload(name, fs.createReadStream(sourceFile), { size });
  expect(entry).toMatchObject({ name, size });
  expect(onDisk(dir)).toEqual([name]);
  expect((await target.list()).map((listed) => [listed.name, listed.size])).toEqual([[name, size]]);
  expect(await target.stat(name)).toMatchObject({ name, size });
  expect(await target.stat('absent.tar.gz')).toBeNull();
  const { stream, size: downloadSize } = await target.download(name);
  expect(downloadSize).toBe(size);
  expect(sha256(await collect(stream))).toBe(sourceHash);
}

beforeAll(async () => {
  sshd = await startSshd();
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'locker-sftp-test-'));
  sourceFile = path.join(workDir, 'source.bin');
  const source = randomBytes(20 * MiB);
  fs.writeFileSync(sourceFile, source);
  sourceHash = sha256(source);
});

afterEach(async () => {
  await Promise.all(targets.splice(0).map((target) => target.close()));
});

afterAll(async () => {
  for (const dir of mounts.splice(0)) unmountTmpfs(dir);
  await sshd?.stop();
  if (workDir !== undefined) fs.rmSync(workDir, { recursive: true, force: true });
});

describe('SFTP target against a real sshd', () => {
  it('round-trips 20 MB with a key login (root), leaving no temp file', async () => {
    const dir = remoteDir('key');
    const target = keyTarget(dir);
    expect(target.location).toBe(`sftp://root@127.0.0.1:${sshd.port}${dir}`);
    await roundTrip(target, dir);
    expect(onDisk(dir).filter((name) => name.startsWith(TARGET_TEMP_PREFIX))).toEqual([]);
    expect(target.negotiatedCipher()).toMatch(/gcm|chacha20|ctr/);
  });

  it('round-trips 20 MB with a password login (a system user)', async () => {
    const dir = remoteDir('password', sshd.passwordUser!.username);
    await roundTrip(passwordTarget(dir), dir);
  });

  it('refuses a name already taken and leaves the stored copy as it was', async () => {
    const dir = remoteDir('taken');
    fs.writeFileSync(path.join(dir, 'backup.tar.gz'), 'the first copy');
    const target = keyTarget(dir);
    const error = await lockerErrorOf(target.upload('backup.tar.gz', Readable.from([Buffer.from('another copy')]), { size: 12 }));
    expect(error.code).toBe('TARGET_NAME_TAKEN');
    expect(fs.readFileSync(path.join(dir, 'backup.tar.gz'), 'utf8')).toBe('the first copy');
    expect(onDisk(dir)).toEqual(['backup.tar.gz']);
  });

  it('refuses a name taken during the upload: the rename never replaces the copy that appeared', async () => {
    const dir = remoteDir('taken-during');
    const target = keyTarget(dir);
    let appeared = false;
    const upload = target.upload('backup.tar.gz', throttled(2 * MiB, 1), {
      size: 2 * MiB,
      onBytes: () => {
        if (appeared) return;
        appeared = true;
        fs.writeFileSync(path.join(dir, 'backup.tar.gz'), 'written by someone else');
      },
    });
    const error = await lockerErrorOf(upload);
    expect(error.code, error.message).toBe('TARGET_NAME_TAKEN');
    expect(error.message).toContain('appeared during the upload');
    expect(fs.readFileSync(path.join(dir, 'backup.tar.gz'), 'utf8')).toBe('written by someone else');
    expect(onDisk(dir)).toEqual(['backup.tar.gz']);
  });

  it('refuses a stream that holds another size than announced, leaving nothing', async () => {
    const dir = remoteDir('mismatch');
    const target = keyTarget(dir);
    const short = await lockerErrorOf(target.upload('short.tar.gz', Readable.from([Buffer.alloc(100)]), { size: 200 }));
    expect(short.code).toBe('TARGET_UPLOAD_MISMATCH');
    const long = await lockerErrorOf(target.upload('long.tar.gz', Readable.from([Buffer.alloc(300)]), { size: 200 }));
    expect(long.code).toBe('TARGET_UPLOAD_MISMATCH');
    expect(onDisk(dir)).toEqual([]);
  });

  it('passes Test connection (probeTarget) and removes its probe file', async () => {
    const dir = remoteDir('probe');
    fs.writeFileSync(path.join(dir, 'existing.tar.gz'), 'x');
    const result = await probeTarget(keyTarget(dir));
    expect(result.entries).toBe(1);
    expect(onDisk(dir)).toEqual(['existing.tar.gz']);
  });

  it('refuses a server seen for the first time with its fingerprint as ssh-keygen prints it, and works once accepted', async () => {
    const dir = remoteDir('first-contact');
    const unpinned = keyTarget(dir, { hostKey: {} });
    const error = await lockerErrorOf(unpinned.list());
    expect(error.code).toBe('TARGET_HOST_KEY_UNKNOWN');
    expect(error.details?.fingerprint).toBe(sshd.hostKeyFingerprint);
    expect(error.message).toContain(sshd.hostKeyFingerprint);
    expect(unpinned.hostKeyFingerprint()).toBe(sshd.hostKeyFingerprint);
    expect(await keyTarget(dir, { hostKey: { acceptUnknown: true } }).list()).toEqual([]);
    expect(await keyTarget(dir).list()).toEqual([]);
  });

  it('refuses a wrong password and an unknown key with TARGET_LOGIN_REFUSED', async () => {
    const dir = remoteDir('password', sshd.passwordUser!.username);
    expect((await lockerErrorOf(passwordTarget(dir, 'not-the-password').list())).code).toBe('TARGET_LOGIN_REFUSED');
    const otherKey = utils.generateKeyPairSync('ed25519').private;
    expect((await lockerErrorOf(keyTarget(dir, { privateKey: otherKey }).list())).code).toBe('TARGET_LOGIN_REFUSED');
  });

  it('says TARGET_LOCATION_MISSING for a directory that does not exist', async () => {
    const target = keyTarget(path.join(sshd.rootDir, 'no-such-dir'));
    expect((await lockerErrorOf(target.list())).code).toBe('TARGET_LOCATION_MISSING');
    const upload = await lockerErrorOf(target.upload('b.tar.gz', Readable.from([Buffer.alloc(10)]), { size: 10 }));
    expect(upload.code).toBe('TARGET_LOCATION_MISSING');
    expect(fs.existsSync(path.join(sshd.rootDir, 'no-such-dir'))).toBe(false);
  });

  it('says TARGET_OBJECT_MISSING for a download of a backup that is not there', async () => {
    const target = keyTarget(remoteDir('empty'));
    expect((await lockerErrorOf(target.download('gone.tar.gz'))).code).toBe('TARGET_OBJECT_MISSING');
    await target.delete('gone.tar.gz');
  });

  it('says TARGET_WRITE_DENIED where the password user may read but not write', async () => {
    const dir = remoteDir('read-only');
    fs.chmodSync(dir, 0o755);
    const target = passwordTarget(dir);
    expect(await target.list()).toEqual([]);
    const error = await lockerErrorOf(target.upload('b.tar.gz', Readable.from([Buffer.alloc(10)]), { size: 10 }));
    expect(error.code).toBe('TARGET_WRITE_DENIED');
    expect(onDisk(dir)).toEqual([]);
  });

  it('says TARGET_FULL when the remote disk fills up, leaving neither the final name nor the temp file', async () => {
    const dir = remoteDir('small-disk');
    mountTmpfs(dir, '8m');
    mounts.push(dir);
    const target = keyTarget(dir);
    const size = fs.statSync(sourceFile).size;
    const error = await lockerErrorOf(target.upload('big.tar.gz', fs.createReadStream(sourceFile), { size }));
    expect(error.code, error.message).toBe('TARGET_FULL');
    expect(onDisk(dir)).toEqual([]);
    // The connection survives: a copy that fits still goes through.
    await target.upload('small.tar.gz', Readable.from([Buffer.alloc(1000)]), { size: 1000 });
    expect(onDisk(dir)).toEqual(['small.tar.gz']);
  });

  it('says TARGET_UNREACHABLE when nothing listens on the port', async () => {
    const target = keyTarget(remoteDir('unreachable'), { port: await freePort() });
    expect((await lockerErrorOf(target.list())).code).toBe('TARGET_UNREACHABLE');
  });

  it('cancels a slow upload with CANCELLED and removes its temp file', async () => {
    const dir = remoteDir('cancel');
    const target = keyTarget(dir);
    const controller = new AbortController();
    const upload = target.upload('slow.tar.gz', throttled(50 * MiB, 10), {
      size: 50 * MiB,
      signal: controller.signal,
      onBytes: (bytes) => {
        if (bytes >= 512 * 1024) controller.abort();
      },
    });
    expect((await lockerErrorOf(upload)).code).toBe('CANCELLED');
    expect(onDisk(dir)).toEqual([]);
    expect(await target.list()).toEqual([]);
  });

  it('cancels a download with CANCELLED on its stream, and the target stays usable', async () => {
    const dir = remoteDir('cancel-download');
    fs.copyFileSync(sourceFile, path.join(dir, 'copy.tar.gz'));
    const target = keyTarget(dir);
    const controller = new AbortController();
    const { stream } = await target.download('copy.tar.gz', {
      signal: controller.signal,
      onBytes: () => controller.abort(),
    });
    const error = await lockerErrorOf(collect(stream));
    expect(error.code).toBe('CANCELLED');
    expect((await target.list()).map((entry) => entry.name)).toEqual(['copy.tar.gz']);
  });

  it('streams 200 MB up and down with flat memory (figures in the log)', async () => {
    const dir = remoteDir('large');
    const target = keyTarget(dir);
    const size = 200 * MiB;
    const block = randomBytes(MiB);
    const sent = createHash('sha256');
    const source = Readable.from(
      (function* () {
        for (let index = 0; index < 200; index += 1) {
          const chunk = Buffer.from(block);
          chunk.writeUInt32BE(index, 0);
          sent.update(chunk);
          yield chunk;
        }
      })(),
    );
    global.gc?.();
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    try {
      let started = performance.now();
      await target.upload('large.tar.gz', source, { size });
      const uploadSeconds = (performance.now() - started) / 1000;
      const uploadPeak = peak - baseline;
      expect(fs.statSync(path.join(dir, 'large.tar.gz')).size).toBe(size);

      peak = process.memoryUsage().rss;
      const downloadBaseline = peak;
      started = performance.now();
      const { stream } = await target.download('large.tar.gz');
      const received = createHash('sha256');
      for await (const part of stream) received.update(part as Buffer);
      const downloadSeconds = (performance.now() - started) / 1000;
      expect(received.digest('hex')).toBe(sent.digest('hex'));
      const downloadPeak = peak - downloadBaseline;
      console.log(
        `[sftp 200 MB] cipher ${target.negotiatedCipher()}; upload ${(200 / uploadSeconds).toFixed(1)} MB/s ` +
          `(${uploadSeconds.toFixed(2)} s, RSS +${(uploadPeak / MiB).toFixed(1)} MiB); download ${(200 / downloadSeconds).toFixed(1)} MB/s ` +
          `(${downloadSeconds.toFixed(2)} s, RSS +${(downloadPeak / MiB).toFixed(1)} MiB)`,
      );
      expect(uploadPeak).toBeLessThan(64 * MiB);
      expect(downloadPeak).toBeLessThan(64 * MiB);
    } finally {
      clearInterval(sampler);
    }
  }, 240_000);

  // These two restart or kill the server: they run last.
  it('refuses a changed host key with TARGET_HOST_KEY_CHANGED and sends nothing', async () => {
    const dir = remoteDir('changed-key');
    const accepted = sshd.hostKeyFingerprint;
    const presented = await sshd.regenerateHostKey();
    expect(presented).not.toBe(accepted);
    const target = keyTarget(dir, { hostKey: { fingerprint: accepted } });
    const error = await lockerErrorOf(target.upload('b.tar.gz', Readable.from([Buffer.alloc(10)]), { size: 10 }));
    expect(error.code).toBe('TARGET_HOST_KEY_CHANGED');
    expect(error.details).toMatchObject({ expected: accepted, presented });
    expect(onDisk(dir)).toEqual([]);
    // Accepted again by its new fingerprint, it works.
    await keyTarget(dir).upload('b.tar.gz', Readable.from([Buffer.alloc(10)]), { size: 10 });
    expect(onDisk(dir)).toEqual(['b.tar.gz']);
  });

  it('fails with a TARGET_ error when the server is killed mid-upload, with nothing under the final name', async () => {
    const dir = remoteDir('killed');
    const target = keyTarget(dir);
    await target.list();
    let killed = false;
    const upload = target.upload('killed.tar.gz', throttled(50 * MiB, 5), {
      size: 50 * MiB,
      onBytes: (bytes) => {
        if (killed || bytes < 2 * MiB) return;
        killed = true;
        // The per-connection processes first (deepest last in the list, so reversed), then the listener.
        for (const pid of [...sshd.connectionPids().reverse(), sshd.pid()]) process.kill(pid, 'SIGKILL');
      },
    });
    const error = await lockerErrorOf(upload);
    expect(killed).toBe(true);
    expect(error.code, error.message).toMatch(/^TARGET_/);
    expect(error.code).toBe('TARGET_UNREACHABLE');
    expect(onDisk(dir).filter((name) => !name.startsWith(TARGET_TEMP_PREFIX))).toEqual([]);
  });
});
