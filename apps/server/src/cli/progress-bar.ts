/**
 * A one-line progress bar on stderr, drawn only when stderr is a terminal and output is not JSON,
 * so pipes and CI logs stay clean. Redraws at most every 100 ms. The step is named in words
 * ("Compressing the backup"), never by the engine's phase name.
 */
import type { JobPhase } from '../jobs/job-schema.ts';

export interface ProgressUpdate {
  phase: string;
  bytesDone: number;
  bytesTotal?: number | undefined;
}

export interface ProgressBar {
  update(progress: ProgressUpdate): void;
  done(): void;
}

const WIDTH = 20;

/** Each step in words (English, short enough for one line of a terminal); the web app's catalogs say the same. */
export const PHASE_WORDS: Record<JobPhase, string> = {
  waiting: 'Waiting for another backup',
  snapshot: 'Copying the databases',
  compress: 'Compressing the backup',
  write: 'Writing the backup file',
  prune: 'Removing old backups',
  read: 'Reading the backup',
  verify: 'Checking the databases',
  publish: 'Putting files in place',
  snapshots: 'Writing the signal history',
  'history-tables': 'Writing events and journal',
  'connection-samples': 'Writing connection samples',
  checkpoint: 'Saving the data',
  upload: 'Sending to the target',
};

/** The words for step `phase`; a step this version has no words for reads as work in progress. */
export function phaseWords(phase: string): string {
  return Object.hasOwn(PHASE_WORDS, phase) ? PHASE_WORDS[phase as JobPhase] : 'Working';
}

/** One line of the bar (without the carriage return): the step, a bar and the count when the total is known. */
export function progressLine({ phase, bytesDone, bytesTotal }: ProgressUpdate): string {
  const step = phaseWords(phase).padEnd(26);
  if (bytesTotal === undefined || bytesTotal <= 0) return `${step} ${formatBytes(bytesDone)}`;
  const ratio = Math.min(1, bytesDone / bytesTotal);
  const filled = Math.round(ratio * WIDTH);
  return `${step} [${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${String(Math.round(ratio * 100)).padStart(3)}% ${formatBytes(bytesDone)} / ${formatBytes(bytesTotal)}`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

export function createProgressBar(enabled: boolean): ProgressBar {
  const stream = process.stderr;
  const active = enabled && stream.isTTY === true;
  let lastDraw = 0;
  let drawn = false;
  return {
    update(progress) {
      if (!active) return;
      const { bytesDone, bytesTotal } = progress;
      const now = Date.now();
      if (now - lastDraw < 100 && !(bytesTotal !== undefined && bytesDone >= bytesTotal)) return;
      lastDraw = now;
      stream.write(`\r${progressLine(progress).padEnd(80)}`);
      drawn = true;
    },
    done() {
      if (drawn) stream.write(`\r${' '.repeat(80)}\r`);
      drawn = false;
    },
  };
}

/** Runs `work` with a progress bar (when `enabled`, see {@link createProgressBar}), cleared however the work ends. */
export async function withProgressBar<T>(
  enabled: boolean,
  work: (onProgress: (progress: ProgressUpdate) => void) => Promise<T>,
): Promise<T> {
  const bar = createProgressBar(enabled);
  try {
    return await work((progress) => bar.update(progress));
  } finally {
    bar.done();
  }
}
