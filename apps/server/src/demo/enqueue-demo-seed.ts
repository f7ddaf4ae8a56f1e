/**
 * Queues the `demo-seed` job (seed-demo-data.ts) that `setup.startDemo` starts. It changes the data
 * directory, so the runner refuses it next to a restore, and it waits for download read leases.
 */
import type { SeedProgress } from '@evidence-locker/core';
import type { AuditLogger } from '../audit.ts';
import type { Instance } from '../instance/instance.ts';
import type { JobRunner } from '../jobs/job-runner.ts';
import type { JobProgress } from '../jobs/job-schema.ts';
import type { JobSnapshot } from '../jobs/job-snapshot.ts';
import type { SchedulePause } from '../restore/schedule-pause.ts';
import { seedDemoData } from './seed-demo-data.ts';

/** Options of {@link enqueueDemoSeed}. */
export interface EnqueueDemoSeedOptions {
  jobs: JobRunner;
  instance: Instance;
  schedule?: SchedulePause | undefined;
  log: AuditLogger;
}

/** Queues demo seeding; throws the runner's BUSY error while a restore is queued or running. */
export function enqueueDemoSeed(options: EnqueueDemoSeedOptions): JobSnapshot {
  const { instance, log } = options;
  return options.jobs.enqueue({
    kind: 'demo-seed',
    label: 'Demo data',
    writesDataDir: true,
    run: ({ signal, report }) =>
      seedDemoData({
        instance,
        schedule: options.schedule,
        signal,
        onProgress: (progress) => report(seedJobProgress(progress)),
      }),
    onSuccess: (result) => log.info({ rows: result.rows, seconds: result.seconds }, 'Demo data seeded'),
    onFailure: (error, cause) => log.warn({ code: error.code, err: cause }, `Demo seeding failed: ${error.message}`),
  });
}

/** What each seeding step counts: rows for the two big tables, steps (no count worth showing) otherwise. */
const SEED_UNITS: Record<SeedProgress['phase'], NonNullable<JobProgress['unit']>> = {
  snapshots: 'rows',
  'connection-samples': 'rows',
  'history-tables': 'steps',
  checkpoint: 'steps',
};

/** The job progress of a seeding step, with the unit it counts in. */
export function seedJobProgress(progress: SeedProgress): JobProgress {
  return { phase: progress.phase, bytesDone: progress.done, bytesTotal: progress.total, unit: SEED_UNITS[progress.phase] };
}
