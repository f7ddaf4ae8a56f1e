/**
 * The words of each alert, in English (messages go to phones and mailboxes whose reader's language
 * the server does not know; DOCSight's notifier writes English too). One failure text and one
 * recovery text per subject: the scheduled backup, a target, the verification after a scheduled
 * backup, the test restore, and the dead man's switch.
 */
import type { AlertMessage } from '@evidence-locker/core';
import type { AlertFailure, AlertSubject, AlertSuccess } from './alert-signals.ts';

/** The product's name in titles and in the webhook's `instance`. */
export const ALERT_INSTANCE_NAME = 'Evidence Locker';

/** `at` as `2026-12-05 14:03 UTC`. */
export function alertTime(at: number): string {
  return `${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function subjectFacts(subject: AlertSubject): Pick<AlertMessage, 'subject' | 'target'> {
  return subject.kind === 'target' ? { subject: 'target', target: { id: subject.id, name: subject.name } } : { subject: subject.kind };
}

/** The message for the start of a failure state of `subject`. */
export function failureMessage(subject: AlertSubject, failure: AlertFailure): AlertMessage {
  const reason = `${failure.message.trim()} (${failure.code})`;
  const file = failure.fileName === undefined ? '' : ` ${failure.fileName}`;
  let title: string;
  let text: string;
  switch (subject.kind) {
    case 'scheduled-backup':
      title = 'the scheduled backup failed';
      text = `The scheduled backup failed at ${alertTime(failure.at)}: ${reason} It is retried after 1, 2, 4 … up to 60 minutes; you get one message when it works again, not one per retry.`;
      break;
    case 'target':
      title = `copies to "${subject.name}" fail`;
      text = `The offsite copy${file} to "${subject.name}" failed at ${alertTime(failure.at)}: ${reason} It is retried by itself; the backups on this machine are not affected. You get one message when copies arrive again.`;
      break;
    case 'verification':
      title = 'a new backup failed its verification';
      text = `The backup${file} was checked right after it was written and failed at ${alertTime(failure.at)}: ${reason} Do not rely on it; make a new backup and look at the backup directory's disk. You get one message when new backups verify again.`;
      break;
    case 'test-restore':
      title = 'the test restore failed';
      text = `The test restore${file === '' ? '' : ` of${file}`} failed at ${alertTime(failure.at)}: ${reason} The backup may not be restorable as it is; the live data was not touched. You get one message when a test restore succeeds again.`;
      break;
    case 'stale':
      title = 'no successful backup for too long';
      text = `${failure.message.trim()} Look at the backup schedule in the settings: a scheduled backup may be failing, or the schedule may have stopped. You get one message when a backup succeeds again.`;
      break;
  }
  return {
    event: 'failure',
    ...subjectFacts(subject),
    title: `${ALERT_INSTANCE_NAME}: ${title}`,
    text,
    at: new Date(failure.at).toISOString(),
    code: failure.code,
    ...(failure.fileName === undefined ? {} : { fileName: failure.fileName }),
    instance: ALERT_INSTANCE_NAME,
  };
}

/** The message for the end of a failure state of `subject` that began at `since`. */
export function recoveryMessage(subject: AlertSubject, success: AlertSuccess, since: number): AlertMessage {
  const file = success.fileName === undefined ? '' : ` ${success.fileName}`;
  const after = `after failing since ${alertTime(since)}`;
  let title: string;
  let text: string;
  switch (subject.kind) {
    case 'scheduled-backup':
      title = 'scheduled backups work again';
      text = `The scheduled backup${file} succeeded at ${alertTime(success.at)}, ${after}.`;
      break;
    case 'target':
      title = `copies to "${subject.name}" arrive again`;
      text = `The offsite copy${file} arrived at "${subject.name}" at ${alertTime(success.at)}, ${after}.`;
      break;
    case 'verification':
      title = 'new backups verify again';
      text = `The backup${file} passed its check at ${alertTime(success.at)}, ${after}.`;
      break;
    case 'test-restore':
      title = 'the test restore succeeds again';
      text = `The test restore${file === '' ? '' : ` of${file}`} succeeded at ${alertTime(success.at)}, ${after}: the backup is restorable.`;
      break;
    case 'stale':
      title = 'backups are current again';
      text = `A backup${file} succeeded at ${alertTime(success.at)}; backups had been missing since ${alertTime(since)}.`;
      break;
  }
  return {
    event: 'recovery',
    ...subjectFacts(subject),
    title: `${ALERT_INSTANCE_NAME}: ${title}`,
    text,
    at: new Date(success.at).toISOString(),
    ...(success.fileName === undefined ? {} : { fileName: success.fileName }),
    instance: ALERT_INSTANCE_NAME,
  };
}

/** The message "Send test" sends. */
export function testMessage(at: number): AlertMessage {
  return {
    event: 'test',
    subject: 'test',
    title: `${ALERT_INSTANCE_NAME}: test message`,
    text: `This is a test from the alert settings, sent at ${alertTime(at)}. Alerts about failed backups, offsite copies, verifications and test restores will arrive here, and one message when each works again.`,
    at: new Date(at).toISOString(),
    instance: ALERT_INSTANCE_NAME,
  };
}
