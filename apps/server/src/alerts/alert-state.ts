/**
 * What the alerts remember across restarts, in the data directory: `.evidence-locker.alerts-state.json`.
 * Per subject (alertSubjectKey) the failure state it is in, so a restart neither sends the same
 * alert again nor forgets to send the recovery; per channel the last delivery, for the settings.
 *
 * Not a DOCSight file and never archived (a backup carries only DATA_FILES); written atomically.
 * A record that cannot be read counts as empty (the state is advisory: at worst one alert more).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { errnoCode, writeFileAtomic } from '@evidence-locker/core';
import { z } from 'zod';
import type { AlertSubject } from './alert-signals.ts';

/** The file in the data directory. */
export const ALERTS_STATE_FILE = '.evidence-locker.alerts-state.json';

export const FailingSubjectSchema = z.object({
  /** When the failure state began (ms since the epoch). */
  since: z.number(),
  /** The latest failure in it. */
  lastAt: z.number(),
  code: z.string(),
  message: z.string(),
  /** Failures in this state. */
  count: z.number().int().min(1),
  /** A target's name, for a target's state. */
  name: z.string().optional(),
});
export type FailingSubject = z.infer<typeof FailingSubjectSchema>;

export const DeliverySchema = z.object({
  at: z.number(),
  ok: z.boolean(),
  /** What was sent: failure, recovery, test, or ping. */
  event: z.string(),
  code: z.string().optional(),
  message: z.string().optional(),
});
export type Delivery = z.infer<typeof DeliverySchema>;

export const AlertsStateSchema = z.object({
  failing: z.record(z.string(), FailingSubjectSchema).default({}),
  deliveries: z.record(z.string(), DeliverySchema).default({}),
});
export type AlertsState = z.infer<typeof AlertsStateSchema>;

/** One key per failure state: `scheduled-backup`, `target:ID`, `verification`, `test-restore`, `stale`. */
export function alertSubjectKey(subject: AlertSubject): string {
  return subject.kind === 'target' ? `target:${subject.id}` : subject.kind;
}

/** The state recorded in `dataDir`; empty when there is none or it is unreadable. */
export async function readAlertsState(dataDir: string): Promise<AlertsState> {
  try {
    const text = await fs.readFile(path.join(dataDir, ALERTS_STATE_FILE), 'utf8');
    const parsed = AlertsStateSchema.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data;
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT' && !(error instanceof SyntaxError)) throw error;
  }
  return { failing: {}, deliveries: {} };
}

/** Replaces the state in `dataDir` atomically. */
export async function writeAlertsState(dataDir: string, state: AlertsState): Promise<void> {
  await writeFileAtomic(path.join(dataDir, ALERTS_STATE_FILE), `${JSON.stringify(state, null, 2)}\n`);
}
