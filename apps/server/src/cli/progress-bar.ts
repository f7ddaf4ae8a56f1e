/**
 * A one-line progress bar on stderr, drawn only when stderr is a terminal and output is not JSON,
 * so pipes and CI logs stay clean. Redraws at most every 100 ms.
 */
export interface ProgressUpdate {
  phase: string;
  bytesDone: number;
  bytesTotal?: number | undefined;
}

export interface ProgressBar {
  update(progress: ProgressUpdate): void;
  done(): void;
}

const WIDTH = 30;

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
    update({ phase, bytesDone, bytesTotal }) {
      if (!active) return;
      const now = Date.now();
      if (now - lastDraw < 100 && !(bytesTotal !== undefined && bytesDone >= bytesTotal)) return;
      lastDraw = now;
      let text: string;
      if (bytesTotal !== undefined && bytesTotal > 0) {
        const ratio = Math.min(1, bytesDone / bytesTotal);
        const filled = Math.round(ratio * WIDTH);
        text = `${phase.padEnd(10)} [${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${String(Math.round(ratio * 100)).padStart(3)}% ${formatBytes(bytesDone)} / ${formatBytes(bytesTotal)}`;
      } else {
        text = `${phase.padEnd(10)} ${formatBytes(bytesDone)}`;
      }
      stream.write(`\r${text.padEnd(80)}`);
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
