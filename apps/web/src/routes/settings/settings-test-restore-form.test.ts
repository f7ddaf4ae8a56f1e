import { describe, expect, it } from 'vitest';
import type { TestRestoreState } from '../../api/server-types.ts';
import {
  formFromSaved,
  isTestRestoreDirty,
  savedFromState,
  testRestoreSave,
  validateTestRestoreForm,
} from './settings-test-restore-form.ts';

const state = (overrides: Partial<TestRestoreState> = {}): TestRestoreState => ({
  enabled: true,
  reason: null,
  intervalDays: 7,
  last: null,
  lastGood: null,
  nextRunAt: null,
  running: false,
  ...overrides,
});

describe('test restore settings form', () => {
  it('starts from the saved setting: demo mode keeps it on, turned off in the settings is off', () => {
    expect(savedFromState(state())).toEqual({ enabled: true, intervalDays: 7 });
    expect(savedFromState(state({ enabled: false, reason: 'demo mode' }))).toEqual({ enabled: true, intervalDays: 7 });
    expect(savedFromState(state({ enabled: false, reason: 'turned off in the settings', intervalDays: 3 }))).toEqual({
      enabled: false,
      intervalDays: 3,
    });
  });

  it('accepts whole days from 1 to 90 only', () => {
    for (const good of ['1', '7', ' 90 ']) expect(validateTestRestoreForm({ enabled: true, intervalDays: good })).toEqual({});
    for (const bad of ['0', '91', '1.5', '', 'seven', '-3']) {
      expect(validateTestRestoreForm({ enabled: true, intervalDays: bad })).toEqual({
        intervalDays: 'settings.testRestore.intervalInvalid',
      });
    }
  });

  it('sends only what changed and knows when there is something to save', () => {
    const saved = { enabled: true, intervalDays: 7 };
    const form = formFromSaved(saved);
    expect(isTestRestoreDirty(saved, form)).toBe(false);
    expect(testRestoreSave(saved, form)).toEqual({});
    form.intervalDays = '14';
    expect(isTestRestoreDirty(saved, form)).toBe(true);
    expect(testRestoreSave(saved, form)).toEqual({ intervalDays: 14 });
    form.enabled = false;
    expect(testRestoreSave(saved, form)).toEqual({ enabled: false, intervalDays: 14 });
    // A number input's v-model hands over a number once edited.
    form.intervalDays = 7;
    form.enabled = true;
    expect(isTestRestoreDirty(saved, form)).toBe(false);
    expect(validateTestRestoreForm({ enabled: true, intervalDays: 91 })).toEqual({ intervalDays: 'settings.testRestore.intervalInvalid' });
  });
});
