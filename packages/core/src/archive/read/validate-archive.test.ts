import { createReadStream } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { docsightFixture } from '@evidence-locker/core/testing';
import { ArchiveValidationSchema, validateArchive } from './validate-archive.ts';

describe('validateArchive', () => {
  it("describes DOCSight's own backup in the shape its schema states", async () => {
    const validation = await validateArchive(createReadStream(docsightFixture('a-real-1m').archive));
    expect(ArchiveValidationSchema.parse(validation)).toEqual(validation);
    expect(validation.has_database).toBe(true);
    expect(validation.members.map((member) => member.name)).toContain('docsis_history.db');
  });

  it('the schema refuses a member that is not a data file or has no real digest', () => {
    const member = { name: 'docsis_history.db', size: 1, sha256: 'a'.repeat(64) };
    const shape = {
      meta: { magic: 'docsight-backup', format_version: 1, created_at: '2026-12-05T08:00:00', app_version: 'x' },
      files: [],
      has_database: true,
      has_config: false,
      warnings: [],
    };
    expect(ArchiveValidationSchema.shape.members.safeParse([member]).success).toBe(true);
    expect(ArchiveValidationSchema.shape.members.safeParse([{ ...member, name: '../etc/passwd' }]).success).toBe(false);
    expect(ArchiveValidationSchema.shape.members.safeParse([{ ...member, sha256: 'not hex' }]).success).toBe(false);
    expect(ArchiveValidationSchema.safeParse({ ...shape, members: [{ ...member, size: -1 }] }).success).toBe(false);
  });
});
