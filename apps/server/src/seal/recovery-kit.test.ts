import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateSealIdentity, parseIdentityText } from '@evidence-locker/core';
import { ensureAgeCli, run } from '@evidence-locker/core/testing/age-cli';
import { sealBytes } from '@evidence-locker/core/testing/sealed-bytes';
import { FIXTURE_A } from '@evidence-locker/server/testing/restore-support';
import { describe, expect, it, onTestFinished } from 'vitest';
import { recoveryKit, recoveryKitFileName } from './recovery-kit.ts';

const CREATED = '2026-03-14T09:26:00.000Z';
const MADE = new Date('2026-05-01T12:00:00.000Z');

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'recovery-kit-'));
  onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('recoveryKit, identity mode', () => {
  it('is an age identity file whose notes say what it is, what it opens, where to keep it and the age command', async () => {
    const { identity, recipient } = await generateSealIdentity();
    const kit = await recoveryKit({ key: { identity }, keyCreatedAt: CREATED, madeAt: MADE, hostname: 'nas-1', dataDir: '/srv/docsight' });
    expect(kit.fileName).toMatch(/^evidence-locker-recovery-kit-2026-03-1[45]\.txt$/);
    const lines = kit.text.trimEnd().split('\n');
    // Every line but the identity is a comment, so age reads the kit as it is.
    expect(lines.filter((line) => !line.startsWith('#'))).toEqual([identity]);
    expect(parseIdentityText(kit.text)).toEqual([identity]);
    expect(kit.text).toContain('# Evidence Locker recovery kit');
    expect(kit.text).toContain('nas-1, data directory /srv/docsight');
    expect(kit.text).toContain('docsight_backup_YYYY-MM-DD_HHMMSS.tar.gz.age');
    expect(kit.text).toContain('somewhere other than this machine');
    expect(kit.text).toContain(
      `#   age -d -i ${kit.fileName} -o docsight_backup_YYYY-MM-DD_HHMMSS.tar.gz docsight_backup_YYYY-MM-DD_HHMMSS.tar.gz.age`,
    );
    expect(kit.text).toContain('DOCSight restores it');
    expect(kit.text).toContain(`# public key: ${recipient}`);
  });

  it("opens a sealed DOCSight backup with Debian's age, given the kit file itself", async () => {
    ensureAgeCli();
    const dir = tempDir();
    const { identity, recipient } = await generateSealIdentity();
    const kit = await recoveryKit({ key: { identity }, keyCreatedAt: CREATED, hostname: 'nas-1', dataDir: '/srv/docsight' });
    const plain = fs.readFileSync(FIXTURE_A);
    fs.writeFileSync(path.join(dir, kit.fileName), kit.text);
    fs.writeFileSync(path.join(dir, 'docsight_backup_2026-03-14_102600.tar.gz.age'), await sealBytes(plain, { recipients: [recipient] }));
    run('age', [
      '-d',
      '-i',
      path.join(dir, kit.fileName),
      '-o',
      path.join(dir, 'docsight_backup_2026-03-14_102600.tar.gz'),
      path.join(dir, 'docsight_backup_2026-03-14_102600.tar.gz.age'),
    ]);
    expect(fs.readFileSync(path.join(dir, 'docsight_backup_2026-03-14_102600.tar.gz')).equals(plain)).toBe(true);
  });
});

describe('recoveryKit, passphrase mode', () => {
  it('is a reminder without any secret: the passphrase is yours to keep, and age -d asks for it', async () => {
    const kit = await recoveryKit({
      key: { passphrase: true },
      keyCreatedAt: CREATED,
      madeAt: MADE,
      hostname: 'nas-1',
      dataDir: '/srv/docsight',
    });
    expect(kit.fileName).toBe(recoveryKitFileName(CREATED));
    expect(kit.text).not.toMatch(/AGE-SECRET-KEY-1/);
    expect(kit.text).toContain('The passphrase is NOT in this file. It is yours to keep');
    expect(kit.text).toContain('  age -d -o docsight_backup_YYYY-MM-DD_HHMMSS.tar.gz docsight_backup_YYYY-MM-DD_HHMMSS.tar.gz.age');
    expect(kit.text).toContain('age asks for the passphrase');
    // Not an identity file: given to a restore as an identity, it is refused with SEAL_KEY_INVALID.
    expect(() => parseIdentityText(kit.text)).toThrow(expect.objectContaining({ code: 'SEAL_KEY_INVALID' }));
  });

  it('names the file after the local date the key was made', () => {
    const created = new Date(2026, 0, 2, 23, 30);
    expect(recoveryKitFileName(created.toISOString())).toBe('evidence-locker-recovery-kit-2026-01-02.txt');
  });
});
