import { describe, expect, it } from 'vitest';
import { canonicalHostName, hostOfHeader, hostRefusal, type HostRules } from './host-refusal.ts';

const rules = (allowedHosts: string[] = [], localAddresses: string[] = ['192.0.2.2', 'fe80::1']): HostRules => ({
  allowedHosts,
  localAddresses: () => localAddresses,
});

describe('hostOfHeader', () => {
  it.each([
    ['localhost:8765', 'localhost'],
    ['LOCALHOST.:8765', 'localhost'],
    ['Locker.Lan', 'locker.lan'],
    ['[::1]:8765', '::1'],
    ['[0:0:0:0:0:0:0:1]', '::1'],
    ['127.1', '127.0.0.1'],
    ['0x7f.0.0.1:80', '127.0.0.1'],
    ['BÜCHER.example', 'xn--bcher-kva.example'],
  ])('reads %s as %s', (header, host) => {
    expect(hostOfHeader(header)).toBe(host);
  });

  it.each(['', 'evil.example@localhost', 'localhost:99999', 'localhost:', 'localhost..', '[fe80::1%25eth0]', '::1', 'a b', 'x/y'])(
    'refuses the malformed %j',
    (header) => {
      expect(hostOfHeader(header)).toBeNull();
    },
  );
});

describe('canonicalHostName', () => {
  it('accepts an IPv6 address with or without brackets, and drops one trailing dot', () => {
    expect(canonicalHostName('::1')).toBe('::1');
    expect(canonicalHostName('[FD00::5]')).toBe('fd00::5');
    expect(canonicalHostName('nas.local.')).toBe('nas.local');
    expect(canonicalHostName('nas.local:80')).toBeNull();
    expect(canonicalHostName('http://nas.local')).toBeNull();
  });
});

describe('hostRefusal', () => {
  it('accepts localhost, every loopback address and the machine’s own addresses', () => {
    for (const header of ['localhost', '127.0.0.1:8765', '127.8.9.10', '[::1]:8765', '[::ffff:127.0.0.1]', '192.0.2.2:8765', '[FE80::1]']) {
      expect(hostRefusal(header, rules()), header).toBeNull();
    }
  });

  it('refuses any other name or address, and a missing Host', () => {
    expect(hostRefusal('evil.example:8765', rules())).toMatch(/does not answer to the name "evil.example".*ALLOWED_HOSTS/);
    expect(hostRefusal('localhost.evil.example', rules())).not.toBeNull();
    expect(hostRefusal('0.0.0.0:8765', rules())).not.toBeNull();
    expect(hostRefusal('192.0.2.3', rules())).not.toBeNull();
    expect(hostRefusal(undefined, rules())).toMatch(/no valid host/);
  });

  it('reads the machine’s addresses at the time of the request', () => {
    const addresses = ['192.0.2.2'];
    const live: HostRules = { allowedHosts: [], localAddresses: () => addresses };
    expect(hostRefusal('198.51.100.7', live)).not.toBeNull();
    addresses.push('198.51.100.7');
    expect(hostRefusal('198.51.100.7', live)).toBeNull();
  });

  it('accepts the names of ALLOWED_HOSTS in any case, with a port or a trailing dot; * accepts all', () => {
    expect(hostRefusal('Locker.LAN.:8765', rules(['locker.lan']))).toBeNull();
    expect(hostRefusal('[fd00::5]:8765', rules(['fd00::5']))).toBeNull();
    expect(hostRefusal('sub.locker.lan', rules(['locker.lan']))).not.toBeNull();
    expect(hostRefusal('evil.example', rules(['*']))).toBeNull();
  });
});
