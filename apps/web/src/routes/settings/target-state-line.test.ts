import { afterEach, describe, expect, it } from 'vitest';
import { codeText } from '../../api/error-message.ts';
import { setLocale } from '../../i18n/i18n.ts';
import { targetStateLines } from './target-state-line.ts';

const NOW = Date.parse('2026-11-26T12:00:00Z');
const idle = { lastSuccessAt: null, lastSuccessName: null, lastFailure: null, nextTryAt: null, pushing: false };

afterEach(() => setLocale('en'));

describe('targetStateLines', () => {
  it('says a target that never got a copy', () => {
    expect(targetStateLines(idle, true, NOW)).toEqual([{ kind: 'never', text: 'No copy sent yet.' }]);
  });

  it('names the last copy and when, and that one is being sent now', () => {
    const lines = targetStateLines(
      { ...idle, pushing: true, lastSuccessAt: '2026-11-26T09:00:00Z', lastSuccessName: 'docsight_backup_2026-11-26_090000.tar.gz.age' },
      true,
      NOW,
    );
    expect(lines.map((line) => line.kind)).toEqual(['pushing', 'success']);
    expect(lines[0]?.text).toBe('Sending a copy now…');
    expect(lines[1]?.text).toMatch(/^Last copy: docsight_backup_2026-11-26_090000\.tar\.gz\.age, .*2026.* \(3 hours ago\)$/);
  });

  it("says the last failure in the user's words from its code, with the next try", () => {
    const state = {
      ...idle,
      lastSuccessAt: '2026-11-25T09:00:00Z',
      lastSuccessName: 'a.tar.gz',
      lastFailure: { at: '2026-11-26T11:00:00Z', code: 'TARGET_LOGIN_REFUSED', message: 'nas: refused' },
      nextTryAt: '2026-11-26T13:00:00Z',
    };
    const lines = targetStateLines(state, true, NOW);
    expect(lines.map((line) => line.kind)).toEqual(['success', 'failure', 'next']);
    expect(lines[1]?.text).toMatch(/^Last failure, .* \(1 hour ago\): The target refused the login: /);
    expect(lines[2]?.text).toMatch(/^Next try: .* \(in 1 hour\)$/);
    setLocale('de');
    const german = targetStateLines(state, true, NOW);
    expect(german[1]?.text).toMatch(/^Letzter Fehler, .* \(vor 1 Stunde\): /);
    expect(german[1]?.text).not.toContain('The target');
  });

  it('says a next try under a minute away or already due in words, not "now"', () => {
    const soon = targetStateLines({ ...idle, nextTryAt: new Date(NOW + 30_000).toISOString() }, true, NOW);
    expect(soon.at(-1)?.text).toMatch(/^Next try: .* \(in less than a minute\)$/);
    const due = targetStateLines({ ...idle, nextTryAt: new Date(NOW - 90_000).toISOString() }, true, NOW);
    expect(due.at(-1)?.text).toMatch(/^Next try: .* \(any moment\)$/);
    setLocale('de');
    expect(targetStateLines({ ...idle, nextTryAt: new Date(NOW + 30_000).toISOString() }, true, NOW).at(-1)?.text).toMatch(
      /^Nächster Versuch: .* \(in weniger als einer Minute\)$/,
    );
  });

  it("fills the failure text's facts from the record, in German too", () => {
    const state = {
      ...idle,
      lastFailure: {
        at: '2026-11-26T11:00:00Z',
        code: 'BACKUP_NOT_FOUND',
        message: 'The backup x was not found.',
        details: { fileName: 'docsight_backup_2026-11-26_110000.tar.gz' },
      },
    };
    expect(targetStateLines(state, true, NOW)[0]?.text).toContain('The backup docsight_backup_2026-11-26_110000.tar.gz was not found.');
    setLocale('de');
    const german = targetStateLines(state, true, NOW)[0]?.text ?? '';
    expect(german).toContain('docsight_backup_2026-11-26_110000.tar.gz');
    expect(german).not.toContain('The backup');
  });

  it("shows the server's message for a code without a text, and no next try for a disabled target", () => {
    const state = {
      ...idle,
      lastFailure: { at: '2026-11-26T11:00:00Z', code: 'SOMETHING_NEW', message: 'nas: odd' },
      nextTryAt: '2026-11-26T13:00:00Z',
    };
    const lines = targetStateLines(state, false, NOW);
    expect(lines.map((line) => line.kind)).toEqual(['failure']);
    expect(lines[0]?.text).toMatch(/: nas: odd$/);
  });

  it('forgets a failure that a later copy made good', () => {
    const state = {
      ...idle,
      lastSuccessAt: '2026-11-26T11:30:00Z',
      lastSuccessName: 'b.tar.gz',
      lastFailure: { at: '2026-11-26T11:00:00Z', code: 'TARGET_UNREACHABLE', message: 'down' },
    };
    expect(targetStateLines(state, true, NOW).map((line) => line.kind)).toEqual(['success']);
  });
});

describe('the target texts', () => {
  it('show the URL forms with their @ as written (vue-i18n reads a bare @ as a link to another text)', () => {
    expect(codeText('TARGET_URL_INVALID')).toContain('sftp://USER@HOST:PORT/DIR');
    setLocale('de');
    expect(codeText('TARGET_URL_INVALID')).toContain('sftp://BENUTZER@HOST:PORT/VERZEICHNIS');
  });
});
