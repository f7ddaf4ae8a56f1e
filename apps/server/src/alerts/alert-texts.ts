/**
 * The messages of the alerts, in each channel's language (its `language`; for a channel stored
 * before it had one, the language DOCSight saves in config.json, and English for any other): one
 * failure text and one recovery text per subject (the scheduled backup, a target, the verification
 * after a scheduled backup, the test restore, and the dead man's switch) and the test message.
 * The words are in alert-words-en.ts and alert-words-de.ts; times are UTC, written as each
 * language's readers expect ("2026-12-05 14:03 UTC", "05.12.2026, 14:03 UTC").
 */
import type { AlertLanguage, AlertMessage, ConfigRecord } from '@evidence-locker/core';
import type { AlertFailure, AlertSubject, AlertSuccess } from './alert-signals.ts';
import type { AlertWording, AlertWords } from './alert-words.ts';
import { ALERT_WORDS_DE } from './alert-words-de.ts';
import { ALERT_WORDS_EN } from './alert-words-en.ts';

/** The product's name in titles and in the webhook's `instance`. */
export const ALERT_INSTANCE_NAME = 'Evidence Locker';

const WORDS: Readonly<Record<AlertLanguage, AlertWords>> = { en: ALERT_WORDS_EN, de: ALERT_WORDS_DE };

const GERMAN_TIME = new Intl.DateTimeFormat('de-DE', {
  timeZone: 'UTC',
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** `at` as `2026-12-05 14:03 UTC` (English, the default) or `05.12.2026, 14:03 UTC` (German). */
export function alertTime(at: number, language: AlertLanguage = 'en'): string {
  if (language === 'de') return `${GERMAN_TIME.format(new Date(at))} UTC`;
  return `${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * The language of `channel`'s messages: its own, else config.json's `language` (DOCSight's
 * setting: "de" or "en"; a region such as "de-AT" counts as its language), else English.
 */
export function alertLanguage(channel: { language?: AlertLanguage | undefined }, config: ConfigRecord): AlertLanguage {
  if (channel.language !== undefined) return channel.language;
  const saved = config.language;
  return typeof saved === 'string' && /^de(?:[-_]|$)/i.test(saved.trim()) ? 'de' : 'en';
}

function subjectFacts(subject: AlertSubject): Pick<AlertMessage, 'subject' | 'target'> {
  return subject.kind === 'target' ? { subject: 'target', target: { id: subject.id, name: subject.name } } : { subject: subject.kind };
}

function written(wording: AlertWording, language: AlertLanguage): Pick<AlertMessage, 'title' | 'text' | 'instance' | 'language'> {
  return { title: `${ALERT_INSTANCE_NAME}: ${wording.title}`, text: wording.text, instance: ALERT_INSTANCE_NAME, language };
}

const timeIn = (language: AlertLanguage) => (at: number) => alertTime(at, language);

/** The message for the start of a failure state of `subject`, in `language` (default English). */
export function failureMessage(subject: AlertSubject, failure: AlertFailure, language: AlertLanguage = 'en'): AlertMessage {
  return {
    event: 'failure',
    ...subjectFacts(subject),
    ...written(WORDS[language].failure(subject, failure, timeIn(language)), language),
    at: new Date(failure.at).toISOString(),
    code: failure.code,
    ...(failure.fileName === undefined ? {} : { fileName: failure.fileName }),
  };
}

/** The message for the end of a failure state of `subject` that began at `since`, in `language`. */
export function recoveryMessage(subject: AlertSubject, success: AlertSuccess, since: number, language: AlertLanguage = 'en'): AlertMessage {
  return {
    event: 'recovery',
    ...subjectFacts(subject),
    ...written(WORDS[language].recovery(subject, success, since, timeIn(language)), language),
    at: new Date(success.at).toISOString(),
    ...(success.fileName === undefined ? {} : { fileName: success.fileName }),
  };
}

/** The message "Send test" sends, in `language`. */
export function testMessage(at: number, language: AlertLanguage = 'en'): AlertMessage {
  return {
    event: 'test',
    subject: 'test',
    ...written(WORDS[language].test(at, timeIn(language)), language),
    at: new Date(at).toISOString(),
  };
}
