import { randomBytes } from 'node:crypto';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ParallelGzipWriter } from './parallel-gzip.ts';

describe('ParallelGzipWriter', () => {
  it('emits ordered gzip members whose concatenation gunzips to the input', async () => {
    const text = Buffer.from('docsis snapshot '.repeat(40_000));
    const input = Buffer.concat([text, randomBytes(300_000), text]);
    const members: Buffer[] = [];
    const writer = new ParallelGzipWriter(
      async (member) => {
        members.push(Buffer.concat(member));
      },
      { chunkSize: 64 * 1024, concurrency: 3 },
    );
    // Mixed write and fill calls, in odd sizes, so chunk boundaries fall inside both.
    await writer.write(input.subarray(0, 1000));
    let position = 1000;
    await writer.fill(500_000, async (target, offset, length) => {
      const n = Math.min(length, 70_001);
      input.copy(target, offset, position, position + n);
      position += n;
      return n;
    });
    await writer.write(input.subarray(position));
    await writer.end();
    const archive = Buffer.concat(members);
    expect(zlib.gunzipSync(archive).equals(input)).toBe(true);
    // Every member stands alone and holds exactly one chunk, in input order.
    const chunks = members.map((member) => zlib.gunzipSync(member));
    expect(chunks.length).toBe(Math.ceil(input.length / (64 * 1024)));
    expect(chunks.slice(0, -1).every((chunk) => chunk.length === 64 * 1024)).toBe(true);
    expect(Buffer.concat(chunks).equals(input)).toBe(true);
  });

  it('passes every filled piece to onBytes before it is compressed', async () => {
    const input = randomBytes(200_000);
    const seen: Buffer[] = [];
    const writer = new ParallelGzipWriter(async () => undefined, { chunkSize: 32 * 1024 });
    let position = 0;
    await writer.fill(
      input.length,
      async (target, offset, length) => {
        input.copy(target, offset, position, position + length);
        position += length;
        return length;
      },
      (piece) => seen.push(Buffer.from(piece)),
    );
    await writer.end();
    expect(Buffer.concat(seen).equals(input)).toBe(true);
  });

  it('rejects when the sink fails', async () => {
    const writer = new ParallelGzipWriter(
      async () => {
        throw new Error('disk gone');
      },
      { chunkSize: 1024, concurrency: 1 },
    );
    await expect(writer.write(randomBytes(10_000))).rejects.toThrow('disk gone');
  });
});
