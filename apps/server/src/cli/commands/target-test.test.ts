/**
 * `locker target test --accept-host-key` pins the key a server presented on the target as
 * config.json holds it after the probe: never on a target that was removed or moved to another
 * server meanwhile (pinHostKey; the command itself is run against a real sshd in cli-targets.test.ts).
 */
import { describe, expect, it } from 'vitest';
import type { TargetConfig } from '@evidence-locker/core';
import { pinHostKey } from './target-test.ts';

const OLD_KEY = `SHA256:${'A'.repeat(43)}`;
const NEW_KEY = `SHA256:${'B'.repeat(43)}`;

type SftpTarget = Extract<TargetConfig, { kind: 'sftp' }>;

function sftp(id: string, host: string, port = 22): SftpTarget {
  return {
    id,
    name: `NAS ${id}`,
    kind: 'sftp',
    host,
    port,
    username: 'backup',
    directory: '/backups',
    enabled: true,
    sealed: false,
    retention: {},
    createdAt: '2026-12-05T12:00:00.000Z',
    hostKeyFingerprint: OLD_KEY,
    secrets: { password: 'secret' },
  };
}

describe('pinHostKey', () => {
  it('pins the presented key on the probed target, leaving the others as they are', () => {
    const probed = sftp('a', 'nas.local');
    const other = sftp('b', 'other.local');
    const pinned = pinHostKey([probed, other], probed, NEW_KEY);
    expect(pinned).toEqual([{ ...probed, hostKeyFingerprint: NEW_KEY }, other]);
    expect(probed.hostKeyFingerprint).toBe(OLD_KEY);
  });

  it('pins nothing on a target removed, or moved to another host or port, while it was tested', () => {
    const probed = sftp('a', 'nas.local');
    expect(pinHostKey([sftp('b', 'other.local')], probed, NEW_KEY)).toBeNull();
    expect(pinHostKey([sftp('a', 'new-nas.local')], probed, NEW_KEY)).toBeNull();
    expect(pinHostKey([sftp('a', 'nas.local', 2222)], probed, NEW_KEY)).toBeNull();
  });
});
