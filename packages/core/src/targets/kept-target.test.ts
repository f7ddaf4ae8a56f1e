import { describe, expect, it } from 'vitest';
import { newTarget } from './target-connection.ts';
import { planKeptTarget, targetAddressKey } from './kept-target.ts';
import type { TargetConfig } from './target-config.ts';

const SEALED_COPY = 'docsight_backup_2026-01-02_030405.tar.gz.age';
const PLAIN_COPY = 'docsight_backup_2026-01-02_030405.tar.gz';

function sftp(name: string, extra: { host?: string; directory?: string; sealed?: boolean; recipient?: string } = {}): TargetConfig {
  return newTarget(
    { kind: 'sftp', host: extra.host ?? 'nas.lan', port: 22, username: 'backup', directory: extra.directory ?? '/copies', password: 'pw' },
    { name, sealed: extra.sealed ?? true, ...(extra.recipient === undefined ? {} : { recipient: extra.recipient }) },
  );
}

describe('planKeptTarget', () => {
  it('keeps a target already at the same address (case aside) and adds nothing', () => {
    const there = sftp('NAS', { host: 'NAS.lan' });
    const plan = planKeptTarget([there], sftp('Offsite nas.lan'), PLAIN_COPY, false);
    expect(plan).toEqual({ kind: 'already', target: there });
    expect(targetAddressKey(there)).toBe(targetAddressKey(sftp('x')));
  });

  it('adds a sealing target when the restored instance has a key, plain when it has none and the copy was plain', () => {
    const wanted = sftp('Offsite nas.lan');
    const keyed = planKeptTarget([], wanted, SEALED_COPY, true);
    expect(keyed.kind === 'add' && keyed.target.sealed).toBe(true);
    const plain = planKeptTarget([], wanted, PLAIN_COPY, false);
    expect(plain.kind === 'add' && plain.target.sealed).toBe(false);
  });

  it('refuses to follow a sealed copy with plain ones, unless the target seals to its own recipient', () => {
    expect(planKeptTarget([], sftp('Offsite'), SEALED_COPY, false).kind).toBe('refused');
    const recipient = 'age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p';
    const own = planKeptTarget([], sftp('Offsite', { recipient }), SEALED_COPY, false);
    expect(own.kind === 'add' && own.target.sealed && own.target.recipient === recipient).toBe(true);
  });

  it('gives a taken name a number and a taken id a new one, keeping the others', () => {
    const first = sftp('Offsite nas.lan', { directory: '/a' });
    const second = sftp('offsite NAS.lan (2)', { directory: '/b' });
    const wanted = { ...sftp('Offsite nas.lan', { directory: '/c' }), id: first.id };
    const plan = planKeptTarget([first, second], wanted, PLAIN_COPY, true);
    if (plan.kind !== 'add') throw new Error(`expected add, got ${plan.kind}`);
    expect(plan.target.name).toBe('Offsite nas.lan (3)');
    expect(plan.target.id).not.toBe(first.id);
    expect(plan.targets).toEqual([first, second, plan.target]);
  });
});
