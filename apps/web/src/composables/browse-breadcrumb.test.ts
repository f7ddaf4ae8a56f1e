import { describe, expect, it } from 'vitest';
import { browseBreadcrumb } from './browse-breadcrumb.ts';

describe('browseBreadcrumb', () => {
  it('starts at the allowed root holding the path', () => {
    expect(browseBreadcrumb('/srv/storage/nas/evidence', ['/backups', '/srv/storage'])).toEqual([
      { name: '/srv/storage', path: '/srv/storage' },
      { name: 'nas', path: '/srv/storage/nas' },
      { name: 'evidence', path: '/srv/storage/nas/evidence' },
    ]);
  });

  it('picks the deepest root when roots nest', () => {
    expect(browseBreadcrumb('/data/backups/x', ['/data', '/data/backups'])[0]).toEqual({ name: '/data/backups', path: '/data/backups' });
  });

  it('does not treat a root as the prefix of a sibling directory', () => {
    expect(browseBreadcrumb('/backups-old/x', ['/backups'])[0]).toEqual({ name: '/', path: '/' });
  });

  it('is a single crumb at the root itself and empty without a path', () => {
    expect(browseBreadcrumb('/backups', ['/backups'])).toEqual([{ name: '/backups', path: '/backups' }]);
    expect(browseBreadcrumb('', ['/backups'])).toEqual([]);
  });
});
