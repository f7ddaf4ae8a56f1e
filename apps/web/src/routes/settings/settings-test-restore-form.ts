/**
 * The test restore settings form (SettingsTestRestore.vue): on/off and the days between test
 * restores (1..90, whole days). Saved values and pending edits are kept apart; Save sends only what
 * changed.
 */
import type { TestRestoreSettingsPatch, TestRestoreState } from '../../api/server-types.ts';

export interface TestRestoreForm {
  enabled: boolean;
  /** As typed: the number input's text (its v-model may hand over a number once edited). */
  intervalDays: string | number;
}

/** The saved values the form starts from: `enabled` is the setting, not whether it runs (demo mode). */
export interface SavedTestRestoreSettings {
  enabled: boolean;
  intervalDays: number;
}

/** What is wrong with the form, as message keys. */
export interface TestRestoreFormErrors {
  intervalDays?: string;
}

/** The saved settings of `state`: off only when turned off in the settings (demo mode does not change the setting). */
export function savedFromState(state: TestRestoreState): SavedTestRestoreSettings {
  return { enabled: state.enabled || state.reason !== 'turned off in the settings', intervalDays: state.intervalDays };
}

export function formFromSaved(saved: SavedTestRestoreSettings): TestRestoreForm {
  return { enabled: saved.enabled, intervalDays: String(saved.intervalDays) };
}

/** The interval's problem (a whole number of days from 1 to 90), if any. */
export function validateTestRestoreForm(form: TestRestoreForm): TestRestoreFormErrors {
  const text = String(form.intervalDays).trim();
  if (!/^\d+$/.test(text)) return { intervalDays: 'settings.testRestore.intervalInvalid' };
  const days = Number(text);
  if (days < 1 || days > 90) return { intervalDays: 'settings.testRestore.intervalInvalid' };
  return {};
}

/** What Save sends: only the changed keys. */
export function testRestoreSave(saved: SavedTestRestoreSettings, form: TestRestoreForm): TestRestoreSettingsPatch {
  const patch: TestRestoreSettingsPatch = {};
  if (form.enabled !== saved.enabled) patch.enabled = form.enabled;
  const days = Number(String(form.intervalDays).trim());
  if (Number.isInteger(days) && days !== saved.intervalDays) patch.intervalDays = days;
  return patch;
}

export function isTestRestoreDirty(saved: SavedTestRestoreSettings, form: TestRestoreForm): boolean {
  return form.enabled !== saved.enabled || String(form.intervalDays).trim() !== String(saved.intervalDays);
}
