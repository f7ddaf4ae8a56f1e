import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { drawBqmGraph } from './bqm-graph.ts';
import { crc32 } from './encode-png.ts';
import { createPrng } from './prng.ts';

function chunks(png: Buffer) {
  const out: Array<{ type: string; data: Buffer; crc: number }> = [];
  for (let p = 8; p < png.length;) {
    const length = png.readUInt32BE(p);
    out.push({
      type: png.toString('latin1', p + 4, p + 8),
      data: png.subarray(p + 8, p + 8 + length),
      crc: png.readUInt32BE(p + 8 + length),
    });
    p += 12 + length;
  }
  return out;
}

describe('crc32', () => {
  it('matches the CRC-32 check value', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });
});

describe('drawBqmGraph', () => {
  it('draws a valid 800x200 RGB PNG of about 10 KB like DOCSight stores', () => {
    const png = drawBqmGraph(createPrng(5), 0.4);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const parts = chunks(png);
    expect(parts.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    for (const c of parts) expect(crc32(Buffer.concat([Buffer.from(c.type, 'latin1'), c.data]))).toBe(c.crc);
    const header = parts[0]!.data;
    expect([header.readUInt32BE(0), header.readUInt32BE(4), header[8], header[9]]).toEqual([800, 200, 8, 2]);
    expect(zlib.inflateSync(parts[1]!.data).length).toBe(200 * (800 * 3 + 1));
    expect(png.length).toBeGreaterThan(7_500);
    expect(png.length).toBeLessThan(12_500);
  });

  it('draws a different graph for each day', () => {
    const prng = createPrng(5);
    expect(drawBqmGraph(prng, 0.2).equals(drawBqmGraph(prng, 0.2))).toBe(false);
  });
});
