import { describe, expect, it } from 'vitest';
import { JOB_PHASES } from '../jobs/job-schema.ts';
import { phaseWords, progressLine } from './progress-bar.ts';

describe('progressLine', () => {
  it('names the step in words, never by its phase name', () => {
    expect(progressLine({ phase: 'compress', bytesDone: 512 * 1024, bytesTotal: 1024 * 1024 })).toMatch(
      /^Compressing the backup +\[#{10}\.{10}\] +50% 512 KiB \/ 1\.0 MiB$/,
    );
    expect(progressLine({ phase: 'snapshot', bytesDone: 2048 })).toMatch(/^Copying the databases +2\.0 KiB$/);
    expect(progressLine({ phase: 'publish', bytesDone: 1, bytesTotal: 1 })).toMatch(/^Putting files in place /);
  });

  it('has words for every step a job names, and a step it does not know reads as work in progress', () => {
    for (const phase of JOB_PHASES) {
      const words = phaseWords(phase);
      expect(words, phase).not.toBe('Working');
      expect(words.toLowerCase(), phase).not.toBe(phase);
      expect(progressLine({ phase, bytesDone: 1, bytesTotal: 2 }).length, phase).toBeLessThanOrEqual(80);
    }
    expect(phaseWords('some-new-phase')).toBe('Working');
  });
});
