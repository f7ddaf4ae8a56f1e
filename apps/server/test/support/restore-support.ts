/**
 * Test support for upload and restore tests: the real DOCSight fixture archive, hostile archives,
 * a byte-level picture of a directory, and waiting for a job.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { docsightFixture } from '@evidence-locker/core/testing';
import type { JobRunner } from '../../src/jobs/job-runner.ts';
import type { JobSnapshot } from '../../src/jobs/job-snapshot.ts';

/** DOCSight's own backup of a one-month real install (see the fixture README). */
export const FIXTURE_A = docsightFixture('a-real-1m').archive;
export const FIXTURE_A_MODEM_PASSWORD = 'Vodafone-Station-1234';
export const FIXTURE_A_SNAPSHOTS = 2880;
export const FIXTURE_A_CONNECTION_SAMPLES = 51840;

/** DOCSight's minimal meta. */
export const DOCSIGHT_META = JSON.stringify({ magic: 'docsight-backup', format_version: 1 }, null, 2);

/** One ustar header block (regular file), enough for hand-made test archives. */
function ustarHeader(name: string, size: number): Buffer {
  const header = Buffer.alloc(512);
  const field = (offset: number, length: number, value: string): void => {
    header.write(value, offset, length, 'latin1');
  };
  const octal = (value: number, length: number): string => `${value.toString(8).padStart(length - 1, '0')}\0`;
  field(0, 100, name);
  field(100, 8, octal(0o644, 8));
  field(108, 8, octal(0, 8));
  field(116, 8, octal(0, 8));
  field(124, 12, octal(size, 12));
  field(136, 12, octal(1_764_140_833, 12));
  field(148, 8, '        ');
  field(156, 1, '0');
  field(257, 6, 'ustar\0');
  field(263, 2, '00');
  let sum = 0;
  for (const byte of header) sum += byte;
  field(148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return header;
}

/** A gzip'd tar of a DOCSight meta followed by `members` (this package has no tar dependency). */
export function testArchive(members: Array<{ name: string; content: Buffer }>): Buffer {
  const blocks: Buffer[] = [];
  for (const member of [{ name: 'backup_meta.json', content: Buffer.from(DOCSIGHT_META) }, ...members]) {
    blocks.push(ustarHeader(member.name, member.content.length), member.content);
    blocks.push(Buffer.alloc((512 - (member.content.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

/** An archive whose second member climbs out of the data directory. */
export function traversalArchive(): Buffer {
  return testArchive([{ name: '../../etc/evil', content: Buffer.from('owned') }]);
}

/** An archive whose history database is not a database at all (fails verification on restore). */
export function corruptDatabaseArchive(): Buffer {
  return testArchive([{ name: 'docsis_history.db', content: Buffer.alloc(8192, 7) }]);
}

/** Every entry under `dir` with its mode and content hash, for "left byte-identical" checks. */
export function directoryPicture(dir: string): Record<string, string> {
  const picture: Record<string, string> = {};
  for (const name of fs.readdirSync(dir).sort()) {
    const file = path.join(dir, name);
    const stats = fs.lstatSync(file);
    picture[name] = stats.isFile()
      ? `${stats.mode.toString(8)} ${createHash('sha256').update(fs.readFileSync(file)).digest('hex')}`
      : `${stats.mode.toString(8)} ${stats.isDirectory() ? 'dir' : 'other'}`;
  }
  return picture;
}

/** Names of staged uploads in `dir`: the archive files (`.tar.gz`) and their prepared members (`.tmp`). */
export function stagedUploads(dir: string): string[] {
  return fs.readdirSync(dir).filter((name) => name.startsWith('.evidence-locker-upload-') || name.startsWith('.evidence-locker-prepared-'));
}

/** Waits for a job to finish and returns its final snapshot. */
export function finished(jobs: JobRunner, job: JobSnapshot | string): Promise<JobSnapshot> {
  return jobs.wait(typeof job === 'string' ? job : job.id);
}
