/** German texts of every code the server can tell; the keys and parameters are those of error-messages-en.ts. */
import type { errorMessagesEn } from './error-messages-en.ts';

export const errorMessagesDe: Record<keyof typeof errorMessagesEn, string> = {
  // the archive container
  'error.ARCHIVE_EMPTY': 'Die Datei ist leer, also keine Sicherung.',
  'error.ARCHIVE_NOT_GZIP': 'Das ist kein Sicherungsarchiv: Die Datei ist nicht gzip-komprimiert (.tar.gz).',
  'error.ARCHIVE_TRUNCATED': 'Das Archiv endet zu früh: Die Datei ist unvollständig. Kopiere oder lade sie erneut herunter.',
  'error.ARCHIVE_CORRUPT': 'Das Archiv ist beschädigt: Seine komprimierten Daten lassen sich nicht lesen.',
  'error.ARCHIVE_TOO_LARGE': 'Das Archiv ist größer, als dieser Server annimmt.',
  'error.ARCHIVE_INVALID_TAR': 'Das Archiv ist beschädigt: Seine tar-Struktur lässt sich nicht lesen.',
  'error.ARCHIVE_NO_DATA': 'Die Sicherung enthält keine Datendateien, es gibt also nichts wiederherzustellen.',
  // its members
  'error.MEMBER_UNSAFE': 'Das Archiv enthält {name}, einen unsicheren Pfad (er könnte außerhalb des Datenverzeichnisses schreiben), und wird deshalb abgelehnt.',
  'error.MEMBER_NOT_REGULAR': 'Das Archiv enthält {name} nicht als gewöhnliche Datei und wird deshalb abgelehnt.',
  'error.MEMBER_DUPLICATE': 'Das Archiv enthält {name} mehrfach und wird deshalb abgelehnt.',
  'error.MEMBER_TOO_LARGE': 'Das Archiv enthält {name}, und diese Datei ist größer, als dieser Server annimmt.',
  'error.MEMBER_TOO_MANY': 'Das Archiv enthält mehr als {limit} Dateien und wird deshalb abgelehnt.',
  'error.MEMBER_CHECKSUM_MISMATCH': '{name} im Archiv passt nicht zu den Angaben in backup_meta.json: Die Sicherung ist beschädigt oder wurde verändert.',
  // backup_meta.json
  'error.META_MISSING': 'Dem Archiv fehlt backup_meta.json, es ist also keine DOCSight-Sicherung.',
  'error.META_NOT_FIRST': 'backup_meta.json muss im Archiv zuerst kommen, doch {first} steht davor.',
  'error.META_UNREADABLE': 'backup_meta.json im Archiv lässt sich nicht lesen.',
  'error.META_INVALID': 'backup_meta.json im Archiv ist ungültig.',
  'error.MAGIC_MISMATCH': 'backup_meta.json weist das Archiv nicht als DOCSight-Sicherung aus.',
  'error.FORMAT_VERSION_INVALID': 'backup_meta.json enthält keine gültige Formatversion.',
  // contents
  'error.DATABASE_CORRUPT': 'Eine Datenbank ist beschädigt: SQLite kann sie nicht lesen, oder ihre Integritätsprüfung schlug fehl.',
  'error.DATABASE_MISSING': 'Eine Datenbankdatei fehlt.',
  'error.DATABASE_IN_USE': '{file} ist in einer anderen App geöffnet (DOCSight oder eine andere App, die das Datenverzeichnis nutzt). Beende diese App und stelle dann wieder her.',
  'error.CONFIG_INVALID': 'config.json enthält keine gültigen JSON-Einstellungen.',
  'error.CONFIG_KEY_INVALID': 'Der Verschlüsselungsschlüssel (.config_key) ist ungültig.',
  'error.SECRET_UNDECRYPTABLE': 'Ein gespeichertes Geheimnis lässt sich mit diesem Schlüssel nicht entschlüsseln.',
  // the backup directory and paths
  'error.BACKUP_DIR_UNUSABLE': 'Das Sicherungsverzeichnis {path} ist nicht nutzbar: Der Server kann dort nicht lesen oder schreiben. Wähle ein anderes Verzeichnis oder korrigiere seine Rechte.',
  'error.BACKUP_NOT_FOUND': 'Die Sicherung {fileName} wurde nicht gefunden.',
  'error.BACKUP_NAME_INVALID': '{fileName} ist kein Name einer Sicherungsdatei.',
  'error.BACKUP_EXISTS': 'Eine Sicherung mit diesem Namen gibt es schon.',
  'error.PATH_NOT_ALLOWED': '{path} ist kein erlaubter Ort für Sicherungen.',
  'error.NOT_A_DIRECTORY': '{path} ist kein Verzeichnis.',
  'error.PERMISSION_DENIED': 'Zugriff verweigert: Der Server darf dort nicht lesen oder schreiben.',
  // resources and state
  'error.DISK_FULL': 'Es ist nicht genug Speicherplatz frei. Schaffe Platz und versuche es erneut.',
  'error.BUSY': 'Gerade läuft etwas anderes. Warte, bis es fertig ist, und versuche es dann erneut.',
  'error.CANCELLED': 'Es wurde abgebrochen.',
  'error.RESTORE_ROLLED_BACK': 'Die wiederhergestellte Instanz ließ sich nicht starten, deshalb wurde die Wiederherstellung rückgängig gemacht: Die Daten sind wie vorher.',
  'error.DATA_DIR_UNUSABLE': 'Das Datenverzeichnis ist nicht nutzbar; das Server-Protokoll nennt den Grund.',
  'error.INVALID_ARGUMENT': 'Dieser Wert ist ungültig.',
  // the server's own refusals
  'error.LOGIN_REQUIRED': 'Melde dich zuerst an: Diese Instanz hat ein Admin-Passwort.',
  'error.LOGIN_FAILED': 'Falsches Passwort.',
  'error.LOGIN_LOCKED': 'Zu viele fehlgeschlagene Anmeldungen von deiner Adresse. Versuche es in {seconds} Sekunden erneut.',
  'error.LOGIN_NOT_NEEDED': 'Es ist kein Admin-Passwort gesetzt, eine Anmeldung ist also nicht nötig.',
  'error.SETUP_UPLOAD_LIMIT': 'Zu viele Uploads von deiner Adresse: {limit} in der letzten Stunde. Versuche es in {minutes} Minuten erneut.',
  'error.SETUP_RESTORE_LIMIT': 'Zu viele Wiederherstellungen von deiner Adresse: {limit} in der letzten Stunde. Versuche es in {minutes} Minuten erneut.',
  'error.UPLOAD_GONE': 'Dieser Upload ist abgelaufen oder wurde schon verwendet; lade die Datei erneut hoch.',
  'error.UPLOAD_STALLED': 'Der Upload ist ins Stocken geraten: zu lange kam zu wenig an. Prüfe die Verbindung und lade die Datei erneut hoch.',
  'error.UPLOAD_TYPE_UNSUPPORTED': 'Das ist kein Archiv-Upload: sende die Sicherungsdatei selbst (application/octet-stream).',
  'error.JOB_NOT_FOUND': 'Der Server kennt diese Aufgabe nicht mehr (er wurde neu gestartet). Starte sie erneut.',
  'error.DEMO_NEEDS_FRESH_INSTANCE': 'Diese Instanz ist schon eingerichtet; der Demo-Modus startet nur auf einer frischen Instanz.',
  'error.DEMO_DISABLED': 'Der Demo-Modus ist auf diesem Server abgeschaltet (DEMO_MODE=false).',
  'error.SETUP_ALREADY_DONE': 'Diese Instanz ist schon eingerichtet; ändere ihre Einstellungen, statt die Einrichtung erneut zu starten.',
  'error.INTERNAL': 'Auf dem Server ist etwas schiefgegangen; sein Protokoll nennt die Einzelheiten.',

  // archive warnings
  'warning.DIRECTORY_SKIPPED': 'Der Ordner {name} im Archiv gehört nicht zu einer DOCSight-Sicherung und wurde übersprungen.',
  'warning.MEMBER_SKIPPED': 'Die Datei {name} im Archiv gehört nicht zu einer DOCSight-Sicherung und wurde übersprungen.',
  'warning.FORMAT_VERSION_NEWER': 'Diese Sicherung hat die Formatversion {version}, neuer als die Version {supported}, die dieses Programm kennt; sie wird trotzdem wiederhergestellt.',
  'warning.DEMO_MODE_LEFT': 'Die Sicherung stammt aus einer Demo-Instanz ohne Modem: Der Demo-Modus ist jetzt aus. Verbinde dein Modem, um fortzufahren.',
};
