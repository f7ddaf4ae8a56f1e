/**
 * JSON text as Python's `json.dump(obj, f, indent=2)` writes it, which is how DOCSight writes
 * `config.json` and `backup_meta.json`: 2-space indent, `": "` between key and value, `ensure_ascii`
 * (every character above U+007F escaped as `\uXXXX`, astral ones as surrogate pairs), key order
 * kept, and no trailing newline. Empty objects and arrays print as `{}` and `[]` in both.
 */
export function toPythonJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/[\u0080-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
