import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isLockerError } from '../errors.ts';
import { readConfig, updateConfig, writeConfig } from './config-file.ts';
import { PASSWORD_MASK } from './config-keys.ts';
import type { ConfigRecord } from './config-schema.ts';
import { isConfigured } from './config-state.ts';
import { fernetDecrypt } from './fernet.ts';
import { extractFixtureConfigFiles, makeTempDir, type TempDir } from '@evidence-locker/core/testing/fixture-config-files';
import { readConfigKey } from './key-files.ts';
import { checkPasswordHash } from './password-hash.ts';

const SAMPLE: ConfigRecord = {
  modem_type: 'fritzbox',
  isp_name: 'Müller Kabel ☃ 🙂',
  poll_interval: 900,
  demo_mode: false,
  dismissed_notice_ids: ['a', 'b'],
  notify_cooldowns: '{}',
  empty_list: [],
  empty_obj: {},
  nested: { x: [1, { y: null }] },
  ratio: 2.5,
  neg: -5,
  quote: 'a"b\\c\n\t',
};
// Python 3.11: io.StringIO(); json.dump(SAMPLE, f, indent=2); f.getvalue()
const SAMPLE_PYTHON_TEXT =
  '{\n  "modem_type": "fritzbox",\n  "isp_name": "M\\u00fcller Kabel \\u2603 \\ud83d\\ude42",\n  "poll_interval": 900,\n  "demo_mode": false,\n  "dismissed_notice_ids": [\n    "a",\n    "b"\n  ],\n  "notify_cooldowns": "{}",\n  "empty_list": [],\n  "empty_obj": {},\n  "nested": {\n    "x": [\n      1,\n      {\n        "y": null\n      }\n    ]\n  },\n  "ratio": 2.5,\n  "neg": -5,\n  "quote": "a\\"b\\\\c\\n\\t"\n}';

const configFile = (dir: string) => path.join(dir, 'config.json');
const mode = (file: string) => fs.statSync(file).mode & 0o777;

describe('config.json', () => {
  let temp: TempDir;
  beforeEach(() => {
    temp = makeTempDir('config');
  });
  afterEach(() => temp.cleanup());

  it("writes the same bytes as Python's json.dump(indent=2), mode 0600, no temp files", async () => {
    await writeConfig(temp.dir, SAMPLE);
    expect(fs.readFileSync(configFile(temp.dir), 'utf8')).toBe(SAMPLE_PYTHON_TEXT);
    expect(mode(configFile(temp.dir))).toBe(0o600);
    expect(fs.readdirSync(temp.dir)).toEqual(['config.json']);
  });

  it('reads a written config back identically, key order kept', async () => {
    await writeConfig(temp.dir, SAMPLE);
    const { config, exists, problem } = await readConfig(temp.dir);
    expect(exists).toBe(true);
    expect(problem).toBeNull();
    expect(config).toEqual(SAMPLE);
    expect(Object.keys(config)).toEqual(Object.keys(SAMPLE));
  });

  it('reads a missing config.json as an empty config without a problem', async () => {
    expect(await readConfig(temp.dir)).toEqual({ config: {}, exists: false, problem: null });
  });

  it('reports an unparsable config.json and reads it as unconfigured, like DOCSight', async () => {
    fs.writeFileSync(configFile(temp.dir), '{"modem_type": "fritzbox",');
    const result = await readConfig(temp.dir);
    expect(result.problem?.kind).toBe('unparsable');
    expect(result.config).toEqual({});
    expect(isConfigured(result.config)).toBe(false);
  });

  it('reports invalid UTF-8 as unparsable', async () => {
    fs.writeFileSync(configFile(temp.dir), Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]));
    expect((await readConfig(temp.dir)).problem?.kind).toBe('unparsable');
  });

  it('reports a config.json that is not an object', async () => {
    for (const text of ['[]', '"modem_type"', 'null', '42']) {
      fs.writeFileSync(configFile(temp.dir), text);
      const result = await readConfig(temp.dir);
      expect(result.problem?.kind, text).toBe('not-an-object');
      expect(result.config).toEqual({});
    }
  });

  it('keeps a config with unexpected value types but reports them', async () => {
    fs.writeFileSync(configFile(temp.dir), '{"modem_type": 7, "demo_mode": "false"}');
    const result = await readConfig(temp.dir);
    expect(result.config).toEqual({ modem_type: 7, demo_mode: 'false' });
    expect(result.problem?.kind).toBe('unexpected-types');
    expect(isConfigured(result.config)).toBe(true);
  });

  it('keeps a "__proto__" key as plain data through an update', async () => {
    fs.writeFileSync(configFile(temp.dir), '{"__proto__": {"polluted": true}, "language": "en"}');
    const saved = await updateConfig(temp.dir, { theme: 'light' });
    expect(Object.keys(saved)).toEqual(['__proto__', 'language', 'theme']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(fs.readFileSync(configFile(temp.dir), 'utf8')).toBe(
      '{\n  "__proto__": {\n    "polluted": true\n  },\n  "language": "en",\n  "theme": "light"\n}',
    );
  });

  it('refuses to overwrite an unparsable config.json unless asked to', async () => {
    fs.writeFileSync(configFile(temp.dir), 'garbage');
    const error = await updateConfig(temp.dir, { language: 'de' }).catch((e: unknown) => e);
    expect(isLockerError(error, 'CONFIG_INVALID')).toBe(true);
    expect(fs.readFileSync(configFile(temp.dir), 'utf8')).toBe('garbage');
    await updateConfig(temp.dir, { language: 'de' }, { replaceInvalid: true });
    expect(fs.readFileSync(configFile(temp.dir), 'utf8')).toBe('{\n  "language": "de"\n}');
  });

  it('writes the one-click demo config exactly as DOCSight (23 bytes)', async () => {
    await updateConfig(temp.dir, { demo_mode: 'true' });
    expect(fs.readFileSync(configFile(temp.dir), 'utf8')).toBe('{\n  "demo_mode": true\n}');
    expect(fs.statSync(configFile(temp.dir)).size).toBe(23);
  });

  it('casts int and bool keys like DOCSight save()', async () => {
    const saved = await updateConfig(temp.dir, {
      poll_interval: ' 600 ',
      history_days: 'abc',
      backup_retention: 3.9,
      backup_enabled: 'on',
      sc_enabled: 'Yes',
      demo_mode: 'false',
      update_check_enabled: 1,
      gaming_quality_enabled: '',
    });
    expect(saved).toEqual({
      poll_interval: 600,
      history_days: 'abc',
      backup_retention: 3,
      backup_enabled: true,
      sc_enabled: true,
      demo_mode: false,
      update_check_enabled: true,
      gaming_quality_enabled: false,
    });
  });

  it('creates .config_key when it first encrypts a secret', async () => {
    await updateConfig(temp.dir, { mqtt_password: 'broker-pw' });
    const key = await readConfigKey(temp.dir);
    const { config } = await readConfig(temp.dir);
    expect(config.mqtt_password as string).toMatch(/^gAAAAA/);
    expect(fernetDecrypt(key!, config.mqtt_password as string).toString('utf8')).toBe('broker-pw');
    expect(fs.readdirSync(temp.dir).sort()).toEqual(['.config_key', 'config.json']);
  });

  it('keeps both patches when updates run concurrently', async () => {
    await Promise.all([
      updateConfig(temp.dir, { language: 'de' }),
      updateConfig(temp.dir, { theme: 'light' }),
      updateConfig(temp.dir, { timezone: 'Europe/Berlin' }),
    ]);
    const { config } = await readConfig(temp.dir);
    expect(config).toEqual({ language: 'de', theme: 'light', timezone: 'Europe/Berlin' });
  });

  it('stores an admin_password that is already a werkzeug hash unchanged', async () => {
    const hash = 'pbkdf2:sha256:600000$Pb7HcM1zQe4uYa0f$529263c17bd2a37e63396c67eecc7104a95303f144b393fd037ab8d4c871785a';
    const saved = await updateConfig(temp.dir, { admin_password: hash });
    expect(saved.admin_password).toBe(hash);
  });
});

describe('config.json of the real DOCSight fixture', () => {
  let fixture: TempDir;
  let originalText: string;
  beforeAll(() => {
    fixture = extractFixtureConfigFiles();
    originalText = fs.readFileSync(configFile(fixture.dir), 'utf8');
  });
  afterAll(() => fixture.cleanup());

  it('re-writes the archived config.json byte for byte', async () => {
    const { config, problem } = await readConfig(fixture.dir);
    expect(problem).toBeNull();
    expect(isConfigured(config)).toBe(true);
    await writeConfig(fixture.dir, config);
    expect(fs.readFileSync(configFile(fixture.dir), 'utf8')).toBe(originalText);
    expect(mode(configFile(fixture.dir))).toBe(0o600);
  });

  it('merges an update like DOCSight save(): masks dropped, secrets encrypted, order kept', async () => {
    const before = (await readConfig(fixture.dir)).config;
    const saved = await updateConfig(fixture.dir, {
      timezone: 'Europe/Berlin',
      modem_password: PASSWORD_MASK,
      admin_password: 'Evidence-Locker-2026!',
      mqtt_password: '',
      report_customer_name: 'Jörg Müller',
      backup_enabled: 'true',
      backup_interval_hours: '168',
    });
    expect(Object.keys(saved)).toEqual([
      ...Object.keys(before),
      'admin_password',
      'mqtt_password',
      'report_customer_name',
      'backup_enabled',
      'backup_interval_hours',
    ]);
    expect(saved.timezone).toBe('Europe/Berlin');
    expect(saved.modem_password).toBe(before.modem_password);
    expect(saved.mqtt_password).toBe('');
    expect(saved.backup_enabled).toBe(true);
    expect(saved.backup_interval_hours).toBe(168);
    expect(await checkPasswordHash(saved.admin_password as string, 'Evidence-Locker-2026!')).toBe(true);
    const key = await readConfigKey(fixture.dir);
    expect(fernetDecrypt(key!, saved.report_customer_name as string).toString('utf8')).toBe('Jörg Müller');
    expect(fernetDecrypt(key!, saved.modem_password as string).toString('utf8')).toBe('Vodafone-Station-1234');
    const reread = await readConfig(fixture.dir);
    expect(reread.config).toEqual(saved);
    expect(fs.readdirSync(fixture.dir).filter((name) => name.startsWith('.evidence-locker-'))).toEqual([]);
  });
});
