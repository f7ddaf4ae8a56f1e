/**
 * `locker seed`: creates or fills a data directory with generated data that looks like a real one:
 * DOCSight's demo instance (`--demo`, every row `is_demo=1`) or months of user data (`is_demo=0`).
 * `--configured` also writes a `config.json` with a modem and its Fernet-encrypted password. The
 * key files are created as DOCSight creates them at its first start.
 */
import path from 'node:path';
import { seedDataDir, syncAuthState, updateConfig } from '@evidence-locker/core';
import { createOutput, printJson } from '../cli-output.ts';
import { integerOption, parseCommandArgs, requireOption, type Command } from '../command.ts';
import { withWorkDirsHeld } from '../open-work-dirs.ts';
import { formatBytes } from '../progress-bar.ts';

/** The modem written by `--configured`; the password is stored encrypted with `.config_key`. */
export const SEED_MODEM = {
  modem_type: 'fritzbox',
  modem_url: 'http://192.168.178.1',
  modem_user: 'admin',
} as const;
export const DEFAULT_SEED_MODEM_PASSWORD = 'seeded-modem-password';

export const seedCommand: Command = {
  name: 'seed',
  summary: 'Create or fill a data directory with generated demo data or months of user data.',
  usage: '--data-dir DIR [--demo] [--months N] [--configured] [--modem-password P] [--seed N] [--json]',
  async run(args) {
    const { values } = parseCommandArgs(args, {
      'data-dir': { type: 'string' },
      demo: { type: 'boolean', default: false },
      months: { type: 'string' },
      configured: { type: 'boolean', default: false },
      'modem-password': { type: 'string' },
      seed: { type: 'string' },
    });
    const dataDir = path.resolve(requireOption(values['data-dir'], 'data-dir'));
    const months = integerOption(values.months, 'months', { min: 1, max: 600 });
    const seed = integerOption(values.seed, 'seed', { min: 0, max: 2 ** 31 });
    const out = createOutput(values.json);
    out.line(values.demo ? 'Seeding a demo instance (270 days)…' : `Seeding ${months ?? 9} month${months === 1 ? '' : 's'} of user data…`);

    const patch: Record<string, string | boolean> = {};
    const summary = await withWorkDirsHeld({ dataDir }, async () => {
      const seeded = seedDataDir({
        dataDir,
        mode: values.demo ? 'demo' : 'user',
        ...(months === undefined ? {} : { months }),
        ...(seed === undefined ? {} : { seed }),
      });
      if (values.demo) patch['demo_mode'] = true;
      if (values.configured) {
        Object.assign(patch, SEED_MODEM, { modem_password: values['modem-password'] ?? DEFAULT_SEED_MODEM_PASSWORD });
      }
      if (Object.keys(patch).length > 0) await updateConfig(dataDir, patch);
      await syncAuthState(dataDir, '');
      return seeded;
    });

    if (values.json) {
      printJson({ ok: true, dataDir, configured: values.configured || values.demo, ...summary });
      return 0;
    }
    out.line(`Seeded ${dataDir} in ${summary.seconds.toFixed(1)} s (history ${summary.from} → ${summary.to})`);
    out.table([
      ['docsis_history.db', formatBytes(summary.files['docsis_history.db'])],
      ['connection_monitor.db', formatBytes(summary.files['connection_monitor.db'])],
      ['snapshots', String(summary.rows['docsis_history.db']['snapshots'] ?? 0)],
      ['connection_samples', String(summary.rows['connection_monitor.db']['connection_samples'] ?? 0)],
      ['config.json', Object.keys(patch).length > 0 ? Object.keys(patch).join(', ') : 'not written (unconfigured)'],
    ]);
    return 0;
  },
};
