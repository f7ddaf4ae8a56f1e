/** The alerts in English (alert-words.ts). */
import type { AlertWords } from './alert-words.ts';

export const ALERT_WORDS_EN: AlertWords = {
  failure(subject, failure, time) {
    const reason = `${failure.message.trim()} (${failure.code})`;
    const file = failure.fileName === undefined ? '' : ` ${failure.fileName}`;
    const at = time(failure.at);
    switch (subject.kind) {
      case 'scheduled-backup':
        return {
          title: 'the scheduled backup failed',
          text: `The scheduled backup failed at ${at}: ${reason} It is retried after 1, 2, 4 … up to 60 minutes; you get one message when it works again, not one per retry.`,
        };
      case 'target':
        return {
          title: `copies to "${subject.name}" fail`,
          text: `The offsite copy${file} to "${subject.name}" failed at ${at}: ${reason} It is retried by itself; the backups on this machine are not affected. You get one message when copies arrive again.`,
        };
      case 'verification':
        return {
          title: 'a new backup failed its verification',
          text: `The backup${file} was checked right after it was written and failed at ${at}: ${reason} Do not rely on it; make a new backup and look at the backup directory's disk. You get one message when new backups verify again.`,
        };
      case 'test-restore':
        return {
          title: 'the test restore failed',
          text: `The test restore${file === '' ? '' : ` of${file}`} failed at ${at}: ${reason} The backup may not be restorable as it is; the live data was not touched. You get one message when a test restore succeeds again.`,
        };
      case 'stale':
        return {
          title: 'no successful backup for too long',
          text: `${failure.message.trim()} Look at the backup schedule in the settings: a scheduled backup may be failing, or the schedule may have stopped. You get one message when a backup succeeds again.`,
        };
    }
  },

  recovery(subject, success, since, time) {
    const file = success.fileName === undefined ? '' : ` ${success.fileName}`;
    const at = time(success.at);
    const after = `after failing since ${time(since)}`;
    switch (subject.kind) {
      case 'scheduled-backup':
        return { title: 'scheduled backups work again', text: `The scheduled backup${file} succeeded at ${at}, ${after}.` };
      case 'target':
        return {
          title: `copies to "${subject.name}" arrive again`,
          text: `The offsite copy${file} arrived at "${subject.name}" at ${at}, ${after}.`,
        };
      case 'verification':
        return { title: 'new backups verify again', text: `The backup${file} passed its check at ${at}, ${after}.` };
      case 'test-restore':
        return {
          title: 'the test restore succeeds again',
          text: `The test restore${file === '' ? '' : ` of${file}`} succeeded at ${at}, ${after}: the backup is restorable.`,
        };
      case 'stale':
        return {
          title: 'backups are current again',
          text: `A backup${file} succeeded at ${at}; backups had been missing since ${time(since)}.`,
        };
    }
  },

  test(at, time) {
    return {
      title: 'test message',
      text: `This is a test from the alert settings, sent at ${time(at)}. Alerts about failed backups, offsite copies, verifications and test restores will arrive here, and one message when each works again.`,
    };
  },
};
