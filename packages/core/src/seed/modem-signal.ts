/**
 * Per-poll channel readings of a typical German cable modem (24 DS SC-QAM + 1 OFDM, 4 US SC-QAM +
 * 1 OFDMA, the plan of the DOCSight fixtures), driven by the planned timeline: slow seasonal and
 * daily power drift, per-channel tilt and noise, error counters that only grow until a reboot.
 * Readings are the parsed channel rows DOCSight stores in `ds_channels_json`/`us_channels_json`.
 */
import type { Prng } from './prng.ts';
import { round1 } from './python-repr.ts';
import { type ModemTimeline, SpanCursor, POLLS_PER_DAY } from './modem-timeline.ts';

export interface DsChannel {
  channel_id: number;
  frequency: string;
  power: number;
  modulation: string;
  snr: number;
  correctable_errors: number;
  uncorrectable_errors: number;
  docsis_version: '3.0' | '3.1';
  health: string;
  health_detail: string;
}

export interface UsChannel {
  channel_id: number;
  frequency: string;
  power: number;
  modulation: string;
  profile_modulation?: string;
  multiplex: 'SC-QAM' | 'OFDMA';
  docsis_version: '3.0' | '3.1';
  health: string;
  health_detail: string;
  theoretical_bitrate: number | null;
  power_health?: string;
}

export interface ModemReading {
  ds: DsChannel[];
  us: UsChannel[];
  degraded: boolean;
}

const DS_SCQAM_FREQUENCIES = [114, 130, ...Array.from({ length: 22 }, (_, i) => 570 + 8 * i)];
const US_SCQAM_FREQUENCIES = ['51.000', '44.600', '37.200', '30.800'];
const OFDM_ID = 33;
const OFDM_FREQUENCY = '134.975 - 324.975';
const OFDMA_ID = 5;
const OFDMA_FREQUENCY = '18.000 - 44.000';
const BITRATE: Record<string, number> = { '16QAM': 20.48, '64QAM': 30.72 };

/**
 * The modem reports powers in tenths of a dB; DOCSight's demo adds its degradation offsets after
 * that rounding, so degraded rows carry full-precision floats (as the fixture rows do).
 */
function settle(power: number, shift: number | undefined): number {
  return shift === undefined ? round1(power) : round1(power) + shift;
}

/** Creates the modem; call `read(poll)` with increasing polls 0..timeline.polls-1. */
export function createModemSignal(prng: Prng, timeline: ModemTimeline) {
  const dsCount = DS_SCQAM_FREQUENCIES.length;
  // Higher frequencies arrive a little hotter on this (fictional) line: a gentle positive tilt.
  const dsBase = DS_SCQAM_FREQUENCIES.map((_, i) => 4.2 + i * 0.06 + prng.gauss(0, 0.35));
  const snrBase = DS_SCQAM_FREQUENCIES.map(() => 37.6 + prng.gauss(0, 0.5));
  const corrRate = DS_SCQAM_FREQUENCIES.map((_, i) => 1.8 + i * 0.06 + prng.range(0, 1.2));
  const usBase = US_SCQAM_FREQUENCIES.map((_, i) => 44.3 + i * 0.4 + prng.gauss(0, 0.2));
  const phaseYear = prng.range(0, 2 * Math.PI);
  const phaseMonth = prng.range(0, 2 * Math.PI);
  const corr = new Array<number>(dsCount + 1).fill(0);
  const uncorr = new Array<number>(dsCount + 1).fill(0);
  const degradations = new SpanCursor(timeline.degradations);
  const upstreamLows = new SpanCursor(timeline.upstreamLows);
  const snrDips = new SpanCursor(timeline.snrDips);
  const channelDrops = new SpanCursor(timeline.channelDrops);
  const reboots = new Set(timeline.reboots);
  const noise = prng.fork('noise');

  return {
    read(poll: number): ModemReading {
      if (reboots.has(poll)) {
        corr.fill(0);
        uncorr.fill(0);
      }
      const day = poll / POLLS_PER_DAY;
      const drift =
        0.5 * Math.sin((2 * Math.PI * day) / 365 + phaseYear) +
        0.25 * Math.sin((2 * Math.PI * day) / 23 + phaseMonth) +
        0.12 * Math.sin(2 * Math.PI * (day % 1));
      const degradation = degradations.at(poll);
      const dip = snrDips.at(poll);
      const dropped = channelDrops.at(poll);
      const ds: DsChannel[] = [];
      for (let i = 0; i < dsCount; i++) {
        const degradedHere = degradation !== undefined;
        corr[i] = (corr[i] as number) + Math.max(0, Math.round(noise.gauss(corrRate[i] as number, 0.8) * (degradedHere ? 6 : 1)));
        if (degradedHere && noise.chance(0.35)) uncorr[i] = (uncorr[i] as number) + noise.int(1, 3);
        if (dropped?.channelIndex === i) continue;
        let snr = (snrBase[i] as number) + noise.gauss(0, 0.35) - (degradation?.snrDrop ?? 0);
        if (dip?.channelIndex === i) snr -= dip.drop;
        ds.push({
          channel_id: i + 1,
          frequency: `${DS_SCQAM_FREQUENCIES[i]}.000`,
          power: settle((dsBase[i] as number) + drift + noise.gauss(0, 0.22), degradation?.powerShift),
          modulation: degradedHere && i >= 18 ? '64QAM' : '256QAM',
          snr: round1(snr),
          correctable_errors: corr[i] as number,
          uncorrectable_errors: uncorr[i] as number,
          docsis_version: '3.0',
          health: 'good',
          health_detail: '',
        });
      }
      corr[dsCount] = (corr[dsCount] as number) + Math.max(0, Math.round(noise.gauss(0.5, 0.5)));
      ds.push({
        channel_id: OFDM_ID,
        frequency: OFDM_FREQUENCY,
        power: settle(4.1 + drift + noise.gauss(0, 0.15), degradation && degradation.powerShift * 0.7),
        modulation: degradation ? '1024QAM' : '4096QAM',
        snr: round1(38.6 + noise.gauss(0, 0.2) - (degradation ? 1.7 : 0)),
        correctable_errors: corr[dsCount],
        uncorrectable_errors: uncorr[dsCount] as number,
        docsis_version: '3.1',
        health: 'good',
        health_detail: '',
      });

      const us: UsChannel[] = US_SCQAM_FREQUENCIES.map((frequency, i) => {
        const modulation = degradation && i >= 2 ? '16QAM' : '64QAM';
        return {
          channel_id: i + 1,
          frequency,
          power: settle((usBase[i] as number) + noise.gauss(0, 0.25), degradation && 0.6),
          modulation,
          multiplex: 'SC-QAM',
          docsis_version: '3.0',
          health: 'good',
          health_detail: '',
          theoretical_bitrate: BITRATE[modulation] as number,
        };
      });
      const low = upstreamLows.at(poll);
      const ofdmaPower = round1(low ? low.ofdmaPower + noise.gauss(0, 0.15) : 44.7 + noise.gauss(0, 0.25));
      const ofdmaHealth = ofdmaPower < 42 ? 'warning' : ofdmaPower < 44 ? 'tolerated' : 'good';
      const ofdma: UsChannel = {
        channel_id: OFDMA_ID,
        frequency: OFDMA_FREQUENCY,
        power: ofdmaPower,
        modulation: 'OFDMA',
        profile_modulation: ofdmaHealth === 'good' ? '1024QAM' : '512QAM',
        multiplex: 'OFDMA',
        docsis_version: '3.1',
        health: ofdmaHealth,
        health_detail: ofdmaHealth === 'good' ? '' : `power ${ofdmaHealth} low`,
        theoretical_bitrate: null,
      };
      if (ofdmaHealth !== 'good') ofdma.power_health = ofdmaHealth;
      us.push(ofdma);
      return { ds, us, degraded: degradation !== undefined };
    },
  };
}
