/**
 * What the parts that can fail tell the alerts (issue 19): the backup schedule, each offsite
 * target, the verification after a scheduled backup, the test restore and the dead man's switch.
 * They report every outcome, failure and success alike; turning a run of failures into one alert and
 * one recovery is the alerts' business, not theirs (alerts/ turns these signals into messages).
 */

/** What an outcome is about. One failure state per subject (per target for `target`). */
export type AlertSubject =
  | { kind: 'scheduled-backup' }
  | { kind: 'target'; id: string; name: string }
  | { kind: 'verification' }
  | { kind: 'test-restore' }
  | { kind: 'stale' };

/** A failed outcome, as the job or check reported it. */
export interface AlertFailure {
  /** The engine's or server's code (`BACKUP_DIR_UNUSABLE`, `TARGET_UNREACHABLE`, …). */
  code: string;
  /** What went wrong, written for the user (English; a channel sends it as it is). */
  message: string;
  /** The facts the code's text may name. */
  details?: Record<string, string | number>;
  /** When it happened, milliseconds since the epoch. */
  at: number;
  /** The backup concerned, when there is one. */
  fileName?: string;
}

/** A successful outcome. */
export interface AlertSuccess {
  /** When it happened, milliseconds since the epoch. */
  at: number;
  /** The backup concerned, when there is one. */
  fileName?: string;
}

/** Where outcomes go. Calls never throw and never wait: sending happens in the background. */
export interface AlertSignals {
  failed(subject: AlertSubject, failure: AlertFailure): void;
  succeeded(subject: AlertSubject, success: AlertSuccess): void;
}

/** Signals that go nowhere (tests that do not look at alerts, and the CLI). */
export const noAlertSignals: AlertSignals = {
  failed: () => undefined,
  succeeded: () => undefined,
};
