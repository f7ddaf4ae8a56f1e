/**
 * Python's `int(value)` for the JSON values DOCSight casts (config INT_KEYS, werkzeug hash
 * parameters): integer strings with surrounding whitespace, a sign and `_` digit groups; numbers
 * truncated toward zero; booleans as 0/1. Returns undefined where Python raises ValueError or
 * TypeError (non-ASCII digits, which Python also accepts, are not supported).
 */
export function pythonInt(value: unknown): number | undefined {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : undefined;
  if (typeof value !== 'string') return undefined;
  // Python's str.strip() set of ASCII whitespace.
  const text = value.replace(/^[ \t\n\r\v\f]+|[ \t\n\r\v\f]+$/g, '');
  if (!/^[+-]?\d+(?:_\d+)*$/.test(text)) return undefined;
  return Number.parseInt(text.replace(/_/g, ''), 10);
}
