/**
 * Gives a running test server an instance with evidence in it, as a person who has run DOCSight for
 * a while has: the server is halted, its data directory replaced by `locker seed`'s (a month of
 * signal history, speed tests, events and Connection Monitor samples, configured), `config` merged
 * into the config.json the seed wrote, and the server started again on the same port.
 */
import fs from 'node:fs';
import path from 'node:path';
import { runCli } from '@evidence-locker/harness';
import type { LockerServer } from './locker-server.ts';

export interface SeedEvidenceOptions {
  /** Merged into the seeded config.json. */
  config?: Record<string, unknown>;
  /** Runs on the seeded data directory while the server is down (e.g. to cut a gap into the history). */
  change?: (dataDir: string) => void;
  /** `locker seed --seed`: the same number gives the same evidence. */
  seed?: number;
}

export async function seedEvidence(locker: LockerServer, options: SeedEvidenceOptions = {}): Promise<void> {
  await locker.halt();
  // Seeding wants an empty directory; the server made its databases at its first start.
  fs.rmSync(locker.dataDir, { recursive: true, force: true });
  fs.mkdirSync(locker.dataDir);
  await runCli(['seed', '--data-dir', locker.dataDir, '--months', '1', '--configured', '--seed', String(options.seed ?? 11)]);
  options.change?.(locker.dataDir);
  const configFile = path.join(locker.dataDir, 'config.json');
  const saved = JSON.parse(fs.readFileSync(configFile, 'utf8')) as Record<string, unknown>;
  fs.writeFileSync(configFile, JSON.stringify({ ...saved, ...options.config }, null, 2));
  await locker.restart();
}
