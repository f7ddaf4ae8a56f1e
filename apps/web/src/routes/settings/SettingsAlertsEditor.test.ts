/**
 * The alert channel editor's "Language of the messages": a new channel starts in the page's
 * language, a stored one shows its own, a ping (which writes no words) has none, and what is
 * chosen is what Save sends; a value the server refuses is named at the field in the user's
 * language. The tRPC client is replaced (the server's side is alerts.test.ts in apps/server).
 */
import { flushPromises, mount } from '@vue/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setLocale } from '../../i18n/i18n.ts';
import type { AlertChannelItem } from './alert-channel-form.ts';
import SettingsAlertsEditor from './SettingsAlertsEditor.vue';
import { withI18n } from '@evidence-locker/web/testing/with-i18n';

const calls = vi.hoisted(() => ({ add: vi.fn(), update: vi.fn(), test: vi.fn() }));
vi.mock('../../api/trpc-client.ts', () => ({
  trpc: {
    alerts: {
      add: { mutate: calls.add },
      update: { mutate: calls.update },
      test: { mutate: calls.test },
    },
  },
}));

const stored: AlertChannelItem = {
  id: '5c1c3c39-2b8a-4e55-9a0f-3e8c8f1f5a11',
  kind: 'webhook',
  name: 'Hook',
  enabled: true,
  createdAt: '2026-12-01T10:00:00.000Z',
  language: 'en',
  secretsSet: { url: true, token: false, urls: false, password: false },
  where: 'https://hooks.example.org',
  lastDelivery: null,
};

function mountEditor(editing: AlertChannelItem | 'new') {
  return mount(SettingsAlertsEditor, { global: withI18n(), props: { editing }, attachTo: document.body });
}

/** The language select, found by its label's text. */
function languageSelect(wrapper: ReturnType<typeof mountEditor>, label: string) {
  const labelled = wrapper.findAll('label').find((candidate) => candidate.text() === label);
  expect(labelled, `a label "${label}"`).toBeDefined();
  return wrapper.get<HTMLSelectElement>(`#${CSS.escape(labelled!.attributes('for')!)}`);
}

beforeEach(() => {
  calls.add.mockReset();
  calls.update.mockReset();
  calls.test.mockReset();
});
afterEach(() => setLocale('en'));

describe('SettingsAlertsEditor: the language of the messages', () => {
  it("starts a new channel in the page's language, offers English and German, and saves the choice", async () => {
    setLocale('de');
    const wrapper = mountEditor('new');
    const select = languageSelect(wrapper, 'Sprache der Nachrichten');
    expect(select.element.value).toBe('de');
    expect(select.findAll('option').map((option) => option.text())).toEqual(['English', 'Deutsch']);
    expect(wrapper.text()).toContain('In dieser Sprache werden Alarme, Entwarnungen und Testnachrichten');

    await wrapper.get('input[type="text"]').setValue('Telefon');
    await wrapper.get('input[type="url"]').setValue('https://hooks.example.org/h');
    await select.setValue('en');
    calls.add.mockResolvedValue({ name: 'Telefon' });
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(calls.add).toHaveBeenCalledWith(expect.objectContaining({ kind: 'webhook', name: 'Telefon', language: 'en' }));
    expect(wrapper.emitted('saved')).toEqual([['Telefon']]);
  });

  it("starts in English on an English page, shows a stored channel's language, and keeps it across a change of kind", async () => {
    const fresh = mountEditor('new');
    expect(languageSelect(fresh, 'Language of the messages').element.value).toBe('en');
    await languageSelect(fresh, 'Language of the messages').setValue('de');
    await fresh.get('select').setValue('ntfy');
    expect(languageSelect(fresh, 'Language of the messages').element.value).toBe('de');
    // A ping writes no words: no language to choose.
    await fresh.get('select').setValue('ping');
    expect(fresh.findAll('label').map((label) => label.text())).not.toContain('Language of the messages');

    setLocale('de');
    const edit = mountEditor({ ...stored, language: 'en' });
    expect(languageSelect(edit, 'Sprache der Nachrichten').element.value).toBe('en');
  });

  it("names the language field in the user's language when the server refuses its value", async () => {
    setLocale('de');
    const wrapper = mountEditor(stored);
    calls.update.mockRejectedValue(
      Object.assign(new Error('The alert channel "Hook" cannot be saved: language is "en" (English) or "de" (German).'), {
        data: { lockerCode: 'INVALID_ARGUMENT', details: { id: stored.id, field: 'language' } },
      }),
    );
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(calls.update).toHaveBeenCalledWith(expect.objectContaining({ id: stored.id, language: 'en' }));
    const select = languageSelect(wrapper, 'Sprache der Nachrichten');
    expect(select.attributes('aria-invalid')).toBe('true');
    expect(wrapper.text()).toContain('Die Nachrichten können nur auf Englisch oder Deutsch geschrieben werden.');
    expect(wrapper.emitted('saved')).toBeUndefined();
  });

  it("sends the test in the form's language before saving", async () => {
    const wrapper = mountEditor({ ...stored, language: 'de' });
    calls.test.mockResolvedValue({ elapsedMs: 12 });
    await wrapper.get('[data-testid="alert-editor-test"]').trigger('click');
    await flushPromises();
    expect(calls.test).toHaveBeenCalledWith({ id: stored.id, draft: expect.objectContaining({ language: 'de' }) });
  });
});
