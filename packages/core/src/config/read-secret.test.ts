import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fernetEncrypt, generateFernetKey, parseFernetKey } from './fernet.ts';
import { extractFixtureConfigFiles, makeTempDir, type TempDir } from '@evidence-locker/core/testing/fixture-config-files';
import { decryptSecret, readSecret } from './read-secret.ts';

describe('readSecret', () => {
  let fixture: TempDir;
  let modemPassword: string;
  beforeAll(() => {
    fixture = extractFixtureConfigFiles();
    modemPassword = JSON.parse(fs.readFileSync(path.join(fixture.dir, 'config.json'), 'utf8')).modem_password;
  });
  afterAll(() => fixture.cleanup());

  it('decrypts the fixture modem password with the data dir key', async () => {
    expect(await readSecret(fixture.dir, modemPassword)).toBe('Vodafone-Station-1234');
  });

  it('decrypts with an already loaded key', async () => {
    const key = parseFernetKey(fs.readFileSync(path.join(fixture.dir, '.config_key'), 'latin1'));
    expect(await readSecret(key, modemPassword)).toBe('Vodafone-Station-1234');
  });

  it('passes plaintext and tokens of another key through unchanged', async () => {
    expect(await readSecret(fixture.dir, 'legacy-plaintext')).toBe('legacy-plaintext');
    const foreign = fernetEncrypt(generateFernetKey(), 'other');
    expect(await readSecret(fixture.dir, foreign)).toBe(foreign);
  });

  it('passes values through when the data dir has no .config_key, without creating one', async () => {
    const empty = makeTempDir('no-key');
    try {
      expect(await readSecret(empty.dir, modemPassword)).toBe(modemPassword);
      expect(fs.readdirSync(empty.dir)).toEqual([]);
    } finally {
      empty.cleanup();
    }
  });

  it('reads empty values as "" and passes non-strings through, as DOCSight', () => {
    const key = parseFernetKey(generateFernetKey());
    expect(decryptSecret(key, '')).toBe('');
    expect(decryptSecret(key, null)).toBe('');
    expect(decryptSecret(key, undefined)).toBe('');
    expect(decryptSecret(key, 42)).toBe(42);
  });

  it('passes through a token whose plaintext is not UTF-8', () => {
    const key = parseFernetKey(generateFernetKey());
    const token = fernetEncrypt(key, Uint8Array.from([0xff, 0xfe]));
    expect(decryptSecret(key, token)).toBe(token);
  });
});
