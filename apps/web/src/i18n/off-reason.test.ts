import { describe, expect, it } from 'vitest';
import { i18n, setLocale } from './i18n.ts';
import { offReasonText } from './off-reason.ts';

describe('offReasonText', () => {
  it('says the server’s reasons in the user’s language, and an unknown one as it came', () => {
    const t = (key: string): string => i18n.global.t(key);
    setLocale('de');
    expect(offReasonText('turned off in the settings', t)).toBe(t('dashboard.protection.offDisabled'));
    expect(offReasonText('turned off in the settings', t)).not.toBe('turned off in the settings');
    expect(offReasonText('demo mode', t)).toBe(t('dashboard.protection.offDemo'));
    expect(offReasonText('something new', t)).toBe('something new');
    setLocale('en');
  });
});
