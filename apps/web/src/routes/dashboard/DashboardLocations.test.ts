import { mount } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import type { DashboardSummary } from '../../api/server-types.ts';
import { setLocale } from '../../i18n/i18n.ts';
import DashboardLocations from './DashboardLocations.vue';
import { withI18n } from '@evidence-locker/web/testing/with-i18n';

type Location = DashboardSummary['locations'][number];

const NOW = Date.parse('2026-11-26T12:00:00Z');
const HOUR = 3_600_000;
const at = (hours: number): string => new Date(NOW - hours * HOUR).toISOString();
const NAME = 'docsight_backup_2026-11-26_090000.tar.gz';

const local = (overrides: Partial<Location> = {}): Location => ({
  kind: 'local',
  id: null,
  name: '/backups',
  where: '/backups',
  offMachine: false,
  newest: { name: NAME, madeAt: at(3), arrivedAt: null, ageSeconds: 3 * 3600, size: 1000, verification: { ok: true, at: at(2) } },
  holdsNewestBackup: true,
  copies: 4,
  status: 'ok',
  failure: null,
  nextRun: { at: new Date(NOW + 21 * HOUR).toISOString(), kind: 'schedule' },
  pushing: false,
  ...overrides,
});

const target = (overrides: Partial<Location> = {}): Location => ({
  kind: 'sftp',
  id: '6f1c3a52-1111-4e2e-9a7a-0c1d2e3f4a5b',
  name: 'NAS in the basement',
  where: 'sftp://backup@nas.lan/backups',
  offMachine: true,
  newest: { name: `${NAME}.age`, madeAt: at(3), arrivedAt: at(2.9), ageSeconds: 3 * 3600, size: null, verification: null },
  holdsNewestBackup: true,
  copies: 2,
  status: 'ok',
  failure: null,
  nextRun: { at: new Date(NOW + 21 * HOUR).toISOString(), kind: 'schedule' },
  pushing: false,
  ...overrides,
});

const copies = (overrides: Partial<DashboardSummary['copies']> = {}): DashboardSummary['copies'] => ({
  newest: { fileName: NAME, madeAt: at(3) },
  count: 2,
  places: 2,
  offMachine: 1,
  sameDiskAsData: true,
  rule: { copies: 3, places: 2, offMachine: 1, threeCopies: true, twoPlaces: true, oneOffMachine: true },
  ...overrides,
});

const testRestore = (overrides: Partial<DashboardSummary['testRestore']> = {}): DashboardSummary['testRestore'] => ({
  enabled: true,
  reason: null,
  intervalDays: 7,
  last: null,
  lastGood: null,
  nextRunAt: new Date(NOW + 48 * HOUR).toISOString(),
  running: false,
  ...overrides,
});

function render(props: {
  locations?: Location[];
  copies?: DashboardSummary['copies'];
  space?: DashboardSummary['space'];
  testRestore?: DashboardSummary['testRestore'];
}) {
  return mount(DashboardLocations, {
    global: withI18n(),
    props: {
      locations: props.locations ?? [local(), target()],
      copies: props.copies ?? copies(),
      space: props.space ?? { freeBytes: 42 * 1024 * 1024 * 1024, backupSize: 300 * 1024 * 1024, moreBackups: 143 },
      testRestore: props.testRestore ?? testRestore(),
      now: NOW,
    },
  });
}

const texts = (wrapper: ReturnType<typeof render>, testId: string): string[] =>
  wrapper.findAll(`[data-testid="${testId}"]`).map((element) => element.text());

/** A rule line's parts (mark, text, met or not) as a reader hears them, one space apart. */
const rule = (wrapper: ReturnType<typeof render>, testId: string): string[] =>
  wrapper.findAll(`[data-testid="${testId}"]`).map((element) =>
    element
      .findAll('span')
      .map((span) => span.text())
      .join(' '),
  );

afterEach(() => setLocale('en'));

describe('DashboardLocations', () => {
  it('shows each location, the backup directory first: where, on or off this machine, newest copy, verified, copies, next run', async () => {
    const wrapper = render({});
    expect(texts(wrapper, 'location-name')).toEqual(['Backup directory', 'NAS in the basement']);
    expect(texts(wrapper, 'location-where')).toEqual([
      'Folder · on this machine · /backups',
      'SFTP · off this machine · sftp://backup@nas.lan/backups',
    ]);
    expect(texts(wrapper, 'location-status')).toEqual(['OK', 'OK']);
    const [localNewest, targetNewest] = texts(wrapper, 'location-newest');
    expect(localNewest).toMatch(/^Newest copy 3 hours ago \(.+\) · verified · 4 copies$/);
    expect(targetNewest).toMatch(/^Newest copy 3 hours ago \(.+\) · 2 copies$/);
    const [localNext, targetNext] = texts(wrapper, 'location-next');
    expect(localNext).toMatch(/^Next scheduled backup in 21 hours \(/);
    expect(targetNext).toMatch(/^Gets the next scheduled backup in 21 hours \(/);

    setLocale('de');
    await wrapper.vm.$nextTick();
    expect(texts(wrapper, 'location-name')[0]).toBe('Sicherungsverzeichnis');
    expect(texts(wrapper, 'location-where')[1]).toBe('SFTP · außerhalb dieses Rechners · sftp://backup@nas.lan/backups');
    expect(texts(wrapper, 'location-newest')[0]).toMatch(/^Neueste Kopie vor 3 Stunden \(.+\) · geprüft · 4 Kopien$/);
  });

  it('says why a location fails in the user’s words, when it will try again, and which are stale or off', () => {
    const wrapper = render({
      locations: [
        local({ status: 'stale', newest: { ...local().newest!, madeAt: at(72), verification: null } }),
        target({
          status: 'failing',
          failure: { at: at(1), count: 3, code: 'TARGET_HOST_KEY_CHANGED', message: 'The key changed.', details: {} },
          nextRun: { at: new Date(NOW + 4 * 60_000).toISOString(), kind: 'retry' },
        }),
        target({ id: 'x', name: 'Old box', kind: 'webdav', status: 'off', newest: null, copies: 0, nextRun: null }),
        target({ id: 'y', name: 'New', status: 'stale', newest: null, copies: 0, pushing: true }),
      ],
    });
    const [stale, failing, off, fresh] = texts(wrapper, 'location-status');
    expect(stale).toBe('Stale: the newest copy was made 3 days ago');
    expect(failing).toMatch(/^Failing: .+/);
    expect(failing).not.toContain('The key changed.');
    expect(off).toBe('Off: turned off in its settings');
    expect(fresh).toBe('Stale: no copy there yet');
    expect(texts(wrapper, 'location-failure')).toEqual([expect.stringMatching(/^3 failures in a row, the last 1 hour ago \(/)]);
    expect(texts(wrapper, 'location-newest')[0]).toContain('not verified');
    expect(texts(wrapper, 'location-newest')[2]).toBe('No copy yet');
    expect(texts(wrapper, 'location-next')).toEqual([
      expect.stringMatching(/^Next scheduled backup/),
      expect.stringMatching(/^Next try in 4 minutes \(/),
      'Sending a copy now',
    ]);
    const statuses = wrapper.findAll('[data-testid="location"]').map((element) => element.attributes('data-status'));
    expect(statuses).toEqual(['stale', 'failing', 'off', 'stale']);
  });

  it('says a retry under a minute away and one already due in words that read, in English and German', async () => {
    const retry = (ms: number) => target({ status: 'failing', nextRun: { at: new Date(NOW + ms).toISOString(), kind: 'retry' } });
    const wrapper = render({
      locations: [retry(28_000), retry(-5_000), local({ nextRun: { at: new Date(NOW + 30_000).toISOString(), kind: 'schedule' } })],
    });
    const [soon, due, backup] = texts(wrapper, 'location-next');
    expect(soon).toMatch(/^Next try in less than a minute \(.+\)$/);
    expect(due).toMatch(/^Next try any moment \(.+\)$/);
    expect(backup).toMatch(/^Next scheduled backup in less than a minute \(/);
    for (const line of [soon, due, backup]) expect(line).not.toMatch(/\bnow\b/);
    setLocale('de');
    await wrapper.vm.$nextTick();
    expect(texts(wrapper, 'location-next').slice(0, 2)).toEqual([
      expect.stringMatching(/^Nächster Versuch in weniger als einer Minute \(.+\)$/),
      expect.stringMatching(/^Nächster Versuch jeden Moment \(.+\)$/),
    ]);
  });

  it('draws the 3-2-1 picture with each part met or not, and warns when the backups share the data’s disk', async () => {
    const good = render({ copies: copies({ sameDiskAsData: false }) });
    expect(texts(good, 'copies-newest')[0]).toMatch(/^The newest backup, made 3 hours ago \(.+\):$/);
    expect(rule(good, 'rule-copies')).toEqual(['✓ 3 copies, your live data included (3 recommended) (met)']);
    expect(rule(good, 'rule-places')).toEqual(['✓ on 2 different places (2 recommended) (met)']);
    expect(rule(good, 'rule-off')).toEqual(['✓ 1 off this machine (1 recommended) (met)']);
    expect(good.find('[data-testid="copies-same-disk"]').exists()).toBe(false);

    const alone = render({
      locations: [local()],
      copies: copies({
        count: 1,
        places: 1,
        offMachine: 0,
        rule: { copies: 2, places: 1, offMachine: 0, threeCopies: false, twoPlaces: false, oneOffMachine: false },
      }),
    });
    expect(rule(alone, 'rule-copies')).toEqual(['✕ 2 copies, your live data included (3 recommended) (not met)']);
    expect(rule(alone, 'rule-places')).toEqual(['✕ on 1 place (2 recommended) (not met)']);
    expect(rule(alone, 'rule-off')).toEqual(['✕ none off this machine (1 recommended) (not met)']);
    expect(texts(alone, 'copies-same-disk')).toEqual([
      'The backup directory is on the same disk as your data: one disk failure takes both.',
    ]);
    setLocale('de');
    await alone.vm.$nextTick();
    expect(rule(alone, 'rule-off')).toEqual(['✕ keine außerhalb dieses Rechners (1 empfohlen) (nicht erfüllt)']);

    const none = render({ copies: copies({ newest: null }) });
    expect(texts(none, 'copies-newest')).toEqual(['Es gibt noch keine Sicherung.']);
  });

  it('says how much space is free and how many more backups fit, and marks it when fewer than two do', () => {
    expect(texts(render({}), 'space-line')).toEqual(['42.0 GB free: room for about 143 more backups of 300.0 MB']);
    const low = render({ space: { freeBytes: 400 * 1024 * 1024, backupSize: 300 * 1024 * 1024, moreBackups: 1 } });
    expect(texts(low, 'space-line')).toEqual(['400.0 MB free: room for about 1 more backup of 300.0 MB']);
    expect(low.get('[data-testid="space-line"]').classes()).toContain('tone-danger');
    expect(texts(render({ space: { freeBytes: 5000, backupSize: null, moreBackups: null } }), 'space-line')).toEqual([
      '5 KB free in the backup directory.',
    ]);
    expect(texts(render({ space: { freeBytes: null, backupSize: 1000, moreBackups: null } }), 'space-line')).toEqual([
      'The free space of the backup directory cannot be read.',
    ]);
  });

  it('says restorable as of the last good test restore, a failed one with its cause, and when they are off', () => {
    const good = { ok: true, at: at(30), fileName: NAME, backupMadeAt: at(33) };
    const passed = render({ testRestore: testRestore({ last: good, lastGood: good }) });
    expect(texts(passed, 'test-restore-good')[0]).toMatch(/^Restorable as of .+ \(tested yesterday\)$/);
    expect(texts(passed, 'test-restore-next')[0]).toMatch(/^Next test restore in 2 days \(/);

    const failed = render({
      testRestore: testRestore({
        last: { ok: false, at: at(2), fileName: NAME, backupMadeAt: at(3), code: 'DATABASE_CORRUPT', message: 'corrupt', details: {} },
        lastGood: good,
      }),
    });
    expect(texts(failed, 'test-restore-failed')[0]).toMatch(/^The last test restore failed 2 hours ago \(.+\): .+/);
    expect(texts(failed, 'test-restore-good')).toHaveLength(1);

    const off = render({ testRestore: testRestore({ enabled: false, reason: 'demo mode', nextRunAt: null }) });
    expect(texts(off, 'test-restore-none')).toEqual(['No test restore yet.']);
    expect(texts(off, 'test-restore-off')).toEqual(['Test restores are off (demo mode).']);
  });
});
