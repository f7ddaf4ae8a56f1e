/**
 * JSON text as Python's `json.dumps` writes it, for the columns DOCSight fills with `json.dumps(...)`:
 * `", "` and `": "` separators (or `","`/`":"` when compact), and floats always written as floats
 * (`5.0`, not `5`). JavaScript has one number type, so the caller names the keys whose numbers are
 * floats; every other number is written as an integer.
 */

/** Python's `repr(float)` for the finite values seeded here (shortest round-trip, `.0` if whole). */
export function pyFloat(value: number): string {
  // Fast path for tenths (most seeded values): integer formatting is several times cheaper than
  // the shortest-round-trip float printer, and gives the same text when tenths/10 is the value.
  const tenths = Math.round(value * 10);
  if (tenths / 10 === value && Math.abs(tenths) < 1e15) {
    const abs = tenths < 0 ? -tenths : tenths;
    return `${tenths < 0 ? '-' : ''}${Math.floor(abs / 10)}.${abs % 10}`;
  }
  return Number.isInteger(value) ? value.toFixed(1) : String(value);
}

/** Rounds to one decimal like Python's `round(x, 1)` does for the values seeded here. */
export function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

/** Rounds to two decimals. */
export function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

export interface PyJsonOptions {
  /** Keys whose numeric values are Python floats. Numbers in arrays use the enclosing key. */
  floatKeys?: ReadonlySet<string>;
  /** `separators=(",", ":")` instead of Python's default `(", ", ": ")`. */
  compact?: boolean;
}

/** Serializes `value` like `json.dumps(value)` (ASCII-only input; key order kept). */
export function toPyJson(value: unknown, options: PyJsonOptions = {}): string {
  const floatKeys = options.floatKeys ?? new Set<string>();
  const itemSep = options.compact ? ',' : ', ';
  const keySep = options.compact ? ':' : ': ';
  const write = (v: unknown, isFloat: boolean): string => {
    if (v === null || v === undefined) return 'null';
    switch (typeof v) {
      case 'number':
        return isFloat ? pyFloat(v) : String(v);
      case 'string':
        return JSON.stringify(v);
      case 'boolean':
        return v ? 'true' : 'false';
      default:
        break;
    }
    if (Array.isArray(v)) {
      let out = '[';
      for (let i = 0; i < v.length; i++) out += (i ? itemSep : '') + write(v[i], isFloat);
      return `${out}]`;
    }
    let out = '{';
    let first = true;
    for (const key in v as Record<string, unknown>) {
      out += `${first ? '' : itemSep}"${key}"${keySep}${write((v as Record<string, unknown>)[key], floatKeys.has(key))}`;
      first = false;
    }
    return `${out}}`;
  };
  return write(value, false);
}
