import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startStagedFileDigest } from './staged-file-digest.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function tempFile(content: Buffer): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'el-digest-'));
  dirs.push(dir);
  const file = path.join(dir, 'member');
  fs.writeFileSync(file, content);
  return file;
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');
const MIB = 1024 * 1024;

describe('startStagedFileDigest', () => {
  it('hashes a file of several pieces, the last one partial', async () => {
    const content = randomBytes(3 * MIB + 12_345);
    const digest = await startStagedFileDigest(tempFile(content));
    expect(await digest.sha256).toBe(sha256(content));
  });

  it('hashes an empty file', async () => {
    const digest = await startStagedFileDigest(tempFile(Buffer.alloc(0)));
    expect(await digest.sha256).toBe(sha256(Buffer.alloc(0)));
  });

  it('has read the first MiB when it resolves, so header bytes rewritten afterwards do not change the digest', async () => {
    const content = randomBytes(2 * MIB);
    const file = tempFile(content);
    const digest = await startStagedFileDigest(file);
    const handle = fs.openSync(file, 'r+');
    fs.writeSync(handle, Buffer.from([1, 1]), 0, 2, 18);
    fs.closeSync(handle);
    expect(await digest.sha256).toBe(sha256(content));
  });

  it('rejects for a file that is not there', async () => {
    await expect(startStagedFileDigest(path.join(os.tmpdir(), 'el-digest-missing', 'member'))).rejects.toThrow(/ENOENT/);
  });
});
