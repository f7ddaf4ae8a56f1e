/**
 * Why a schedule (backups, test restores) is off, in the user's language. The server says it in
 * fixed English words (schedule-state.ts and test-restore-state.ts: `demo mode`, `turned off in the
 * settings`, `not started`); a reason this page does not know is shown as it came.
 */
const OFF_REASONS: Readonly<Record<string, string>> = {
  'demo mode': 'dashboard.protection.offDemo',
  'turned off in the settings': 'dashboard.protection.offDisabled',
  'not started': 'dashboard.protection.offNotStarted',
};

/** `reason` translated with `t`. */
export function offReasonText(reason: string, t: (key: string) => string): string {
  const key = OFF_REASONS[reason];
  return key === undefined ? reason : t(key);
}
