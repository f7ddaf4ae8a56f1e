/**
 * Member names as the archive reader accepts them.
 *
 * DOCSight checks names with a substring test (`name.startswith("/") or ".." in name`), which both
 * rejects harmless names like `a..b` and misses backslashes and drive letters. Evidence Locker
 * classifies every name instead:
 * - unsafe (absolute, a `..` component, a backslash, a drive letter, control characters, empty):
 *   the whole archive is rejected, because no honest writer produces such a name;
 * - safe: a plain relative name. Only exact allowlisted names are ever written to disk; any other
 *   safe name is skipped with a warning, as DOCSight skips unknown files.
 *
 * Decision on `./name`: accepted as `name`. GNU tar writes that prefix for `tar -C dir -czf x .`,
 * and after stripping it the name is checked exactly like a bare one (so `./config.json` and
 * `config.json` in one archive are duplicates). The bare `.`/`./` directory entry GNU tar writes
 * first is reported as the archive root so the reader can ignore it.
 */

/** The outcome of classifying a raw tar member name. */
export type MemberNameVerdict = { kind: 'safe'; name: string } | { kind: 'root' } | { kind: 'unsafe'; reason: string };

// C0 controls, DEL and C1 controls: never part of a name DOCSight or we write, and NUL/newline
// tricks are how a name hides a different name from a log or a UI.
// eslint-disable-next-line no-control-regex -- matching control characters is this pattern's purpose
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;
const DRIVE_LETTER = /^[A-Za-z]:/;

/**
 * Classifies `rawName` (as decoded from a ustar, GNU long-name or PAX `path` header). Leading `./`
 * segments are removed and, for directories, one trailing `/`.
 */
export function classifyMemberName(rawName: string, isDirectory: boolean): MemberNameVerdict {
  if (CONTROL_CHARACTERS.test(rawName)) return { kind: 'unsafe', reason: 'control character in name' };
  if (rawName.includes('\\')) return { kind: 'unsafe', reason: 'backslash in name' };
  if (rawName.startsWith('/')) return { kind: 'unsafe', reason: 'absolute path' };
  if (DRIVE_LETTER.test(rawName)) return { kind: 'unsafe', reason: 'drive letter' };

  let name = rawName;
  while (name.startsWith('./')) name = name.slice(2);
  if (isDirectory && name.endsWith('/')) name = name.slice(0, -1);
  if (name === '' || name === '.') {
    return rawName === '' ? { kind: 'unsafe', reason: 'empty name' } : { kind: 'root' };
  }

  const components = name.split('/');
  if (components.includes('..')) return { kind: 'unsafe', reason: '".." component' };
  return { kind: 'safe', name };
}

/** A name made printable for messages and logs: control characters become `\uXXXX`. */
export function printableMemberName(rawName: string): string {
  return rawName.replace(new RegExp(CONTROL_CHARACTERS.source, 'g'), (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
