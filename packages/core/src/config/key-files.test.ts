import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isLockerError } from '../errors.ts';
import { fernetDecrypt } from './fernet.ts';
import { extractFixtureConfigFiles, makeTempDir, type TempDir } from '@evidence-locker/core/testing/fixture-config-files';
import {
  syncAuthState,
  computeAuthState,
  loadOrCreateConfigKey,
  loadOrCreateSessionKey,
  readAuthState,
  readConfigKey,
  readSessionKey,
  writeAuthState,
  writeSessionKey,
} from './key-files.ts';

const mode = (file: string) => fs.statSync(file).mode & 0o777;

/** The .auth_state definition, written out independently of key-files.ts. */
function expectedAuthState(sessionKey: Buffer, repr: string): string {
  const message = Buffer.concat([Buffer.from('docsight-admin-auth-state-v1'), Buffer.from([0]), Buffer.from(repr, 'utf8')]);
  return createHmac('sha256', sessionKey).update(message).digest('hex');
}

describe('key files', () => {
  let temp: TempDir;
  beforeEach(() => {
    temp = makeTempDir('keys');
  });
  afterEach(() => temp.cleanup());

  it('creates .config_key as 44 urlsafe-base64 bytes without newline, mode 0600', async () => {
    const key = await loadOrCreateConfigKey(temp.dir);
    const file = path.join(temp.dir, '.config_key');
    const bytes = fs.readFileSync(file);
    expect(bytes.length).toBe(44);
    expect(bytes.toString('latin1')).toMatch(/^[A-Za-z0-9_-]{43}=$/);
    expect(bytes.toString('latin1')).toBe(key.text);
    expect(mode(file)).toBe(0o600);
    expect(fs.readdirSync(temp.dir)).toEqual(['.config_key']);
  });

  it('keeps an existing .config_key and reads it back trimmed', async () => {
    const file = path.join(temp.dir, '.config_key');
    fs.writeFileSync(file, 'cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=\n');
    const key = await loadOrCreateConfigKey(temp.dir);
    expect(key.text).toBe('cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=');
    expect(fs.readFileSync(file, 'latin1')).toBe('cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=\n');
  });

  it('returns the same key to concurrent creators', async () => {
    const keys = await Promise.all([1, 2, 3, 4].map(() => loadOrCreateConfigKey(temp.dir)));
    expect(new Set(keys.map((k) => k.text)).size).toBe(1);
    expect(fs.readdirSync(temp.dir)).toEqual(['.config_key']);
  });

  it('reports a missing .config_key as null and a broken one as CONFIG_KEY_INVALID', async () => {
    expect(await readConfigKey(temp.dir)).toBeNull();
    fs.writeFileSync(path.join(temp.dir, '.config_key'), 'not a key');
    const error = await readConfigKey(temp.dir).catch((e: unknown) => e);
    expect(isLockerError(error, 'CONFIG_KEY_INVALID')).toBe(true);
  });

  it('creates .session_key as 32 raw bytes, mode 0600, and keeps it on the next load', async () => {
    const created = await loadOrCreateSessionKey(temp.dir);
    const file = path.join(temp.dir, '.session_key');
    expect(created.length).toBe(32);
    expect(fs.readFileSync(file).equals(created)).toBe(true);
    expect(mode(file)).toBe(0o600);
    expect((await loadOrCreateSessionKey(temp.dir)).equals(created)).toBe(true);
  });

  it('rotates .session_key to new random bytes', async () => {
    const first = await loadOrCreateSessionKey(temp.dir);
    const rotated = await writeSessionKey(temp.dir);
    expect(rotated.equals(first)).toBe(false);
    expect((await readSessionKey(temp.dir))?.equals(rotated)).toBe(true);
    expect(fs.readdirSync(temp.dir)).toEqual(['.session_key']);
  });

  it('writes .auth_state as the HMAC of the admin password state, mode 0600', async () => {
    const sessionKey = await loadOrCreateSessionKey(temp.dir);
    const repr = 'scrypt:32768:8:1$Xq3vTn8LpR2sWk9d$8192a98e';
    const written = await writeAuthState(temp.dir, sessionKey, repr);
    const file = path.join(temp.dir, '.auth_state');
    expect(written).toBe(expectedAuthState(sessionKey, repr));
    expect(fs.readFileSync(file, 'latin1')).toBe(written);
    expect(written).toMatch(/^[0-9a-f]{64}$/);
    expect(mode(file)).toBe(0o600);
    expect(await readAuthState(temp.dir)).toBe(written);
    expect(computeAuthState(sessionKey, `${repr}x`)).not.toBe(written);
  });

  it('treats an .auth_state that is not exactly 64 lowercase hex chars as absent', async () => {
    const file = path.join(temp.dir, '.auth_state');
    expect(await readAuthState(temp.dir)).toBeNull();
    for (const bad of ['A'.repeat(64), 'a'.repeat(63), `${'a'.repeat(64)}\n`, 'g'.repeat(64)]) {
      fs.writeFileSync(file, bad);
      expect(await readAuthState(temp.dir), bad).toBeNull();
    }
  });
});

describe('key files of the real DOCSight fixture', () => {
  let fixture: TempDir;
  beforeAll(() => {
    fixture = extractFixtureConfigFiles();
  });
  afterAll(() => fixture.cleanup());

  it('decrypts the archived modem password with the archived .config_key', async () => {
    const key = await readConfigKey(fixture.dir);
    const config = JSON.parse(fs.readFileSync(path.join(fixture.dir, 'config.json'), 'utf8'));
    expect(key).not.toBeNull();
    expect(fernetDecrypt(key!, config.modem_password).toString('utf8')).toBe('Vodafone-Station-1234');
  });

  it('reproduces the archived .auth_state from the archived .session_key (no admin password)', async () => {
    const sessionKey = await readSessionKey(fixture.dir);
    expect(sessionKey?.length).toBe(32);
    const stored = await readAuthState(fixture.dir);
    expect(stored).toBe(expectedAuthState(sessionKey!, ''));
    expect(computeAuthState(sessionKey!, '')).toBe(stored);
  });
});

describe('syncAuthState', () => {
  it('creates the session key and fingerprint of a fresh data dir without rotating', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'el-sync-auth-'));
    try {
      const first = await syncAuthState(dir, '');
      expect(first.rotated).toBe(false);
      expect(fs.readFileSync(path.join(dir, '.session_key'))).toHaveLength(32);
      expect(fs.readFileSync(path.join(dir, '.auth_state'), 'latin1')).toBe(computeAuthState(first.sessionKey, ''));
      const again = await syncAuthState(dir, '');
      expect(again).toEqual({ sessionKey: first.sessionKey, rotated: false });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rotates the session key when the admin password no longer matches the fingerprint', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'el-sync-auth-'));
    try {
      const before = await syncAuthState(dir, '');
      const after = await syncAuthState(dir, 'scrypt:32768:8:1$abc$def');
      expect(after.rotated).toBe(true);
      expect(after.sessionKey.equals(before.sessionKey)).toBe(false);
      expect(fs.readFileSync(path.join(dir, '.auth_state'), 'latin1')).toBe(computeAuthState(after.sessionKey, 'scrypt:32768:8:1$abc$def'));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
