import { afterEach, describe, expect, it } from 'vitest';
import { setLocale } from '../i18n/i18n.ts';
import { codeText, errorMessage } from './error-message.ts';
import { UploadError } from './upload-archive.ts';

afterEach(() => setLocale('en'));

/** What the tRPC client throws for a refused call: the server's message, and its code in `data`. */
function trpcError(message: string, data: Record<string, unknown>): Error {
  return Object.assign(new Error(message), { name: 'TRPCClientError', data });
}

describe('errorMessage', () => {
  it("shows an engine error in the user's language by its code, not the server's English", () => {
    setLocale('de');
    const refused = new UploadError('ARCHIVE_NOT_GZIP', 'Invalid archive: not a gzip file', 400);
    expect(errorMessage(refused, 'x')).toBe('Das ist kein Sicherungsarchiv: Die Datei ist nicht gzip-komprimiert (.tar.gz).');
  });

  it('names the facts the server sent with the code', () => {
    setLocale('de');
    const job = {
      code: 'MEMBER_CHECKSUM_MISMATCH',
      message: 'Invalid backup: checksum mismatch for docsis_history.db',
      details: { name: 'docsis_history.db' },
    };
    expect(errorMessage(job, 'x')).toBe(
      'docsis_history.db im Archiv passt nicht zu den Angaben in backup_meta.json: Die Sicherung ist beschädigt oder wurde verändert.',
    );
    const limited = trpcError('Too many restores from your address: 5 in the last hour. Try again in 42 minutes.', {
      code: 'TOO_MANY_REQUESTS',
      lockerCode: 'SETUP_RESTORE_LIMIT',
      details: { limit: 5, minutes: 42 },
    });
    expect(errorMessage(limited, 'x')).toBe(
      'Zu viele Wiederherstellungen von deiner Adresse: 5 in der letzten Stunde. Versuche es in 42 Minuten erneut.',
    );
  });

  it("falls back to the server's message for a code it has no text for, or a text whose facts are missing", () => {
    setLocale('de');
    expect(errorMessage(new UploadError('FST_ERR_CTP_INVALID_MEDIA_TYPE', 'Unsupported Media Type', 415), 'x')).toBe(
      'Unsupported Media Type',
    );
    expect(errorMessage({ code: 'BACKUP_NOT_FOUND', message: 'Backup file not found: /tmp/a.tar.gz', details: {} }, 'x')).toBe(
      'Backup file not found: /tmp/a.tar.gz',
    );
    // A validation problem carries no code: its message is shown as the server wrote it.
    expect(errorMessage(trpcError('Enter the admin password.', { code: 'BAD_REQUEST', lockerCode: null }), 'x')).toBe(
      'Enter the admin password.',
    );
  });

  it('gives the fallback when the server never answered', () => {
    expect(errorMessage(new UploadError('NETWORK', '', 0), 'The server could not be reached.')).toBe('The server could not be reached.');
    expect(errorMessage(new TypeError('Failed to fetch'), 'The server could not be reached.')).toBe('The server could not be reached.');
    expect(errorMessage(undefined, 'fallback')).toBe('fallback');
  });
});

describe('codeText', () => {
  it('is undefined for an unknown code, so the caller shows what the server said', () => {
    expect(codeText('NOT_A_CODE')).toBeUndefined();
    expect(codeText('UPLOAD_GONE')).toBe('This upload has expired or was already used; upload the file again.');
  });
});
