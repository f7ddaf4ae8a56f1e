/**
 * Resident memory of another process from /proc (Linux): the kernel's high-water mark (VmHWM),
 * which writing `5` to /proc/<pid>/clear_refs resets, and VmRSS sampled every 100 ms, whichever is
 * higher. Worker threads share the process, so they are included; `cp` children are not.
 */
import fs from 'node:fs';

/** VmRSS and VmHWM of `pid` in bytes, or undefined once it is gone. */
export function readProcessMemory(pid: number): { rss: number; hwm: number } | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string): number => Number(status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'))?.[1] ?? 0) * 1024;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

/** Resets the peak-RSS mark of `pid` (Linux >= 4.0); false when not allowed. */
export function resetPeakRss(pid: number): boolean {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** A running peak-RSS measurement. */
export interface PeakRssSampler {
  /** Whether the kernel's mark could be reset (else VmHWM is the peak since the process started). */
  readonly hwmReset: boolean;
  /** Stops sampling; the peak in bytes. */
  stop(): { peakRssBytes: number; sampledPeakBytes: number; hwmBytes: number };
}

/** Resets the mark and starts sampling `pid`. */
export function startPeakRssSampler(pid: number, intervalMs = 100): PeakRssSampler {
  const hwmReset = resetPeakRss(pid);
  let sampled = 0;
  const timer = setInterval(() => {
    sampled = Math.max(sampled, readProcessMemory(pid)?.rss ?? 0);
  }, intervalMs);
  return {
    hwmReset,
    stop() {
      clearInterval(timer);
      const memory = readProcessMemory(pid);
      sampled = Math.max(sampled, memory?.rss ?? 0);
      const hwm = memory?.hwm ?? 0;
      return { peakRssBytes: Math.max(sampled, hwm), sampledPeakBytes: sampled, hwmBytes: hwm };
    },
  };
}
