/**
 * English texts of every code the server can tell (api/error-message.ts picks them): the engine's
 * errors, the server's own refusals (`error.<CODE>`) and the archive warnings (`warning.<CODE>`).
 * A `{name}` is a fact from the error's details; a text names only facts every error of its code
 * carries (otherwise the server's message is shown). The check below fails to compile when the
 * server has a code without a text here, and i18n/catalog-codes.test.ts checks both languages.
 */
import type { ArchiveWarningCode, ErrorCode } from '@evidence-locker/server';

export const errorMessagesEn = {
  // the archive container
  'error.ARCHIVE_EMPTY': 'The file is empty, so it is not a backup.',
  'error.ARCHIVE_NOT_GZIP': 'This is not a backup archive: the file is not gzip-compressed (.tar.gz).',
  'error.ARCHIVE_TRUNCATED': 'The archive ends too early: the file is incomplete. Copy or download it again.',
  'error.ARCHIVE_CORRUPT': 'The archive is damaged: its compressed data cannot be read.',
  'error.ARCHIVE_TOO_LARGE': 'The archive is larger than this server accepts.',
  'error.ARCHIVE_INVALID_TAR': 'The archive is damaged: its tar structure cannot be read.',
  'error.ARCHIVE_NO_DATA': 'The backup holds no data files, so there is nothing to restore.',
  // its members
  'error.MEMBER_UNSAFE': 'The archive holds {name}, an unsafe path (it could write outside the data directory), so it is refused.',
  'error.MEMBER_NOT_REGULAR': 'The archive holds {name} as something other than a regular file, so it is refused.',
  'error.MEMBER_DUPLICATE': 'The archive holds {name} more than once, so it is refused.',
  'error.MEMBER_TOO_LARGE': 'The archive holds {name}, which is larger than this server accepts.',
  'error.MEMBER_TOO_MANY': 'The archive holds more than {limit} files, so it is refused.',
  'error.MEMBER_CHECKSUM_MISMATCH': '{name} in the archive does not match what backup_meta.json records: the backup is damaged or was changed.',
  // backup_meta.json
  'error.META_MISSING': 'The archive has no backup_meta.json, so it is not a DOCSight backup.',
  'error.META_NOT_FIRST': 'backup_meta.json must come first in the archive, but {first} does.',
  'error.META_UNREADABLE': 'backup_meta.json in the archive cannot be read.',
  'error.META_INVALID': 'backup_meta.json in the archive is not valid.',
  'error.MAGIC_MISMATCH': 'backup_meta.json does not mark this as a DOCSight backup.',
  'error.FORMAT_VERSION_INVALID': 'backup_meta.json has no valid format version.',
  // contents
  'error.DATABASE_CORRUPT': 'A database is damaged: SQLite cannot read it or its integrity check failed.',
  'error.DATABASE_MISSING': 'A database file is missing.',
  'error.DATABASE_IN_USE': '{file} is open in another app (DOCSight, or another app that uses the data directory). Stop the app that uses it, then restore.',
  'error.CONFIG_INVALID': 'config.json is not valid JSON settings.',
  'error.CONFIG_KEY_INVALID': 'The encryption key (.config_key) is not valid.',
  'error.SECRET_UNDECRYPTABLE': 'A stored secret cannot be decrypted with this encryption key.',
  // the backup directory and paths
  'error.BACKUP_DIR_UNUSABLE': 'The backup directory {path} cannot be used: the server cannot read or write it. Choose another directory or fix its permissions.',
  'error.BACKUP_NOT_FOUND': 'The backup {fileName} was not found.',
  'error.BACKUP_NAME_INVALID': '{fileName} is not the name of a backup file.',
  'error.BACKUP_EXISTS': 'A backup with this name exists already.',
  'error.PATH_NOT_ALLOWED': '{path} is not an allowed place for backups.',
  'error.NOT_A_DIRECTORY': '{path} is not a directory.',
  'error.PERMISSION_DENIED': 'Permission denied: the server may not read or write there.',
  // resources and state
  'error.DISK_FULL': 'There is not enough free disk space. Free up space and try again.',
  'error.BUSY': 'Something else is in progress. Wait for it to finish, then try again.',
  'error.CANCELLED': 'It was cancelled.',
  'error.RESTORE_ROLLED_BACK': 'The restored instance could not start, so the restore was undone: the data is as it was before.',
  'error.DATA_DIR_UNUSABLE': 'The data directory cannot be used; the server log says why.',
  'error.INVALID_ARGUMENT': 'That value is not valid.',
  // the server's own refusals
  'error.LOGIN_REQUIRED': 'Log in first: this instance has an admin password.',
  'error.LOGIN_FAILED': 'Wrong password.',
  'error.LOGIN_LOCKED': 'Too many failed logins from your address. Try again in {seconds} seconds.',
  'error.LOGIN_NOT_NEEDED': 'No admin password is set, so there is nothing to log in to.',
  'error.SETUP_UPLOAD_LIMIT': 'Too many uploads from your address: {limit} in the last hour. Try again in {minutes} minutes.',
  'error.SETUP_RESTORE_LIMIT': 'Too many restores from your address: {limit} in the last hour. Try again in {minutes} minutes.',
  'error.UPLOAD_GONE': 'This upload has expired or was already used; upload the file again.',
  'error.UPLOAD_STALLED': 'The upload stalled: too little arrived for too long. Check the connection and upload the file again.',
  'error.UPLOAD_TYPE_UNSUPPORTED': 'This is not an archive upload: send the backup file itself (application/octet-stream).',
  'error.JOB_NOT_FOUND': 'This task is no longer known to the server (it restarted). Start it again.',
  'error.DEMO_NEEDS_FRESH_INSTANCE': 'This instance is already configured; demo mode can only start on a fresh instance.',
  'error.DEMO_DISABLED': 'Demo mode is switched off on this server (DEMO_MODE=false).',
  'error.SETUP_ALREADY_DONE': 'This instance is already configured; change its settings instead of running setup again.',
  'error.INTERNAL': 'Something went wrong on the server; its log has the details.',

  // archive warnings
  'warning.DIRECTORY_SKIPPED': 'The folder {name} in the archive is not part of a DOCSight backup and was skipped.',
  'warning.MEMBER_SKIPPED': 'The file {name} in the archive is not part of a DOCSight backup and was skipped.',
  'warning.FORMAT_VERSION_NEWER': 'This backup has format version {version}, newer than the {supported} this version knows; it is restored anyway.',
  'warning.DEMO_MODE_LEFT': 'The backup came from a demo instance without a modem: demo mode is now off. Connect your modem to continue.',
} as const;

// Fails to compile when the server can send a code that has no text above.
errorMessagesEn satisfies Record<`error.${ErrorCode}` | `warning.${ArchiveWarningCode}`, string>;
