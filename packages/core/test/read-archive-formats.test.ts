/**
 * Archive variants the reader accepts: GNU tar's `./` names and root entry, GNU long names, PAX
 * headers, concatenated gzip members, unknown members and newer format versions (as warnings),
 * and Evidence Locker's member digests.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { LockerError } from '../src/errors.ts';
import { readArchive } from '../src/archive/read/read-archive.ts';
import { restoreBackup } from '../src/archive/restore/restore-backup.ts';
import { validateArchive } from '../src/archive/read/validate-archive.ts';
import { buildTar, buildTarGz, cleanupTempDirs, makeTempDir, memberDigests, metaText, type TarMember } from './support/restore-support.ts';

afterEach(cleanupTempDirs);

const META: TarMember = { name: 'backup_meta.json', content: metaText() };
const CONFIG: TarMember = { name: 'config.json', content: '{"modem_type":"fritzbox"}' };

describe('archive variants', () => {
  it('accepts names with a ./ prefix and the ./ root entry GNU tar writes', async () => {
    const source = makeTempDir('gnu');
    fs.writeFileSync(path.join(source, 'backup_meta.json'), metaText());
    fs.writeFileSync(path.join(source, 'config.json'), '{"modem_type":"fritzbox"}');
    const archive = path.join(makeTempDir('out'), 'gnu.tar.gz');
    // GNU tar: `./` first, then `./backup_meta.json`, `./config.json` in the order given.
    execFileSync('tar', ['-C', source, '--no-recursion', '-czf', archive, '.', './backup_meta.json', './config.json']);
    const result = await validateArchive(fs.readFileSync(archive));
    expect(result.files).toEqual(['backup_meta.json', 'config.json']);
    expect(result.warnings).toEqual([]);
  });

  it('skips members with a GNU long name that are not data files, with a warning', async () => {
    const source = makeTempDir('gnu-long');
    const longName = `${'n'.repeat(150)}.txt`;
    fs.writeFileSync(path.join(source, 'backup_meta.json'), metaText());
    fs.writeFileSync(path.join(source, longName), 'x');
    fs.writeFileSync(path.join(source, 'config.json'), '{}');
    const target = path.join(makeTempDir('out'), 'long.tar.gz');
    const script = `
import sys, tarfile
with tarfile.open(sys.argv[1], "w:gz", format=tarfile.GNU_FORMAT) as tar:
    for name in sys.argv[3:]:
        tar.add(sys.argv[2] + "/" + name, arcname=name)
`;
    execFileSync('python3', ['-c', script, target, source, 'backup_meta.json', longName, 'config.json']);
    const result = await validateArchive(fs.readFileSync(target));
    expect(result.files).toEqual(['backup_meta.json', 'config.json']);
    expect(result.warnings).toEqual([
      { code: 'MEMBER_SKIPPED', message: `Skipping unknown file in backup: ${longName}`, details: { name: longName } },
    ]);
  });

  it('skips unknown files and directories but never writes them', async () => {
    const archive = await buildTarGz([
      META,
      { name: 'notes', type: 'directory' },
      { name: 'notes/readme.txt', content: 'hello' },
      { name: 'a..b', content: 'dots inside a name are fine' },
      CONFIG,
    ]);
    const dataDir = makeTempDir('skip');
    const result = await restoreBackup({ source: archive, dataDir });
    expect(result.warnings).toEqual([
      { code: 'DIRECTORY_SKIPPED', message: 'Skipping directory in backup: notes', details: { name: 'notes' } },
      { code: 'MEMBER_SKIPPED', message: 'Skipping unknown file in backup: notes/readme.txt', details: { name: 'notes/readme.txt' } },
      { code: 'MEMBER_SKIPPED', message: 'Skipping unknown file in backup: a..b', details: { name: 'a..b' } },
    ]);
    expect(fs.readdirSync(dataDir)).toEqual(['config.json']);
  });

  it("restores a newer format_version anyway, with DOCSight's warning", async () => {
    const archive = await buildTarGz([{ name: 'backup_meta.json', content: metaText({ format_version: 2 }) }, CONFIG]);
    const result = await validateArchive(archive);
    expect(result.warnings).toEqual([
      {
        code: 'FORMAT_VERSION_NEWER',
        message: 'Backup format_version 2 is newer than supported 1 - attempting restore anyway',
        details: { version: 2, supported: 1 },
      },
    ]);
  });

  it('reads a gzip stream of several concatenated members', async () => {
    const tar = await buildTar([META, CONFIG]);
    const archive = Buffer.concat([gzipSync(tar.subarray(0, 700)), gzipSync(tar.subarray(700))]);
    const result = await validateArchive(archive);
    expect(result.files).toEqual(['backup_meta.json', 'config.json']);
  });

  it('accepts members whose size and SHA-256 match the meta digests', async () => {
    const key: TarMember = { name: '.config_key', content: 'Zx8bqXf3rM2a1Kc9VtQpL0sWnE4yHj7uOiG5dR6TbCk=' };
    const archive = await buildTarGz([
      { name: 'backup_meta.json', content: metaText({ members: memberDigests([CONFIG, key]) }) },
      CONFIG,
      key,
    ]);
    const result = await validateArchive(archive);
    expect(result.members).toEqual([
      { name: 'config.json', ...memberDigests([CONFIG])['config.json'] },
      { name: '.config_key', ...memberDigests([key])['.config_key'] },
    ]);
  });

  it('hands each data member to the sink exactly once, in archive order', async () => {
    const archive = await buildTarGz([META, CONFIG, { name: '.session_key', content: Buffer.alloc(32, 1) }]);
    const seen: [string, number][] = [];
    await readArchive(archive, async (member, content) => {
      let bytes = 0;
      for await (const chunk of content as AsyncIterable<Buffer>) bytes += chunk.length;
      seen.push([member.name, bytes]);
    });
    expect(seen).toEqual([
      ['config.json', 25],
      ['.session_key', 32],
    ]);
  });

  it('takes the digests from the sink under sinkDigests, and checks them against the meta once the archive is read', async () => {
    const archive = await buildTarGz([{ name: 'backup_meta.json', content: metaText({ members: memberDigests([CONFIG]) }) }, CONFIG]);
    const consume = async (content: AsyncIterable<unknown>): Promise<void> => {
      for await (const _chunk of content) {
        // consumed; the digest below is the sink's own
      }
    };
    const right = await readArchive(
      archive,
      async (_member, content) => {
        await consume(content);
        return { sha256: Promise.resolve(memberDigests([CONFIG])['config.json']!.sha256) };
      },
      { sinkDigests: true },
    );
    expect(right.members).toEqual([{ name: 'config.json', ...memberDigests([CONFIG])['config.json'] }]);

    const wrong = readArchive(
      archive,
      async (_member, content) => {
        await consume(content);
        return { sha256: new Promise<string>((resolve) => setTimeout(() => resolve('0'.repeat(64)), 10)) };
      },
      { sinkDigests: true },
    );
    await expect(wrong).rejects.toMatchObject({
      code: 'MEMBER_CHECKSUM_MISMATCH',
      message: 'Invalid backup: checksum mismatch for config.json',
    });

    const failing = readArchive(
      archive,
      async (_member, content) => {
        await consume(content);
        return { sha256: Promise.reject(new Error('EIO: the staged copy could not be read')) };
      },
      { sinkDigests: true },
    );
    await expect(failing).rejects.toThrow('EIO: the staged copy could not be read');

    await expect(readArchive(archive, async (_member, content) => consume(content), { sinkDigests: true })).rejects.toThrow(
      /the sink gave no digest for config\.json/,
    );
  });

  it('stops with CANCELLED when the caller aborts', async () => {
    const controller = new AbortController();
    const tar = await buildTar([META, { name: 'docsis_history.db', content: Buffer.alloc(4 * 1024 * 1024, 3) }]);
    const archive = gzipSync(tar);
    const source = Readable.from(
      (async function* slow() {
        for (let offset = 0; offset < archive.length; offset += 1024) {
          if (offset === 4096) controller.abort();
          yield archive.subarray(offset, offset + 1024);
          await new Promise((resolve) => setImmediate(resolve));
        }
      })(),
    );
    const error = await validateArchive(source, { signal: controller.signal }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LockerError);
    expect((error as LockerError).code).toBe('CANCELLED');
  });
});
