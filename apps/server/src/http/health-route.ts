/**
 * `GET /api/health`: answers `{ status: 'ok' }` while the server runs (container health checks, the
 * e2e harness), plus how responsive and how big the process is, so a benchmark or an operator can see
 * whether long work (a 1 GB backup or restore) blocks the event loop or grows memory:
 *
 * - `eventLoop.maxDelayMs`, `eventLoop.p99DelayMs`: how late a 10 ms timer fired, worst and 99th
 *   percentile, since the server was built or since the last reset (perf_hooks'
 *   `monitorEventLoopDelay`; the timer's own 10 ms are subtracted, so an idle loop reads about 0);
 * - `rssBytes`: resident memory now; `maxRssBytes`: the process's peak resident memory (worker
 *   threads included, they share the process).
 *
 * `GET /api/health?reset=1` answers the same and then starts the delay statistics afresh, so a
 * benchmark can measure one phase at a time (a maximum cannot be subtracted). This is not secret and
 * changes nothing a user sees, so it needs no session, like the rest of the route. Answering
 * costs a few microseconds: no I/O, no database.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';

/** How often the delay monitor's timer fires (ms); finer costs more wake-ups for little gain. */
export const EVENT_LOOP_RESOLUTION_MS = 10;

export const HealthSchema = z.object({
  status: z.literal('ok'),
  eventLoop: z.object({
    maxDelayMs: z.number().nonnegative(),
    p99DelayMs: z.number().nonnegative(),
  }),
  rssBytes: z.number().int().nonnegative(),
  maxRssBytes: z.number().int().nonnegative(),
});
export type Health = z.infer<typeof HealthSchema>;

const HealthQuerySchema = z.object({ reset: z.enum(['1', 'true']).optional() }).loose();

/** Lateness beyond the timer's interval, in ms; 0 before the timer fired at all. */
function delayMs(histogram: IntervalHistogram, nanoseconds: number): number {
  if (histogram.count === 0) return 0;
  return Math.max(0, nanoseconds / 1e6 - EVENT_LOOP_RESOLUTION_MS);
}

/**
 * Registers `GET /api/health` and starts the event-loop delay monitor, which stops when the server
 * closes.
 */
export function registerHealthRoute(app: FastifyInstance): void {
  const histogram = monitorEventLoopDelay({ resolution: EVENT_LOOP_RESOLUTION_MS });
  histogram.enable();
  app.addHook('onClose', async () => void histogram.disable());

  app.get('/api/health', async (request): Promise<Health> => {
    const query = HealthQuerySchema.safeParse(request.query ?? {});
    const health: Health = {
      status: 'ok',
      eventLoop: {
        maxDelayMs: delayMs(histogram, histogram.max),
        p99DelayMs: delayMs(histogram, histogram.percentile(99)),
      },
      rssBytes: process.memoryUsage.rss(),
      // resourceUsage() reports kilobytes.
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
    };
    if (query.success && query.data.reset) histogram.reset();
    return health;
  });
}
