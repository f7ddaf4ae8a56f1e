/**
 * The breadcrumb of the directory browser: the allowed root that holds the path, then each
 * directory below it. Crumbs above the root would only lead to "not allowed", so they are left out.
 */

/** One clickable step of the breadcrumb. */
export interface Crumb {
  name: string;
  path: string;
}

function isInside(path: string, root: string): boolean {
  if (path === root) return true;
  const prefix = root.endsWith('/') || root.endsWith('\\') ? root : `${root}${root.includes('\\') && !root.includes('/') ? '\\' : '/'}`;
  return path.startsWith(prefix);
}

/** The crumbs for `path`, starting at the longest root of `roots` that contains it. */
export function browseBreadcrumb(path: string, roots: readonly string[]): Crumb[] {
  if (path === '') return [];
  const root = [...roots].sort((a, b) => b.length - a.length).find((candidate) => isInside(path, candidate));
  const separator = path.includes('\\') && !path.includes('/') ? '\\' : '/';
  if (root === undefined) {
    // Not under a known root (should not happen): show the whole path from the top.
    const parts = path.split(separator).filter((part) => part !== '');
    const crumbs: Crumb[] = separator === '/' ? [{ name: '/', path: '/' }] : [];
    let current = separator === '/' ? '' : '';
    for (const part of parts) {
      current = current === '' && separator !== '/' ? part : `${current}${separator}${part}`;
      crumbs.push({ name: part, path: current });
    }
    return crumbs;
  }
  const crumbs: Crumb[] = [{ name: root, path: root }];
  const rest = path
    .slice(root.length)
    .split(separator)
    .filter((part) => part !== '');
  let current = root.endsWith(separator) ? root.slice(0, -1) : root;
  for (const part of rest) {
    current = `${current}${separator}${part}`;
    crumbs.push({ name: part, path: current });
  }
  return crumbs;
}
