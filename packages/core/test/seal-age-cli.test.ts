/**
 * Interop both ways with the real `age` 1.1.1 (Debian's package), on a real DOCSight archive: what
 * this product seals opens with `age -d` to the same bytes, and what `age -e` seals opens here.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { docsightFixture } from '@evidence-locker/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSealIdentity } from '../src/seal/generate-seal-identity.ts';
import { ensureAgeCli, run, runAgeOnTerminal } from './support/age-cli.ts';
import { lockerErrorOf } from './support/locker-error-of.ts';
import { openBytes, sealBytes } from './support/sealed-bytes.ts';

const PASSPHRASE = 'tiny-Owl-7-marble-Harbor';
let dir: string;
let plainPath: string;
let plain: Buffer;

beforeAll(() => {
  ensureAgeCli();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'seal-age-cli-'));
  plainPath = docsightFixture('a-real-1m').archive;
  plain = fs.readFileSync(plainPath);
});

afterAll(() => {
  if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
});

const file = (name: string): string => path.join(dir, name);

describe('sealed here, opened by age', () => {
  it('opens with age -d -i KEY to the exact archive', async () => {
    const { identity, recipient } = await generateSealIdentity();
    fs.writeFileSync(file('key.txt'), `# public key: ${recipient}\n${identity}\n`);
    fs.writeFileSync(file('ours.tar.gz.age'), await sealBytes(plain, { recipients: [recipient] }));
    run('age', ['-d', '-i', file('key.txt'), '-o', file('ours-opened.tar.gz'), file('ours.tar.gz.age')]);
    expect(fs.readFileSync(file('ours-opened.tar.gz')).equals(plain)).toBe(true);
  });

  it('opens with age -d and the passphrase to the exact archive', async () => {
    fs.writeFileSync(file('ours-pass.tar.gz.age'), await sealBytes(plain, { passphrase: PASSPHRASE }));
    runAgeOnTerminal(['-d', '-o', file('ours-pass-opened.tar.gz'), file('ours-pass.tar.gz.age')], [PASSPHRASE]);
    expect(fs.readFileSync(file('ours-pass-opened.tar.gz')).equals(plain)).toBe(true);
  });

  it('the recipient generated here is the one age-keygen derives from its identity', async () => {
    const { identity, recipient } = await generateSealIdentity();
    fs.writeFileSync(file('derive.txt'), `${identity}\n`);
    expect(run('age-keygen', ['-y', file('derive.txt')]).trim()).toBe(recipient);
  });
});

describe('sealed by age, opened here', () => {
  it('opens a file sealed by age -e -r for an age-keygen identity', async () => {
    run('age-keygen', ['-o', file('theirs-key.txt')]);
    const identity = fs
      .readFileSync(file('theirs-key.txt'), 'utf8')
      .split('\n')
      .find((line) => line.startsWith('AGE-SECRET-KEY-1'));
    expect(identity).toBeDefined();
    const recipient = run('age-keygen', ['-y', file('theirs-key.txt')]).trim();
    run('age', ['-e', '-r', recipient, '-o', file('theirs.tar.gz.age'), plainPath]);
    const sealed = fs.readFileSync(file('theirs.tar.gz.age'));
    expect((await openBytes(sealed, { identities: [identity!] })).equals(plain)).toBe(true);
  });

  it('opens a file sealed by age -e -p (default work factor) with the passphrase, and refuses a wrong one', async () => {
    runAgeOnTerminal(['-e', '-p', '-o', file('theirs-pass.tar.gz.age'), plainPath], [PASSPHRASE, PASSPHRASE]);
    const sealed = fs.readFileSync(file('theirs-pass.tar.gz.age'));
    expect(sealed.toString('latin1')).toMatch(/^age-encryption\.org\/v1\n-> scrypt \S+ 18\n/);
    expect((await openBytes(sealed, { passphrase: PASSPHRASE })).equals(plain)).toBe(true);
    expect((await lockerErrorOf(openBytes(sealed, { passphrase: `${PASSPHRASE}!` }))).code).toBe('SEAL_WRONG_PASSPHRASE');
  });

  it('refuses the armored form age -a writes (SEAL_ARMORED)', async () => {
    const { identity, recipient } = await generateSealIdentity();
    run('age', ['-e', '-a', '-r', recipient, '-o', file('theirs.asc'), plainPath]);
    const error = await lockerErrorOf(openBytes(fs.readFileSync(file('theirs.asc')), { identities: [identity] }));
    expect(error.code).toBe('SEAL_ARMORED');
  });
});
