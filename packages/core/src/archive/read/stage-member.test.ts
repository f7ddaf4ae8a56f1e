import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { stageMember } from './stage-member.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'el-stage-'));
  dirs.push(dir);
  return dir;
}

const MIB = 1024 * 1024;

describe('stageMember', () => {
  it('writes small and large pieces in order, past the background flush interval', async () => {
    const dir = tempDir();
    const block = randomBytes(MIB);
    // Small pieces (coalesced), a piece that straddles a buffer, pieces of 1 MiB and more (written
    // as they are, also right after a partly filled buffer), 70 MiB in all.
    const pieces: Buffer[] = [block.subarray(0, 100), block.subarray(100, 70_000), block.subarray(0, MIB - 5)];
    for (let i = 0; i < 64; i += 1) pieces.push(i % 3 === 0 ? Buffer.concat([block, block.subarray(0, 4096)]) : block);
    for (let i = 0; i < 200; i += 1) pieces.push(block.subarray(i * 37, i * 37 + 16 * 1024));
    pieces.push(block.subarray(0, 3));
    const expected = createHash('sha256');
    for (const piece of pieces) expected.update(piece);
    const created: string[] = [];

    const { path: staged, synced } = await stageMember(dir, 'docsis_history.db', Readable.from(pieces), (file) => created.push(file));
    await synced;

    expect(created).toEqual([staged]);
    expect(path.dirname(staged)).toBe(dir);
    expect(fs.statSync(staged).size).toBe(pieces.reduce((sum, piece) => sum + piece.length, 0));
    expect(createHash('sha256').update(fs.readFileSync(staged)).digest('hex')).toBe(expected.digest('hex'));
    expect(fs.statSync(staged).mode & 0o777).toBe(0o600);
  });

  it('reports the staging file before a failing source aborts the write', async () => {
    const dir = tempDir();
    const created: string[] = [];
    const failing = Readable.from(
      (async function* broken() {
        yield Buffer.alloc(2 * MIB, 1);
        throw new Error('upload broke off');
      })(),
    );
    await expect(stageMember(dir, 'config.json', failing, (file) => created.push(file))).rejects.toThrow('upload broke off');
    expect(created).toHaveLength(1);
    expect(fs.existsSync(created[0]!)).toBe(true); // the caller removes it (restoreBackup's discardStaged)
  });

  it('hands the member back before its fsync, which `synced` then reports; a scratch copy is never synced', async () => {
    const dir = tempDir();
    const syncs: string[] = [];
    const probe = await fs.promises.open(path.join(dir, 'probe'), 'w');
    const handlePrototype = Object.getPrototypeOf(probe) as Record<'sync' | 'datasync', (this: unknown) => Promise<void>>;
    await probe.close();
    const original = handlePrototype.sync;
    const originalDatasync = handlePrototype.datasync;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    handlePrototype.sync = async function gatedSync(this: unknown) {
      syncs.push('sync');
      await gate;
      return original.call(this);
    };
    handlePrototype.datasync = async function countedDatasync(this: unknown) {
      syncs.push('datasync');
      return originalDatasync.call(this);
    };
    try {
      const durable = await stageMember(dir, 'docsis_history.db', Readable.from([Buffer.alloc(MIB, 7)]), () => undefined);
      let settled = false;
      void durable.synced.then(() => {
        settled = true;
      });
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(fs.readFileSync(durable.path)).toEqual(Buffer.alloc(MIB, 7)); // readable before the fsync
      expect(syncs).toEqual(['sync']);
      expect(settled).toBe(false);
      release();
      await durable.synced;

      const scratch = await stageMember(dir, 'connection_monitor.db', Readable.from([Buffer.alloc(80 * MIB, 1)]), () => undefined, {
        durable: false,
      });
      await scratch.synced;
      expect(syncs).toEqual(['sync']);
      expect(fs.statSync(scratch.path).size).toBe(80 * MIB);
    } finally {
      handlePrototype.sync = original;
      handlePrototype.datasync = originalDatasync;
    }
  });
});
