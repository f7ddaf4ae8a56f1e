import { afterEach, describe, expect, it } from 'vitest';
import { setLocale } from '../i18n/i18n.ts';
import type { JobSnapshot } from '../api/server-types.ts';
import { isJobGone, jobOutcome, outcomeMessage } from './job-outcome.ts';

afterEach(() => setLocale('en'));

const finished = (overrides: Partial<JobSnapshot>): JobSnapshot =>
  ({
    id: 'job-1',
    kind: 'backup',
    label: 'backup',
    state: 'succeeded',
    progress: null,
    cancellable: false,
    error: null,
    createdAt: '2026-11-26T08:00:00.000Z',
    startedAt: '2026-11-26T08:00:00.000Z',
    finishedAt: '2026-11-26T08:00:05.000Z',
    ...overrides,
  }) as JobSnapshot;

/** What the SSE link hands over when the server refuses: tRPC's code, and the product's in `data.lockerCode`. */
const refused = (lockerCode: string) => Object.assign(new Error(`refused: ${lockerCode}`), { data: { code: 'NOT_FOUND', lockerCode } });

describe('jobOutcome', () => {
  it('takes success, failure and a cancel from the final snapshot', () => {
    expect(jobOutcome('backup', { snapshot: finished({}) }).status).toBe('succeeded');
    const failed = finished({ state: 'failed', error: { code: 'DISK_FULL', message: 'The disk is full.', details: {} } });
    expect(jobOutcome('backup', { snapshot: failed })).toEqual({ status: 'failed', snapshot: failed });
    const cancelled = finished({ state: 'cancelled', error: { code: 'CANCELLED', message: 'The backup was cancelled.', details: {} } });
    expect(jobOutcome('backup', { snapshot: cancelled })).toEqual({ status: 'cancelled', kind: 'backup' });
  });

  it('calls a job the server stopped, or no longer knows after a restart, interrupted', () => {
    const stopped = finished({ state: 'cancelled', error: { code: 'SERVER_SHUTDOWN', message: 'The server shut down.', details: {} } });
    expect(jobOutcome('restore', { snapshot: stopped })).toEqual({ status: 'interrupted', kind: 'restore', restoreFinished: false });
    expect(jobOutcome('backup', { error: refused('JOB_NOT_FOUND') })).toEqual({ status: 'interrupted', kind: 'backup' });
    expect(isJobGone(refused('JOB_NOT_FOUND'))).toBe(true);
  });

  it('does not guess when the stream failed for another reason', () => {
    const error = refused('LOGIN_REQUIRED');
    expect(jobOutcome('verify', { error })).toEqual({ status: 'unfollowed', kind: 'verify', error });
    expect(isJobGone(new Error('No such job: 1'))).toBe(false);
  });
});

describe('outcomeMessage', () => {
  it('says what became of each kind of job, in English and German', () => {
    expect(outcomeMessage({ status: 'interrupted', kind: 'backup' })).toBe('The backup was interrupted; nothing was saved.');
    expect(outcomeMessage({ status: 'interrupted', kind: 'verify' })).toBe(
      'The check was interrupted before it finished; verify the backup again.',
    );
    expect(outcomeMessage({ status: 'interrupted', kind: 'restore', restoreFinished: false })).toMatch(
      /nothing on this instance was changed/,
    );
    expect(outcomeMessage({ status: 'interrupted', kind: 'restore', restoreFinished: true })).toMatch(/now holds the restored backup/);
    expect(outcomeMessage({ status: 'cancelled', kind: 'backup' })).toBe('The backup was cancelled; nothing was saved.');
    expect(outcomeMessage({ status: 'succeeded', snapshot: finished({}) })).toBeNull();
    setLocale('de');
    expect(outcomeMessage({ status: 'interrupted', kind: 'backup' })).toBe(
      'Die Sicherung wurde unterbrochen; es wurde nichts gespeichert.',
    );
    expect(outcomeMessage({ status: 'cancelled', kind: 'restore' })).toBe(
      'Die Wiederherstellung wurde abgebrochen; an dieser Instanz wurde nichts geändert.',
    );
    const failed = finished({ state: 'failed', error: { code: 'DISK_FULL', message: 'The disk is full.', details: {} } });
    expect(outcomeMessage({ status: 'failed', snapshot: failed })).not.toBe('The disk is full.');
  });

  it('has words for every kind of job, cancelled or interrupted', () => {
    for (const kind of ['backup', 'verify', 'restore', 'demo-seed'] as const) {
      for (const status of ['cancelled', 'interrupted'] as const) {
        const text = outcomeMessage({ status, kind });
        expect(text, `${status} ${kind}`).not.toContain('job.outcome');
        expect(text, `${status} ${kind}`).not.toBe('');
      }
    }
  });
});
