import { describe, expect, it } from 'vitest';
import { isLockerError } from '../errors.ts';
import type { TargetAddress } from './target-address.ts';
import { formatTargetUrl, parseTargetUrl } from './target-url.ts';

const good: [string, TargetAddress, string?][] = [
  // SFTP: absolute directory after the host, port 22 by default
  ['sftp://backup@nas.local/backups', { kind: 'sftp', host: 'nas.local', port: 22, username: 'backup', directory: '/backups' }],
  ['sftp://u@h:2222/srv/docsight', { kind: 'sftp', host: 'h', port: 2222, username: 'u', directory: '/srv/docsight' }],
  ['sftp://u@h:22/x', { kind: 'sftp', host: 'h', port: 22, username: 'u', directory: '/x' }, 'sftp://u@h/x'],
  // restic's absolute form (double slash) means the same directory
  [
    'sftp://u@h:2222//srv/restic',
    { kind: 'sftp', host: 'h', port: 2222, username: 'u', directory: '/srv/restic' },
    'sftp://u@h:2222/srv/restic',
  ],
  ['sftp://u@h/', { kind: 'sftp', host: 'h', port: 22, username: 'u', directory: '/' }],
  ['sftp://u@h/backups/', { kind: 'sftp', host: 'h', port: 22, username: 'u', directory: '/backups' }, 'sftp://u@h/backups'],
  // relative to the login directory
  ['sftp://u@h/~/backups', { kind: 'sftp', host: 'h', port: 22, username: 'u', directory: 'backups' }],
  ['sftp://u@h/~', { kind: 'sftp', host: 'h', port: 22, username: 'u', directory: '.' }],
  ['sftp://u@h/~/', { kind: 'sftp', host: 'h', port: 22, username: 'u', directory: '.' }, 'sftp://u@h/~'],
  // a directory literally named ~ at the root stays absolute
  ['sftp://u@h/%7E/x', { kind: 'sftp', host: 'h', port: 22, username: 'u', directory: '/~/x' }],
  ['sftp://u@[::1]:2222/b', { kind: 'sftp', host: '::1', port: 2222, username: 'u', directory: '/b' }],
  ['sftp://u@127.0.0.1:65535/b', { kind: 'sftp', host: '127.0.0.1', port: 65535, username: 'u', directory: '/b' }],
  ['sftp://user%40domain@h/my%20backups', { kind: 'sftp', host: 'h', port: 22, username: 'user@domain', directory: '/my backups' }],
  ['SFTP://u@h/b', { kind: 'sftp', host: 'h', port: 22, username: 'u', directory: '/b' }, 'sftp://u@h/b'],
  ['sftp://u@storage_box/b', { kind: 'sftp', host: 'storage_box', port: 22, username: 'u', directory: '/b' }],
  // S3: AWS when no endpoint (virtual-hosted), path-style by default with one
  ['s3://my-bucket', { kind: 's3', bucket: 'my-bucket', prefix: '', region: 'us-east-1', pathStyle: false }],
  ['s3://my-bucket/', { kind: 's3', bucket: 'my-bucket', prefix: '', region: 'us-east-1', pathStyle: false }, 's3://my-bucket'],
  [
    's3://b.example/docsight/backups',
    { kind: 's3', bucket: 'b.example', prefix: 'docsight/backups', region: 'us-east-1', pathStyle: false },
  ],
  [
    's3://bkt/p/?region=eu-central-1',
    { kind: 's3', bucket: 'bkt', prefix: 'p', region: 'eu-central-1', pathStyle: false },
    's3://bkt/p?region=eu-central-1',
  ],
  [
    's3://bkt/p?endpoint=http://127.0.0.1:9000',
    { kind: 's3', bucket: 'bkt', prefix: 'p', region: 'us-east-1', endpoint: 'http://127.0.0.1:9000', pathStyle: true },
  ],
  [
    's3://bkt?endpoint=https%3A%2F%2Fs3.eu-central-003.backblazeb2.com%2F&region=eu-central-003&path-style=false',
    {
      kind: 's3',
      bucket: 'bkt',
      prefix: '',
      region: 'eu-central-003',
      endpoint: 'https://s3.eu-central-003.backblazeb2.com',
      pathStyle: false,
    },
    's3://bkt?endpoint=https://s3.eu-central-003.backblazeb2.com&region=eu-central-003&path-style=false',
  ],
  [
    's3://bkt?path-style=true&region=auto&endpoint=https://acc.r2.cloudflarestorage.com',
    { kind: 's3', bucket: 'bkt', prefix: '', region: 'auto', endpoint: 'https://acc.r2.cloudflarestorage.com', pathStyle: true },
    's3://bkt?endpoint=https://acc.r2.cloudflarestorage.com&region=auto',
  ],
  ['s3://bkt?path-style=true', { kind: 's3', bucket: 'bkt', prefix: '', region: 'us-east-1', pathStyle: true }],
  [
    's3://bkt/a%20b?endpoint=http://[::1]:8080/s3/',
    { kind: 's3', bucket: 'bkt', prefix: 'a b', region: 'us-east-1', endpoint: 'http://[::1]:8080/s3', pathStyle: true },
    's3://bkt/a%20b?endpoint=http://%5B::1%5D:8080/s3',
  ],
  ['s3://Legacy_Bucket', { kind: 's3', bucket: 'Legacy_Bucket', prefix: '', region: 'us-east-1', pathStyle: false }],
  // WebDAV: the folder's URL, with the trailing slash
  [
    'webdav+https://cloud.example.org/remote.php/dav/files/anna/Backups',
    { kind: 'webdav', url: 'https://cloud.example.org/remote.php/dav/files/anna/Backups/' },
    'webdav+https://cloud.example.org/remote.php/dav/files/anna/Backups/',
  ],
  ['webdav+http://127.0.0.1:8080/dav/', { kind: 'webdav', url: 'http://127.0.0.1:8080/dav/' }],
  [
    'webdav+https://anna@box.example:443/',
    { kind: 'webdav', url: 'https://box.example/', username: 'anna' },
    'webdav+https://anna@box.example/',
  ],
  ['webdav+https://h', { kind: 'webdav', url: 'https://h/' }, 'webdav+https://h/'],
  ['webdav+http://u@[::1]:81/a%20b', { kind: 'webdav', url: 'http://[::1]:81/a%20b/', username: 'u' }, 'webdav+http://u@[::1]:81/a%20b/'],
  ['WebDAV+HTTPS://H.example/x', { kind: 'webdav', url: 'https://h.example/x/' }, 'webdav+https://h.example/x/'],
];

describe('parseTargetUrl', () => {
  it.each(good)('reads %s', (url, address, formatted) => {
    expect(parseTargetUrl(url)).toEqual(address);
    expect(formatTargetUrl(address)).toBe(formatted ?? url);
  });

  it.each(good)('formats what it read back to the same address: %s', (url) => {
    const address = parseTargetUrl(url);
    expect(parseTargetUrl(formatTargetUrl(address))).toEqual(address);
  });

  const bad: [string, RegExp][] = [
    ['', /empty/],
    ['nas.local:/backups', /does not start with sftp:\/\//],
    ['ftp://u@h/x', /"ftp:\/\/" is not a kind of target/],
    ['ssh://u@h/x', /use sftp:\/\//],
    ['webdav://h/x', /webdav\+https:\/\/ or webdav\+http:\/\//],
    ['davs://h/x', /use webdav\+https/],
    ['https://h/x', /webdav\+https/],
    ['sftp:u@h:/srv/x', /restic's sftp:user@host:\/dir is sftp:\/\/user@host\/dir/],
    ['sftp://u:secret@h/x', /password.*--password-file/],
    ['sftp://u:se/cret@h/x', /password/],
    ['webdav+https://u:p@h/x', /password/],
    ['s3://KEY:SECRET@bkt', /password/],
    ['s3://AKIA@bkt', /no user part.*--access-key-id/],
    ['sftp://h/x', /user name is missing/],
    ['sftp://@h/x', /user name is missing/],
    ['sftp://u@/x', /host is missing/],
    ['sftp://u@h', /directory is missing/],
    ['sftp://u@h:0/x', /port 0 is not/],
    ['sftp://u@h:65536/x', /port 65536 is not/],
    ['sftp://u@h:22x/x', /port "22x"/],
    ['sftp://u@h:/x', /port ""/],
    ['sftp://u@h/a/../b', /\. or \.\. segment/],
    ['sftp://u@h/a/%2E%2E/b', /\. or \.\. segment/],
    ['sftp://u@h/a//b', /empty segment/],
    ['sftp://u@h/x?fingerprint=1', /no \?query/],
    ['sftp://u@h/x#frag', /fragment/],
    ['sftp://u@h/x%ZZ', /broken %-escape/],
    ['sftp://u@h/x\u0000y', /control character \(\\x00\) at position 13/],
    ['sftp://u@h/x\ny', /control character \(\\x0a\)/],
    ['sftp://u@h/my backups', /space/],
    ['sftp://u@bad..host/x', /not a host name/],
    ['sftp://u@[::1/x', /never closes/],
    ['sftp://u@[fe80::zz]/x', /not an IPv6 address/],
    ['sftp://u@[::1]x/x', /Unexpected "x"/],
    ['sftp://u%00@h/x', /user name holds a control character/],
    ['s3://', /bucket is missing/],
    ['s3:///prefix', /bucket is missing/],
    ['s3://ab', /not a bucket name/],
    ['s3://-bucket', /not a bucket name/],
    ['s3://b..x', /not a bucket name/],
    ['s3://bkt:9000/p', /no port/],
    ['s3://bkt/a//b', /empty segment/],
    ['s3://bkt/../b', /\. or \.\. segment/],
    ['s3://bkt?bucket=x', /"bucket" is not an S3 address setting/],
    ['s3://bkt?region', /region has no value/],
    ['s3://bkt?region=a&region=b', /region is given twice/],
    ['s3://bkt?region=eu%20west', /not a region name/],
    ['s3://bkt?path-style=yes', /path-style=true or path-style=false/],
    ['s3://bkt?endpoint=minio.local:9000', /must start with https:\/\/ or http:\/\//],
    ['s3://bkt?endpoint=ftp://h', /must start with https:\/\//],
    ['s3://bkt?endpoint=http://', /is not a URL|no valid host/],
    ['s3://bkt?endpoint=http://k%3As@h', /credentials never go/],
    ['s3://bkt?endpoint=http://h/%3Fx%3D1', /query/],
    ['webdav+https:///x', /host is missing/],
    ['webdav+https://h/x?y=1', /no \?query/],
    ['webdav+https://h/a\\b', /backslash/],
    ['webdav+https://h:99999/x', /port 99999/],
  ];

  it.each(bad)('refuses %j with TARGET_URL_INVALID', (url, message) => {
    let caught: unknown;
    try {
      parseTargetUrl(url);
    } catch (error) {
      caught = error;
    }
    expect(isLockerError(caught, 'TARGET_URL_INVALID')).toBe(true);
    expect((caught as Error).message).toMatch(message);
  });

  it('never shows a password in the message or details', () => {
    for (const url of ['sftp://anna:hunter2@nas/x', 'sftp://anna:hun/ter2@nas/x', 'webdav+https://a:hunter2@h/', 's3://k:hunter2@b']) {
      let caught: unknown;
      try {
        parseTargetUrl(url);
      } catch (error) {
        caught = error;
      }
      expect(isLockerError(caught, 'TARGET_URL_INVALID')).toBe(true);
      expect(JSON.stringify({ message: (caught as Error).message, details: (caught as { details: unknown }).details })).not.toMatch(
        /hunter2|hun\/ter2/,
      );
    }
  });
});
