import { afterEach, describe, expect, it } from 'vitest';
import { i18n, initialLocale, setLocale } from './i18n.ts';

afterEach(() => setLocale('en'));

describe('i18n', () => {
  it('translates with parameters and follows the locale switch', () => {
    const { t } = i18n.global;
    expect(t('settings.now.saved', { name: 'a.tar.gz' })).toBe('Backup saved to server: a.tar.gz');
    setLocale('de');
    expect(t('settings.now.saved', { name: 'a.tar.gz' })).toBe('Sicherung auf dem Server gespeichert: a.tar.gz');
    expect(document.documentElement.lang).toBe('de');
  });

  it('stores the choice for the next visit', () => {
    setLocale('de');
    expect(initialLocale(localStorage.getItem('el.locale'), ['en-US'])).toBe('de');
  });

  it('reads keys whose last part has a hyphen, as the job steps and backup triggers do', () => {
    expect(i18n.global.t('job.phase.history-tables')).toBe('Writing events, speed tests and journal');
    expect(i18n.global.t('settings.list.triggers.pre-restore')).toBe('Before restore');
  });
});

describe('initialLocale', () => {
  it('prefers the stored choice, then the browser language, then English', () => {
    expect(initialLocale('de', ['en-US'])).toBe('de');
    expect(initialLocale(null, ['fr-FR', 'de-AT'])).toBe('de');
    expect(initialLocale('xx', ['fr'])).toBe('en');
  });
});
