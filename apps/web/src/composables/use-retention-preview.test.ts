import { describe, expect, it } from 'vitest';
import type { RetentionPreview } from '../api/server-types.ts';
import { useRetentionPreview, type RetentionCheck } from './use-retention-preview.ts';

const NOTHING: RetentionPreview = { deleted: [], kept: 3 };
const TWO: RetentionPreview = {
  deleted: [
    { name: 'docsight_backup_2026-11-20_030000.tar.gz', madeAt: '2026-11-20T03:00:00.000+01:00' },
    { name: 'docsight_backup_2026-11-19_030000.tar.gz', madeAt: '2026-11-19T03:00:00.000+01:00' },
  ],
  kept: 5,
};

/** A save that counts its runs. */
function counter(): { save: () => Promise<void>; runs: () => number } {
  let runs = 0;
  return {
    save: () => {
      runs += 1;
      return Promise.resolve();
    },
    runs: () => runs,
  };
}

describe('useRetentionPreview', () => {
  it('saves at once when the rule deletes nothing, asking about the right location and rule', async () => {
    const asked: unknown[] = [];
    const check: RetentionCheck = (input) => {
      asked.push(input);
      return Promise.resolve(NOTHING);
    };
    const preview = useRetentionPreview(check);
    const { save, runs } = counter();
    await preview.saveAfterCheck({ kind: 'target', id: 'abc' }, { keepLast: 2, daily: 7 }, save);
    expect(asked).toEqual([{ location: { kind: 'target', id: 'abc' }, rule: { keepLast: 2, daily: 7 } }]);
    expect(runs()).toBe(1);
    expect(preview.open.value).toBe(false);
  });

  it('holds the save until the user confirms the backups it deletes', async () => {
    const preview = useRetentionPreview(() => Promise.resolve(TWO));
    const { save, runs } = counter();
    await preview.saveAfterCheck({ kind: 'local' }, { keepLast: 1 }, save);
    expect(runs()).toBe(0);
    expect(preview.open.value).toBe(true);
    expect(preview.preview.value?.deleted).toHaveLength(2);
    await preview.confirm();
    expect(runs()).toBe(1);
    expect(preview.open.value).toBe(false);
  });

  it('saves nothing when the user cancels', async () => {
    const preview = useRetentionPreview(() => Promise.resolve(TWO));
    const { save, runs } = counter();
    await preview.saveAfterCheck({ kind: 'local' }, { keepLast: 1 }, save);
    preview.cancel();
    await preview.confirm();
    expect(runs()).toBe(0);
    expect(preview.open.value).toBe(false);
  });

  it('says why when the check fails, and still lets the user save', async () => {
    const preview = useRetentionPreview(() => Promise.reject(new Error('listing failed')));
    const { save, runs } = counter();
    await preview.saveAfterCheck({ kind: 'target', id: 'abc' }, { keepLast: 1 }, save);
    expect(preview.status.value).toBe('failed');
    expect(preview.open.value).toBe(true);
    expect(preview.error.value).toBeTruthy();
    await preview.confirm();
    expect(runs()).toBe(1);
  });
});
