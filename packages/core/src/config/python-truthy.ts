/**
 * Python's `bool(value)` for a JSON value: false for None, False, 0, "", [] and {}; true otherwise.
 * DOCSight reads flags this way, so a string "false" is true.
 */
export function pythonTruthy(value: unknown): boolean {
  if (value === null || value === undefined) return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return Boolean(value);
}
