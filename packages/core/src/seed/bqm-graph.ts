/**
 * Draws one day's broadband quality monitor graph (800x200 PNG, about 10 KB) the way DOCSight's
 * demo images look: a dark background, a latency band filled green (quiet hours) or amber (busy
 * hours) with a darkening vertical gradient, and a ragged upper edge from per-poll jitter.
 */
import type { Prng } from './prng.ts';
import { encodePng } from './encode-png.ts';

export const BQM_WIDTH = 800;
export const BQM_HEIGHT = 200;
const BACKGROUND = [30, 30, 40] as const;
const GREEN: readonly [number, number, number] = [45, 158, 66];
const AMBER: readonly [number, number, number] = [190, 162, 38];

/** A PNG for one day; `busy` (0..1) widens the amber evening bands. */
export function drawBqmGraph(prng: Prng, busy: number): Buffer {
  const rgb = new Uint8Array(BQM_WIDTH * BQM_HEIGHT * 3);
  const phase = prng.range(0, 2 * Math.PI);
  const period = prng.range(240, 300);
  const bandWidth = 0.18 + 0.25 * busy;
  const edge = new Float64Array(BQM_WIDTH);
  const amberBase = new Float64Array(BQM_WIDTH);
  for (let x = 0; x < BQM_WIDTH; x++) {
    const wave = 0.5 - 0.5 * Math.cos((2 * Math.PI * x) / period + phase);
    edge[x] = 42 + 58 * wave + prng.gauss(0, 2.5);
    amberBase[x] = (wave - 1 + bandWidth) / 0.04;
  }
  // Both fill colours per row, darkening towards the bottom, computed once.
  const shades = (color: readonly [number, number, number]) =>
    Array.from({ length: BQM_HEIGHT }, (_, y) => color.map((c) => Math.round(c * (1 - (0.27 * y) / BQM_HEIGHT))));
  const green = shades(GREEN);
  const amber = shades(AMBER);
  rgb.fill(BACKGROUND[0]);
  for (let o = 0; o < rgb.length; o += 3) {
    rgb[o + 1] = BACKGROUND[1];
    rgb[o + 2] = BACKGROUND[2];
  }
  for (let y = 0; y < BQM_HEIGHT; y++) {
    const greenRow = green[y] as number[];
    const amberRow = amber[y] as number[];
    for (let x = 0; x < BQM_WIDTH; x++) {
      const top = edge[x] as number;
      // Ragged edge: pixels near the top of the band appear with rising probability.
      if (y <= top - 12 || (y <= top + 8 && prng.next() >= (y - top + 12) / 20)) continue;
      const base = amberBase[x] as number;
      // Only pixels near a colour boundary need a random draw; the rest are settled.
      const isAmber = Math.abs(base) > 4 ? base > 0 : base + prng.gauss(0, 1.2) > 0;
      const color = isAmber ? amberRow : greenRow;
      const o = (y * BQM_WIDTH + x) * 3;
      rgb[o] = color[0] as number;
      rgb[o + 1] = color[1] as number;
      rgb[o + 2] = color[2] as number;
    }
  }
  return encodePng(BQM_WIDTH, BQM_HEIGHT, rgb);
}
