import { mount, RouterLinkStub } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import type { DashboardSummary } from '../../api/server-types.ts';
import { setLocale } from '../../i18n/i18n.ts';
import DashboardProtection from './DashboardProtection.vue';
import { withI18n } from '@evidence-locker/web/testing/with-i18n';

type Protection = DashboardSummary['protection'];

const NOW = Date.parse('2026-11-26T12:00:00Z');
const HOUR = 3_600_000;
const at = (hoursAgo: number): string => new Date(NOW - hoursAgo * HOUR).toISOString();

const protection = (overrides: Partial<Protection> = {}): Protection => ({
  state: 'protected',
  backupPath: '/backups',
  copies: 4,
  earlierPaths: [],
  newestBackup: { fileName: 'docsight_backup_2026-11-26_090000.tar.gz', dir: '/backups', size: 1000, modified: at(3) },
  lastDownloadAt: null,
  lastCopyAt: at(3),
  lastCopyFile: 'docsight_backup_2026-11-26_090000.tar.gz',
  scheduled: true,
  scheduleOffReason: null,
  nextBackupAt: new Date(NOW + 21 * HOUR).toISOString(),
  failure: null,
  fixSection: null,
  backups: [],
  ...overrides,
});

function render(value: Protection) {
  return mount(DashboardProtection, {
    global: { ...withI18n(), stubs: { RouterLink: RouterLinkStub } },
    props: { protection: value, now: NOW },
  });
}

afterEach(() => setLocale('en'));

describe('DashboardProtection', () => {
  it('says protected with the age, the copies and where they are, and the next run', async () => {
    const wrapper = render(protection());
    expect(wrapper.get('[data-testid="protection-line"]').text()).toBe('Protected: last backup 3 hours ago, 4 copies in /backups');
    expect(wrapper.get('[data-testid="protection-schedule"]').text()).toMatch(/^Next scheduled backup in 21 hours \(/);
    expect(wrapper.find('[data-testid="protection-fix"]').exists()).toBe(false);
    expect(wrapper.get('[data-testid="protection-last"]').text()).toMatch(/ · docsight_backup_2026-11-26_090000\.tar\.gz$/);
    setLocale('de');
    await wrapper.vm.$nextTick();
    expect(wrapper.get('[data-testid="protection-line"]').text()).toBe('Geschützt: letzte Sicherung vor 3 Stunden, 4 Kopien in /backups');
  });

  it('says failing since when, with the cause in the user’s words, and links to the section that fixes it', () => {
    const wrapper = render(
      protection({
        state: 'failing',
        fixSection: 'automatic-backups',
        failure: {
          since: at(50),
          count: 7,
          code: 'BACKUP_DIR_UNUSABLE',
          message: 'Backup directory /backups cannot be used.',
          details: { path: '/backups' },
        },
      }),
    );
    const line = wrapper.get('[data-testid="protection-line"]').text();
    expect(line).toMatch(/^Backups failing since 2 days ago \(.+\): The backup directory \/backups cannot be used/);
    expect(wrapper.get('[data-testid="protection-failures"]').text()).toMatch(
      /^7 failed attempts in a row; the last backup that worked: 3 hours ago/,
    );
    const fix = wrapper.getComponent(RouterLinkStub);
    expect(fix.props('to')).toEqual({ name: 'settings', hash: '#automatic-backups' });
    expect(fix.text()).toBe('Fix it in the settings');
  });

  it('counts a download as the last copy, names earlier directories, and says when nothing is protected', () => {
    const downloaded = render(
      protection({
        copies: 0,
        newestBackup: null,
        lastDownloadAt: at(1),
        lastCopyAt: at(1),
        lastCopyFile: null,
        earlierPaths: [{ path: '/old', copies: 2 }],
      }),
    );
    expect(downloaded.get('[data-testid="protection-line"]').text()).toBe(
      'Protected: last copy downloaded 1 hour ago, no copies in /backups',
    );
    expect(downloaded.get('[data-testid="protection-earlier"]').text()).toBe('2 more copies in /old, where backups went before');
    expect(downloaded.get('[data-testid="protection-last"]').text()).not.toContain('docsight_backup_');

    const none = render(
      protection({
        state: 'unprotected',
        copies: 0,
        newestBackup: null,
        lastCopyAt: null,
        lastCopyFile: null,
        fixSection: 'automatic-backups',
        scheduled: false,
        scheduleOffReason: 'turned off in the settings',
      }),
    );
    expect(none.get('[data-testid="protection-line"]').text()).toBe('Not protected: there is no backup yet');
    expect(none.get('[data-testid="protection-schedule"]').text()).toBe('Scheduled backups are off (turned off in the settings).');
    expect(none.getComponent(RouterLinkStub).text()).toBe('Set up backups');
  });
});
