/**
 * The story of one modem over the seeded window, planned once so that snapshots, events, speed
 * tests and journal entries agree: evening degradations (DS power up, SNR down, uncorrectable
 * errors, summary health "marginal"), days of low OFDMA upstream power, single-channel SNR dips,
 * a DS channel that drops out for a few hours, and reboots that reset the error counters.
 * Everything is in snapshot indices (one per 15 minutes from `startMs`), because DOCSight derives
 * its events from consecutive polls.
 */
import type { Prng } from './prng.ts';

export const POLL_MS = 15 * 60_000;
export const POLLS_PER_DAY = 96;

/** A range of polls, `from` inclusive, `to` exclusive. */
export interface PollSpan {
  from: number;
  to: number;
}

export interface Degradation extends PollSpan {
  /** dB added to every DS channel's power. */
  powerShift: number;
  /** dB taken from every DS channel's SNR. */
  snrDrop: number;
}

export interface UpstreamLow extends PollSpan {
  /** OFDMA transmit power (dBmV) during the span. */
  ofdmaPower: number;
}

export interface SnrDip extends PollSpan {
  /** Index into the DS SC-QAM channel plan. */
  channelIndex: number;
  drop: number;
}

export interface ChannelDrop extends PollSpan {
  channelIndex: number;
}

export interface ModemTimeline {
  startMs: number;
  polls: number;
  degradations: Degradation[];
  upstreamLows: UpstreamLow[];
  snrDips: SnrDip[];
  channelDrops: ChannelDrop[];
  /** Polls at which the modem had just rebooted (error counters start again). */
  reboots: number[];
}

/** Spreads spans over the window with random gaps of `gapDays` (min, max). */
function planSpans(prng: Prng, polls: number, gapDays: [number, number], lengthPolls: [number, number], firstAt = -1): PollSpan[] {
  const spans: PollSpan[] = [];
  let at = firstAt >= 0 ? firstAt : prng.int(0, Math.round(gapDays[1] * POLLS_PER_DAY));
  while (at < polls) {
    const length = prng.int(lengthPolls[0], lengthPolls[1]);
    spans.push({ from: at, to: Math.min(polls, at + length) });
    at += length + Math.round(prng.range(gapDays[0], gapDays[1]) * POLLS_PER_DAY);
  }
  return spans;
}

/** Plans the modem's story for `polls` snapshots starting at `startMs`. */
export function planModemTimeline(prng: Prng, startMs: number, polls: number): ModemTimeline {
  // The first episode comes within two days, so even a short seed shows one.
  const degradations = planSpans(prng.fork('degradations'), polls, [8, 14], [16, 26], prng.int(8, 2 * POLLS_PER_DAY)).map((span) => ({
    ...span,
    powerShift: prng.range(1.8, 2.8),
    snrDrop: prng.range(2.8, 3.8),
  }));
  const upstreamLows = planSpans(prng.fork('upstream'), polls, [3, 7], [48, 192]).map((span) => ({
    ...span,
    ofdmaPower: prng.chance(0.1) ? prng.range(41.2, 41.9) : prng.range(43.0, 43.9),
  }));
  const snrDips = planSpans(prng.fork('snr'), polls, [14, 26], [4, 12]).map((span) => ({
    ...span,
    channelIndex: prng.int(4, 17),
    drop: prng.range(3.0, 4.5),
  }));
  const channelDrops = planSpans(prng.fork('channels'), polls, [14, 26], [8, 28]).map((span) => ({
    ...span,
    channelIndex: prng.int(2, 23),
  }));
  const reboots = planSpans(prng.fork('reboots'), polls, [10, 24], [1, 1]).map((s) => s.from);
  return { startMs, polls, degradations, upstreamLows, snrDips, channelDrops, reboots };
}

/** The span of `spans` (sorted, disjoint) that contains `poll`, found by a moving cursor. */
export class SpanCursor<T extends PollSpan> {
  private index = 0;
  constructor(private readonly spans: readonly T[]) {}
  /** Call with non-decreasing polls. */
  at(poll: number): T | undefined {
    while (this.index < this.spans.length && (this.spans[this.index] as T).to <= poll) this.index++;
    const span = this.spans[this.index];
    return span && span.from <= poll ? span : undefined;
  }
}
