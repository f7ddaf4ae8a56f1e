import { PerformanceObserver, constants, type PerformanceEntry } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { noteTransientBytes } from './transient-buffers.ts';

const MIB = 1024 * 1024;

async function minorGcsDuring(action: () => void): Promise<number> {
  const entries: PerformanceEntry[] = [];
  const observer = new PerformanceObserver((list) => entries.push(...list.getEntries()));
  observer.observe({ entryTypes: ['gc'] });
  try {
    action();
    await new Promise((resolve) => setTimeout(resolve, 50));
  } finally {
    observer.disconnect();
  }
  return entries.filter(
    (entry) => (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR,
  ).length;
}

describe('noteTransientBytes', () => {
  it('runs a young-generation GC once 8 MiB of transient buffers are noted, not before', async () => {
    noteTransientBytes(64 * MIB); // whatever earlier callers counted is reset by this scavenge
    expect(await minorGcsDuring(() => noteTransientBytes(4 * MIB))).toBe(0);
    expect(await minorGcsDuring(() => noteTransientBytes(4 * MIB))).toBe(1);
    expect(
      await minorGcsDuring(() => {
        for (let i = 0; i < 64; i += 1) noteTransientBytes(MIB / 2);
      }),
    ).toBe(4);
  });
});
