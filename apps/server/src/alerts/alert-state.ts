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
import { ALERT_LANGUAGES, errnoCode, writeFileAtomic } from '@evidence-locker/core';
import { z } from 'zod';
import type { AlertSubject } from './alert-signals.ts';

/** The file in the data directory. */
export const ALERTS_STATE_FILE = '.evidence-locker.alerts-state.json';

/** The facts a code's text may name (kept so the settings can say it in the user's language). */
const DetailsSchema = z.record(z.string(), z.union([z.string(), z.number()]));

export const FailingSubjectSchema = z.object({
  /** When the failure state began (ms since the epoch). */
  since: z.number(),
  /** The latest failure in it. */
  lastAt: z.number(),
  code: z.string(),
  message: z.string(),
  details: DetailsSchema.optional(),
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
  details: DetailsSchema.optional(),
});
export type Delivery = z.infer<typeof DeliverySchema>;

/** core's AlertMessage, as the outbox keeps it. */
const AlertMessageSchema = z.object({
  event: z.enum(['failure', 'recovery', 'test']),
  subject: z.string(),
  title: z.string(),
  text: z.string(),
  at: z.string(),
  code: z.string().optional(),
  fileName: z.string().optional(),
  target: z.object({ id: z.string(), name: z.string() }).optional(),
  instance: z.string(),
  language: z.string().optional(),
});

/** A failure or recovery some channels have not accepted yet: sent again until they do. */
export const OutboxEntrySchema = z.object({
  /** The message in English (also for a language it lacks: records written before there were others). */
  message: AlertMessageSchema,
  /** The message in each other language (alert-texts.ts), for the channels that read it. */
  messages: z.partialRecord(z.enum(ALERT_LANGUAGES), AlertMessageSchema).default({}),
  /** The channels (ids) still owed the message. */
  channels: z.array(z.string()),
  /** Tries so far. */
  attempts: z.number().int().min(0),
  /** When to try again at the latest (ms since the epoch). */
  nextAt: z.number(),
});
export type OutboxEntry = z.infer<typeof OutboxEntrySchema>;

export const AlertsStateSchema = z.object({
  failing: z.record(z.string(), FailingSubjectSchema).default({}),
  deliveries: z.record(z.string(), DeliverySchema).default({}),
  outbox: z.array(OutboxEntrySchema).default([]),
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
  return { failing: {}, deliveries: {}, outbox: [] };
}

/** Replaces the state in `dataDir` atomically. */
export async function writeAlertsState(dataDir: string, state: AlertsState): Promise<void> {
  await writeFileAtomic(path.join(dataDir, ALERTS_STATE_FILE), `${JSON.stringify(state, null, 2)}\n`);
}
