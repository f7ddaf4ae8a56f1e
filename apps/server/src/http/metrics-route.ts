/**
 * `GET /metrics`: the backups' health in the Prometheus text format (version 0.0.4, written by
 * prom-client), for Prometheus, Grafana Agent/Alloy, VictoriaMetrics and the like. Each scrape reads
 * the same facts as the dashboard's status (health/read-health.ts): the backup directory's listing,
 * the targets' records, the free space, the schedule, the verifications and the test restores; no
 * remote listing and no database work, so a scrape every 15 s costs next to nothing.
 *
 * Protection: like /api/health, no login, because scrapers carry no session cookie and the product
 * has no API tokens (docs/docsight-compatibility.md, D13). So it holds only numbers and states: no
 * path, host name, user name, file name or secret. Locations are labelled `location` (a target's
 * name as the user gave it; `backup directory` for the backup directory) and `kind` (`local`,
 * `s3`, `sftp`, `webdav`). The Host rule still applies (a scraper must use an allowed host name).
 * Timestamps are Unix seconds; a metric whose value is unknown (no backup yet, never verified, no
 * test restore yet) is left out rather than written as 0.
 *
 * The metrics, all gauges:
 *   evidence_locker_protection_state{state}                           1 for the dashboard's state (protected, overdue, failing, unprotected), 0 for the others
 *   evidence_locker_backup_newest_timestamp_seconds                   when the backup directory's newest backup was made
 *   evidence_locker_backup_newest_age_seconds                         how old it is
 *   evidence_locker_backup_newest_size_bytes                          its size
 *   evidence_locker_backup_newest_verification{result}                1 for passed, failed or never, 0 for the others
 *   evidence_locker_backup_newest_verified_timestamp_seconds          when it was verified
 *   evidence_locker_backup_dir_free_bytes                             free space for the backup directory
 *   evidence_locker_backup_dir_backups_fit                            how many more backups of today's size fit
 *   evidence_locker_schedule_enabled                                  1 while scheduled backups run
 *   evidence_locker_schedule_last_success_timestamp_seconds           the last scheduled backup that worked
 *   evidence_locker_schedule_next_run_timestamp_seconds               the next scheduled backup
 *   evidence_locker_schedule_consecutive_failures                     scheduled backups failed in a row
 *   evidence_locker_location_status{location,kind,status}             1 for the location's status (ok, failing, stale, off), 0 for the others
 *   evidence_locker_location_newest_copy_timestamp_seconds{location,kind}  when its newest copy was made
 *   evidence_locker_location_newest_copy_age_seconds{location,kind}   how old that copy is
 *   evidence_locker_location_copies{location,kind}                    backups there (a target: those this instance sent)
 *   evidence_locker_location_consecutive_failures{location,kind}      failures since its last success
 *   evidence_locker_location_off_machine{location,kind}               1 when it is off this machine
 *   evidence_locker_newest_backup_copies                              locations holding the newest backup
 *   evidence_locker_newest_backup_places                              distinct places (disks, hosts) holding it
 *   evidence_locker_newest_backup_off_machine_copies                  of those locations, how many are off this machine
 *   evidence_locker_test_restore_enabled                              1 while test restores run on their schedule
 *   evidence_locker_test_restore_last_success                         1 when the last test restore passed, 0 when it failed
 *   evidence_locker_test_restore_last_timestamp_seconds               when the last test restore finished
 *   evidence_locker_test_restore_restorable_as_of_timestamp_seconds   the backup time the last passing test restore proved
 *   evidence_locker_test_restore_next_run_timestamp_seconds           when the next test restore starts
 */
import type { FastifyInstance } from 'fastify';
import { Gauge, Registry } from 'prom-client';
import { PROTECTION_STATES } from '../backups/backup-protection.ts';
import { LOCATION_STATUSES } from '../health/location-health.ts';
import { readHealth, type Health, type HealthServices } from '../health/read-health.ts';

const PREFIX = 'evidence_locker_';

/** The label a location has in /metrics: its name for a target, `backup directory` for the backup directory. */
export function metricsLocationName(location: Health['locations'][number]): string {
  return location.kind === 'local' ? 'backup directory' : location.name;
}

/** Unix seconds of an ISO time, or undefined when it is missing or unreadable. */
function seconds(iso: string | null | undefined): number | undefined {
  if (iso === null || iso === undefined) return undefined;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

type Sample = { labels?: Record<string, string>; value: number | undefined };

/** Renders the health as Prometheus text (the file comment lists the metrics). */
export async function renderMetrics(health: Health): Promise<{ contentType: string; body: string }> {
  const registry = new Registry();
  const gauge = (name: string, help: string, samples: Sample[], labelNames: string[] = []): void => {
    const metric = new Gauge({ name: PREFIX + name, help, labelNames, registers: [registry] });
    for (const sample of samples) {
      if (sample.value === undefined) continue;
      if (sample.labels) metric.set(sample.labels, sample.value);
      else metric.set(sample.value);
    }
    // A labelless gauge never set would read 0: an unknown value is left out instead.
    if (labelNames.length === 0 && samples.every((sample) => sample.value === undefined)) registry.removeSingleMetric(PREFIX + name);
  };
  const one = (value: number | undefined): Sample[] => [{ value }];
  const flag = (value: boolean): number => (value ? 1 : 0);

  const { protection, locations, copies, space, schedule, testRestore } = health;
  const local = locations[0];
  const newest = local?.newest ?? null;
  const verification = newest?.verification ?? null;

  gauge(
    'protection_state',
    "1 for the dashboard's protection state (protected, overdue, failing, unprotected), 0 for the others.",
    PROTECTION_STATES.map((state) => ({ labels: { state }, value: flag(protection.state === state) })),
    ['state'],
  );
  gauge(
    'backup_newest_timestamp_seconds',
    "When the backup directory's newest backup was made (Unix seconds).",
    one(seconds(newest?.madeAt)),
  );
  gauge('backup_newest_age_seconds', "How old the backup directory's newest backup is.", one(newest?.ageSeconds));
  gauge('backup_newest_size_bytes', "The size of the backup directory's newest backup.", one(newest?.size ?? undefined));
  gauge(
    'backup_newest_verification',
    'The newest backup\'s last verification: 1 for its result ("passed", "failed" or "never"), 0 for the others.',
    newest === null
      ? []
      : (['passed', 'failed', 'never'] as const).map((result) => ({
          labels: { result },
          value: flag(result === (verification === null ? 'never' : verification.ok ? 'passed' : 'failed')),
        })),
    ['result'],
  );
  gauge(
    'backup_newest_verified_timestamp_seconds',
    'When the newest backup was last verified (Unix seconds).',
    one(seconds(verification?.at)),
  );
  gauge('backup_dir_free_bytes', "Free bytes on the backup directory's filesystem.", one(space.freeBytes ?? undefined));
  gauge(
    'backup_dir_backups_fit',
    "How many more backups of the newest one's size fit in the free space.",
    one(space.moreBackups ?? undefined),
  );

  gauge('schedule_enabled', '1 while scheduled backups run, 0 while they are off.', one(flag(schedule?.enabled ?? false)));
  gauge(
    'schedule_last_success_timestamp_seconds',
    'When the last scheduled backup that worked finished (Unix seconds).',
    one(seconds(schedule?.lastSuccessAt)),
  );
  gauge(
    'schedule_next_run_timestamp_seconds',
    'When the next scheduled backup starts (Unix seconds).',
    one(seconds(schedule?.nextBackupAt)),
  );
  gauge('schedule_consecutive_failures', 'Scheduled backups that failed in a row.', one(schedule?.consecutiveFailures ?? 0));

  const labelsOf = (location: Health['locations'][number]) => ({ location: metricsLocationName(location), kind: location.kind });
  const perLocation = (value: (location: Health['locations'][number]) => number | undefined): Sample[] =>
    locations.map((location) => ({ labels: labelsOf(location), value: value(location) }));
  gauge(
    'location_status',
    "1 for the location's status (ok, failing, stale, off), 0 for the others.",
    locations.flatMap((location) =>
      LOCATION_STATUSES.map((status) => ({ labels: { ...labelsOf(location), status }, value: flag(location.status === status) })),
    ),
    ['location', 'kind', 'status'],
  );
  const locationLabels = ['location', 'kind'];
  gauge(
    'location_newest_copy_timestamp_seconds',
    "When the location's newest copy was made (Unix seconds).",
    perLocation((location) => seconds(location.newest?.madeAt)),
    locationLabels,
  );
  gauge(
    'location_newest_copy_age_seconds',
    "How old the location's newest copy is.",
    perLocation((location) => location.newest?.ageSeconds),
    locationLabels,
  );
  gauge(
    'location_copies',
    'Backups at the location (a target: those this instance sent and still records).',
    perLocation((location) => location.copies),
    locationLabels,
  );
  gauge(
    'location_consecutive_failures',
    'Failures at the location since its last success.',
    perLocation((location) => location.failure?.count ?? 0),
    locationLabels,
  );
  gauge(
    'location_off_machine',
    '1 when the location is off this machine.',
    perLocation((location) => flag(location.offMachine)),
    locationLabels,
  );

  gauge('newest_backup_copies', 'Locations holding the newest backup.', one(copies.count));
  gauge('newest_backup_places', 'Distinct places (disks, hosts) holding the newest backup.', one(copies.places));
  gauge('newest_backup_off_machine_copies', 'Locations off this machine holding the newest backup.', one(copies.offMachine));

  gauge('test_restore_enabled', '1 while test restores run on their schedule.', one(flag(testRestore.enabled)));
  gauge(
    'test_restore_last_success',
    '1 when the last test restore passed, 0 when it failed.',
    one(testRestore.last === null ? undefined : flag(testRestore.last.ok)),
  );
  gauge('test_restore_last_timestamp_seconds', 'When the last test restore finished (Unix seconds).', one(seconds(testRestore.last?.at)));
  gauge(
    'test_restore_restorable_as_of_timestamp_seconds',
    'The time of the backup the last passing test restore restored (Unix seconds).',
    one(seconds(testRestore.lastGood?.backupMadeAt ?? testRestore.lastGood?.at)),
  );
  gauge(
    'test_restore_next_run_timestamp_seconds',
    'When the next test restore starts (Unix seconds).',
    one(seconds(testRestore.nextRunAt)),
  );

  return { contentType: registry.contentType, body: await registry.metrics() };
}

/** Registers `GET /metrics` (no login; see the file comment). */
export function registerMetricsRoute(app: FastifyInstance, services: HealthServices): void {
  app.get('/metrics', async (_request, reply) => {
    const { contentType, body } = await renderMetrics(await readHealth(services));
    return reply.header('content-type', contentType).header('cache-control', 'no-store').send(body);
  });
}
