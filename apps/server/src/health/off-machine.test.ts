import os from 'node:os';
import type { TargetAddress } from '@evidence-locker/core';
import { describe, expect, it } from 'vitest';
import { isDirectoryOffMachine, isTargetOffMachine, targetHost } from './off-machine.ts';

const machine = { hostName: 'homelab', addresses: ['127.0.0.1', '192.168.1.20', 'fe80::1'] };
const sftp = (host: string): TargetAddress => ({ kind: 'sftp', host, port: 22, username: 'backup', directory: 'backups' });
const s3 = (endpoint?: string): TargetAddress => ({
  kind: 's3',
  bucket: 'evidence',
  prefix: '',
  region: 'us-east-1',
  pathStyle: endpoint !== undefined,
  ...(endpoint === undefined ? {} : { endpoint }),
});
const webdav = (url: string): TargetAddress => ({ kind: 'webdav', url });

describe('isTargetOffMachine', () => {
  it('counts a target on a loopback address, localhost, this machine’s name or one of its addresses as on this machine', () => {
    for (const address of [
      sftp('127.0.0.1'),
      sftp('127.8.0.3'),
      sftp('::1'),
      sftp('LOCALHOST'),
      sftp('nas.localhost'),
      sftp('homelab'),
      sftp('homelab.fritz.box'),
      sftp('192.168.1.20'),
      s3('http://localhost:9000'),
      webdav('https://[::1]:8443/dav/'),
      webdav('http://192.168.1.20/remote.php/dav/'),
    ]) {
      expect(isTargetOffMachine(address, machine), JSON.stringify(address)).toBe(false);
    }
  });

  it('counts any other host, and AWS (an S3 target without an endpoint), as off this machine', () => {
    for (const address of [
      sftp('nas.fritz.box'),
      sftp('192.168.1.30'),
      s3(),
      s3('https://s3.eu-central-1.wasabisys.com'),
      webdav('https://cloud.example.org/dav/'),
    ]) {
      expect(isTargetOffMachine(address, machine), JSON.stringify(address)).toBe(true);
    }
  });

  it('reads the host out of every kind of address', () => {
    expect(targetHost(sftp('NAS.lan'))).toBe('nas.lan');
    expect(targetHost(s3())).toBeNull();
    expect(targetHost(s3('http://minio.lan:9000'))).toBe('minio.lan');
    expect(targetHost(webdav('https://[fd00::5]/dav/'))).toBe('fd00::5');
  });
});

describe('isDirectoryOffMachine', () => {
  it('says a local directory is on this machine, and one it cannot read too', async () => {
    expect(await isDirectoryOffMachine(os.tmpdir())).toBe(false);
    expect(await isDirectoryOffMachine('/no/such/directory/here')).toBe(false);
  });
});
