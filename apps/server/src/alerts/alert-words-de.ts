/**
 * The alerts in German (alert-words.ts). A failure's own message comes from the engine in English
 * (the German texts of the codes are the web app's catalogs, which the server has no copy of), so
 * it is quoted with its code, which the settings and the dashboard show in German.
 */
import type { AlertFailure } from './alert-signals.ts';
import { numberFact, type AlertWords } from './alert-words.ts';

/** "Fehler CODE: the engine's message." */
function reasonOf(failure: AlertFailure): string {
  const message = failure.message.trim();
  return `Fehler ${failure.code}: ${message}${/[.!?:]$/.test(message) ? '' : '.'}`;
}

function hours(count: number): string {
  return count === 1 ? 'einer Stunde' : `${count} Stunden`;
}

/** The dead man's switch's facts (stale-watch.ts sends them); the English message when they are missing. */
function staleFacts(failure: AlertFailure, time: (at: number) => string): string {
  const dueAt = numberFact(failure, 'dueAt');
  const interval = numberFact(failure, 'intervalHours');
  const ago = numberFact(failure, 'hours');
  const last = numberFact(failure, 'lastSuccessAt');
  if (dueAt === undefined || interval === undefined) return reasonOf(failure);
  const newest =
    last === undefined || ago === undefined
      ? 'Seit dem Start des Servers ist keine geplante Sicherung gelungen'
      : `Die neueste gelungene geplante Sicherung ist vom ${time(last)}, vor ${hours(ago)}`;
  const every = interval === 1 ? 'jede Stunde' : `alle ${interval} Stunden`;
  return `${newest}; der Zeitplan läuft ${every}, und bis ${time(dueAt)} ist keine gelungen (anderthalb Intervalle).`;
}

export const ALERT_WORDS_DE: AlertWords = {
  failure(subject, failure, time) {
    const reason = reasonOf(failure);
    const file = failure.fileName === undefined ? '' : ` ${failure.fileName}`;
    const of = failure.fileName === undefined ? '' : ` von ${failure.fileName}`;
    const at = time(failure.at);
    switch (subject.kind) {
      case 'scheduled-backup':
        return {
          title: 'Die geplante Sicherung ist fehlgeschlagen',
          text: `Die geplante Sicherung ist am ${at} fehlgeschlagen. ${reason} Sie wird nach 1, 2, 4 … bis zu 60 Minuten wiederholt; du bekommst eine Nachricht, sobald sie wieder gelingt, nicht eine pro Versuch.`,
        };
      case 'target':
        return {
          title: `Kopien nach „${subject.name}“ schlagen fehl`,
          text: `Die externe Kopie${of} nach „${subject.name}“ ist am ${at} fehlgeschlagen. ${reason} Sie wird von selbst wiederholt; die Sicherungen auf diesem Rechner sind davon nicht betroffen. Du bekommst eine Nachricht, sobald wieder Kopien ankommen.`,
        };
      case 'verification':
        return {
          title: 'Eine neue Sicherung hat die Prüfung nicht bestanden',
          text: `Die Sicherung${file} wurde gleich nach dem Schreiben geprüft und ist am ${at} durchgefallen. ${reason} Verlass dich nicht auf sie: Erstelle eine neue Sicherung und sieh dir den Datenträger des Sicherungsverzeichnisses an. Du bekommst eine Nachricht, sobald neue Sicherungen die Prüfung wieder bestehen.`,
        };
      case 'test-restore':
        return {
          title: 'Die Test-Wiederherstellung ist fehlgeschlagen',
          text: `Die Test-Wiederherstellung${of} ist am ${at} fehlgeschlagen. ${reason} Die Sicherung lässt sich so vielleicht nicht wiederherstellen; die laufenden Daten wurden nicht angerührt. Du bekommst eine Nachricht, sobald eine Test-Wiederherstellung wieder gelingt.`,
        };
      case 'stale':
        return {
          title: 'Zu lange keine erfolgreiche Sicherung',
          text: `${staleFacts(failure, time)} Sieh in den Einstellungen nach dem Sicherungszeitplan: Eine geplante Sicherung schlägt vielleicht fehl, oder der Zeitplan ist stehen geblieben. Du bekommst eine Nachricht, sobald wieder eine Sicherung gelingt.`,
        };
    }
  },

  recovery(subject, success, since, time) {
    const file = success.fileName === undefined ? '' : ` ${success.fileName}`;
    const of = success.fileName === undefined ? '' : ` von ${success.fileName}`;
    const at = time(success.at);
    const from = time(since);
    switch (subject.kind) {
      case 'scheduled-backup':
        return {
          title: 'Geplante Sicherungen gelingen wieder',
          text: `Die geplante Sicherung${file} ist am ${at} gelungen; seit ${from} war sie fehlgeschlagen.`,
        };
      case 'target':
        return {
          title: `Kopien kommen wieder in „${subject.name}“ an`,
          text: `Die externe Kopie${of} ist am ${at} in „${subject.name}“ angekommen; seit ${from} waren die Kopien fehlgeschlagen.`,
        };
      case 'verification':
        return {
          title: 'Neue Sicherungen bestehen die Prüfung wieder',
          text: `Die Sicherung${file} hat die Prüfung am ${at} bestanden; seit ${from} waren die Prüfungen fehlgeschlagen.`,
        };
      case 'test-restore':
        return {
          title: 'Die Test-Wiederherstellung gelingt wieder',
          text: `Die Test-Wiederherstellung${of} ist am ${at} gelungen, nach Fehlschlägen seit ${from}: Die Sicherung lässt sich wiederherstellen.`,
        };
      case 'stale':
        return {
          title: 'Die Sicherungen sind wieder aktuell',
          text: `Eine Sicherung${file} ist am ${at} gelungen; seit ${from} hatten Sicherungen gefehlt.`,
        };
    }
  },

  test(at, time) {
    return {
      title: 'Testnachricht',
      text: `Dies ist ein Test aus den Alarm-Einstellungen, gesendet am ${time(at)}. Hier kommen Alarme an, wenn Sicherungen, externe Kopien, Prüfungen oder Test-Wiederherstellungen fehlschlagen, und jeweils eine Nachricht, sobald es wieder geht.`,
    };
  },
};
