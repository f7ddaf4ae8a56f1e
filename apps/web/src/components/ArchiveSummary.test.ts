import { mount } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { setLocale } from '../i18n/i18n.ts';
import type { ArchiveValidation } from '../api/server-types.ts';
import ArchiveSummary from './ArchiveSummary.vue';
import { withI18n } from '@evidence-locker/web/testing/with-i18n';

const NO_EVIDENCE = {
  signalSnapshots: 0,
  speedTests: 0,
  modemEvents: 0,
  journalEntries: 0,
  incidents: 0,
  journalAttachments: 0,
  broadbandMeasurements: 0,
  bqmGraphs: 0,
  weatherReadings: 0,
  connectionSamples: 0,
  traceroutes: 0,
};

const validation = (overrides: Partial<ArchiveValidation> = {}): ArchiveValidation => ({
  meta: {
    magic: 'docsight-backup',
    format_version: 1,
    timestamp: '2026-11-26T07:07:13.713745+00:00',
    app_version: 'v2026-08-21.1',
    tables: { snapshots: 2880, events: 19 },
    connection_monitor_tables: { connection_samples: 51840 },
  },
  files: ['backup_meta.json', 'docsis_history.db', 'config.json'],
  has_database: true,
  has_config: true,
  warnings: [],
  members: [],
  evidence: { ...NO_EVIDENCE, signalSnapshots: 2880, modemEvents: 19, connectionSamples: 51840 },
  ...overrides,
});

afterEach(() => setLocale('en'));

describe('ArchiveSummary', () => {
  it('shows version, files, configuration and the row counts as a table', () => {
    const restoredConfig = { configured: true, modem: true, leavesDemoMode: false, adminPassword: false };
    const wrapper = mount(ArchiveSummary, { global: withI18n(), props: { validation: validation(), size: 3_021_406, restoredConfig } });
    expect(wrapper.get('[data-testid="archive-version"]').text()).toBe('v2026-08-21.1');
    expect(wrapper.get('[data-testid="archive-config"]').text()).toBe('Included (modem settings and keys)');
    expect(wrapper.findAll('[data-testid="archive-files"] li').map((item) => item.text())).toEqual([
      'backup_meta.json',
      'docsis_history.db',
      'config.json',
    ]);
    const rows = wrapper.findAll('[data-testid="archive-tables"] tbody tr').map((row) => row.findAll('td').map((cell) => cell.text()));
    expect(rows).toEqual([
      ['snapshots', '2,880'],
      ['events', '19'],
      ['connection_monitor.connection_samples', '51,840'],
    ]);
    expect(wrapper.find('[data-testid="archive-warnings"]').exists()).toBe(false);
  });

  it("says what the archive holds in the user's words, and keeps table and file names under Details", async () => {
    const evidence = { ...NO_EVIDENCE, signalSnapshots: 2880, speedTests: 77, modemEvents: 19, journalEntries: 3, incidents: 1 };
    const wrapper = mount(ArchiveSummary, {
      global: withI18n(),
      props: { validation: validation({ evidence, files: ['backup_meta.json', 'docsis_history.db', '.session_key'] }), size: 10 },
    });
    expect(wrapper.get('[data-testid="evidence-words"]').text()).toBe(
      '2,880 signal snapshots, 77 speed tests, 19 modem events, 3 journal entries, 1 incident',
    );
    const details = wrapper.get('[data-testid="archive-details"]');
    expect(details.element.tagName).toBe('DETAILS');
    expect((details.element as HTMLDetailsElement).open).toBe(false);
    for (const name of ['.session_key', 'snapshots', 'connection_monitor.connection_samples']) {
      expect(details.text()).toContain(name);
    }
    // Outside the disclosure, no SQLite or file name shows.
    const outside = wrapper.text().replace(details.text(), '');
    expect(outside).not.toMatch(/_|\.session_key/);
    expect(wrapper.findAll('code').every((code) => details.element.contains(code.element))).toBe(true);

    setLocale('de');
    await wrapper.vm.$nextTick();
    expect(wrapper.get('[data-testid="evidence-words"]').text()).toBe(
      '2.880 Signalmessungen, 77 Speedtests, 19 Modem-Ereignisse, 3 Journal-Einträge und 1 Vorfall',
    );
  });

  it('says nothing about evidence when the meta has no row counts', () => {
    const wrapper = mount(ArchiveSummary, { global: withI18n(), props: { validation: validation({ evidence: null }), size: 10 } });
    expect(wrapper.find('[data-testid="evidence-words"]').exists()).toBe(false);
  });

  it('shows warnings and says when there is no configuration or date', () => {
    const wrapper = mount(ArchiveSummary, {
      global: withI18n(),
      props: {
        validation: validation({
          has_config: false,
          warnings: [
            {
              code: 'FORMAT_VERSION_NEWER',
              message: 'Backup format_version 2 is newer than supported 1 - attempting restore anyway',
              details: { version: 2, supported: 1 },
            },
          ],
          meta: { magic: 'docsight-backup', format_version: 2 },
        }),
        size: 10,
      },
    });
    expect(wrapper.get('[data-testid="archive-warnings"]').text()).toContain(
      'This backup has format version 2, newer than the 1 this version knows; it is restored anyway.',
    );
    expect(wrapper.get('[data-testid="archive-config"]').text()).toBe('Not included');
    expect(wrapper.get('[data-testid="archive-date"]').text()).toBe('Unknown');
    expect(wrapper.find('[data-testid="archive-tables"]').exists()).toBe(false);
  });

  it("shows the archive's warnings in the user's language, naming the skipped file", async () => {
    setLocale('de');
    const wrapper = mount(ArchiveSummary, {
      global: withI18n(),
      props: {
        validation: validation({
          warnings: [{ code: 'MEMBER_SKIPPED', message: 'Skipping unknown file in backup: notes.txt', details: { name: 'notes.txt' } }],
        }),
        size: 10,
      },
    });
    expect(wrapper.get('[data-testid="archive-warnings"] li').text()).toBe(
      'Die Datei notes.txt im Archiv gehört nicht zu einer DOCSight-Sicherung und wurde übersprungen.',
    );
  });

  it('says what a demo instance’s backup without a modem restores to, in German too', () => {
    const restoredConfig = { configured: false, modem: false, leavesDemoMode: true, adminPassword: false };
    const wrapper = mount(ArchiveSummary, { global: withI18n(), props: { validation: validation(), size: 10, restoredConfig } });
    expect(wrapper.get('[data-testid="archive-config"]').text()).toBe(
      'Included, from a demo instance without a modem: demo mode is turned off, and the setup continues with connecting your modem',
    );
    setLocale('de');
    return wrapper.vm.$nextTick().then(() => {
      expect(wrapper.get('[data-testid="archive-config"]').text()).toContain('Der Demo-Modus wird ausgeschaltet');
    });
  });
});
