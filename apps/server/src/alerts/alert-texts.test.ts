/**
 * The alerts' words in English and German: every subject's failure and recovery, the test message,
 * times as each language's readers expect them, and the channel's language with its defaults.
 */
import { describe, expect, it } from 'vitest';
import type { AlertSubject } from './alert-signals.ts';
import { alertLanguage, alertTime, failureMessage, recoveryMessage, testMessage } from './alert-texts.ts';

const AT = Date.parse('2026-12-05T14:03:27Z');
const SINCE = Date.parse('2026-11-28T09:05:00Z');
const SUBJECTS: AlertSubject[] = [
  { kind: 'scheduled-backup' },
  { kind: 'target', id: 't1', name: 'Basement NAS' },
  { kind: 'verification' },
  { kind: 'test-restore' },
  { kind: 'stale' },
];
const failure = {
  code: 'DIRECTORY_NOT_FOUND',
  message: '/mnt/nas does not exist.',
  at: AT,
  fileName: 'docsight_backup_2026-12-05.tar.gz',
};

describe('alertTime', () => {
  it('writes UTC times as each language writes them', () => {
    expect(alertTime(AT)).toBe('2026-12-05 14:03 UTC');
    expect(alertTime(AT, 'en')).toBe('2026-12-05 14:03 UTC');
    expect(alertTime(AT, 'de')).toBe('05.12.2026, 14:03 UTC');
    // Midnight is 00:00 in German, not 24:00.
    expect(alertTime(Date.parse('2027-01-01T00:00:00Z'), 'de')).toBe('01.01.2027, 00:00 UTC');
  });
});

describe('alertLanguage', () => {
  it("takes the channel's language, else DOCSight's saved language, else English", () => {
    expect(alertLanguage({ language: 'de' }, { language: 'en' })).toBe('de');
    expect(alertLanguage({ language: 'en' }, { language: 'de' })).toBe('en');
    expect(alertLanguage({}, { language: 'de' })).toBe('de');
    expect(alertLanguage({}, { language: 'de-AT' })).toBe('de');
    expect(alertLanguage({}, { language: 'en' })).toBe('en');
    // Languages DOCSight has and the alerts do not, and odd values, read as English.
    expect(alertLanguage({}, { language: 'fr' })).toBe('en');
    expect(alertLanguage({}, { language: 'deutsch' })).toBe('en');
    expect(alertLanguage({}, { language: 7 })).toBe('en');
    expect(alertLanguage({}, {})).toBe('en');
  });
});

describe('failure and recovery texts', () => {
  it('says each failure in English with the message, its code and the time', () => {
    const message = failureMessage({ kind: 'scheduled-backup' }, failure, 'en');
    expect(message).toMatchObject({
      event: 'failure',
      subject: 'scheduled-backup',
      title: 'Evidence Locker: the scheduled backup failed',
      code: 'DIRECTORY_NOT_FOUND',
      language: 'en',
      at: '2026-12-05T14:03:27.000Z',
    });
    expect(message.text).toBe(
      'The scheduled backup failed at 2026-12-05 14:03 UTC: /mnt/nas does not exist. (DIRECTORY_NOT_FOUND) It is retried after 1, 2, 4 … up to 60 minutes; you get one message when it works again, not one per retry.',
    );
  });

  it("says each failure in German, quoting the engine's English message with its code", () => {
    const message = failureMessage({ kind: 'scheduled-backup' }, failure, 'de');
    expect(message).toMatchObject({
      title: 'Evidence Locker: Die geplante Sicherung ist fehlgeschlagen',
      code: 'DIRECTORY_NOT_FOUND',
      language: 'de',
      at: '2026-12-05T14:03:27.000Z',
    });
    expect(message.text).toBe(
      'Die geplante Sicherung ist am 05.12.2026, 14:03 UTC fehlgeschlagen. Fehler DIRECTORY_NOT_FOUND: /mnt/nas does not exist. Sie wird nach 1, 2, 4 … bis zu 60 Minuten wiederholt; du bekommst eine Nachricht, sobald sie wieder gelingt, nicht eine pro Versuch.',
    );
    const target = failureMessage({ kind: 'target', id: 't1', name: 'Basement NAS' }, failure, 'de');
    expect(target.title).toBe('Evidence Locker: Kopien nach „Basement NAS“ schlagen fehl');
    expect(target.text).toContain(
      'Die externe Kopie von docsight_backup_2026-12-05.tar.gz nach „Basement NAS“ ist am 05.12.2026, 14:03 UTC',
    );
    expect(failureMessage({ kind: 'test-restore' }, { ...failure, message: 'Counts differ' }, 'de').text).toContain(
      'Fehler DIRECTORY_NOT_FOUND: Counts differ. Die Sicherung',
    );
  });

  it('has a German and an English title and text for every subject, each naming its times', () => {
    for (const subject of SUBJECTS) {
      for (const language of ['en', 'de'] as const) {
        const failed = failureMessage(
          subject,
          { ...failure, details: { dueAt: AT, intervalHours: 24, hours: 40, lastSuccessAt: SINCE } },
          language,
        );
        const recovered = recoveryMessage(subject, { at: AT, fileName: failure.fileName }, SINCE, language);
        for (const message of [failed, recovered]) {
          expect(message.language).toBe(language);
          expect(message.title).toMatch(/^Evidence Locker: \S/);
          // (The English stale text is stale-watch.ts's message, which names its times itself.)
          if (message === failed && subject.kind === 'stale' && language === 'en') continue;
          expect(message.text).toContain(alertTime(AT, language));
        }
        expect(recovered.text).toContain(alertTime(SINCE, language));
      }
      // The German words are German, not the English ones.
      expect(failureMessage(subject, failure, 'de').title).not.toBe(failureMessage(subject, failure, 'en').title);
      expect(recoveryMessage(subject, { at: AT }, SINCE, 'de').text).not.toContain(' at ');
    }
  });

  it("says the dead man's switch in German from its facts", () => {
    const stale = {
      code: 'BACKUP_STALE',
      message: 'The newest successful scheduled backup is from 2026-12-03 22:00 UTC, 40 hours ago; …',
      at: AT,
      details: {
        hours: 40,
        intervalHours: 24,
        dueAt: Date.parse('2026-12-05T10:00:00Z'),
        lastSuccessAt: Date.parse('2026-12-03T22:00:00Z'),
      },
    };
    expect(failureMessage({ kind: 'stale' }, stale, 'de').text).toBe(
      'Die neueste gelungene geplante Sicherung ist vom 03.12.2026, 22:00 UTC, vor 40 Stunden; der Zeitplan läuft alle 24 Stunden, und bis 05.12.2026, 10:00 UTC ist keine gelungen (anderthalb Intervalle). Sieh in den Einstellungen nach dem Sicherungszeitplan: Eine geplante Sicherung schlägt vielleicht fehl, oder der Zeitplan ist stehen geblieben. Du bekommst eine Nachricht, sobald wieder eine Sicherung gelingt.',
    );
    const never = { ...stale, details: { hours: 1, intervalHours: 1, dueAt: AT } };
    expect(failureMessage({ kind: 'stale' }, never, 'de').text).toMatch(
      /^Seit dem Start des Servers ist keine geplante Sicherung gelungen; der Zeitplan läuft jede Stunde, und bis 05\.12\.2026, 14:03 UTC/,
    );
    // A state recorded without the facts: the English message, with its code.
    expect(failureMessage({ kind: 'stale' }, { ...stale, details: undefined }, 'de').text).toMatch(/^Fehler BACKUP_STALE: The newest/);
  });

  it('says the recovery in German', () => {
    expect(recoveryMessage({ kind: 'scheduled-backup' }, { at: AT, fileName: 'b.tar.gz' }, SINCE, 'de')).toMatchObject({
      event: 'recovery',
      title: 'Evidence Locker: Geplante Sicherungen gelingen wieder',
      text: 'Die geplante Sicherung b.tar.gz ist am 05.12.2026, 14:03 UTC gelungen; seit 28.11.2026, 09:05 UTC war sie fehlgeschlagen.',
      language: 'de',
    });
  });
});

describe('testMessage', () => {
  it('is written in the asked language', () => {
    expect(testMessage(AT).title).toBe('Evidence Locker: test message');
    expect(testMessage(AT, 'en')).toMatchObject({ event: 'test', subject: 'test', language: 'en' });
    const german = testMessage(AT, 'de');
    expect(german).toMatchObject({ event: 'test', title: 'Evidence Locker: Testnachricht', language: 'de' });
    expect(german.text).toContain('gesendet am 05.12.2026, 14:03 UTC');
  });
});
