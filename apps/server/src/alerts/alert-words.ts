/**
 * What each alert says, one implementation per language (alert-words-en.ts, alert-words-de.ts):
 * the title (after "Evidence Locker: ") and the text of a failure, a recovery and the test message.
 * alert-texts.ts picks the channel's language and adds the facts every message carries.
 */
import type { AlertFailure, AlertSubject, AlertSuccess } from './alert-signals.ts';

/** A title and a text in one language. */
export interface AlertWording {
  title: string;
  text: string;
}

/** The words of one language; `time` writes a time (ms since the epoch) as that language's readers expect. */
export interface AlertWords {
  failure(subject: AlertSubject, failure: AlertFailure, time: (at: number) => string): AlertWording;
  recovery(subject: AlertSubject, success: AlertSuccess, since: number, time: (at: number) => string): AlertWording;
  test(at: number, time: (at: number) => string): AlertWording;
}

/** A number fact of a failure's details, or undefined. */
export function numberFact(failure: AlertFailure, name: string): number | undefined {
  const value = failure.details?.[name];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
