import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { HealthSchema, registerHealthRoute } from './health-route.ts';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function healthServer(): Promise<FastifyInstance> {
  app = Fastify({ logger: false });
  registerHealthRoute(app);
  await app.ready();
  return app;
}

/** Holds the thread for `ms`, as a synchronous call on the event loop would. */
function blockEventLoop(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // Busy on purpose: nothing else may run meanwhile.
  }
}

/** Lets the delay monitor's 10 ms timer fire a few times. */
function idle(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function health(server: FastifyInstance, url = '/api/health') {
  const response = await server.inject({ method: 'GET', url });
  expect(response.statusCode).toBe(200);
  return HealthSchema.parse(response.json());
}

describe('GET /api/health', () => {
  it('reports the process memory, its peak at least as high as now', async () => {
    const server = await healthServer();
    const answer = await health(server);
    expect(answer.status).toBe('ok');
    expect(answer.rssBytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(answer.maxRssBytes).toBeGreaterThanOrEqual(answer.rssBytes);
  });

  it('reports an event loop blocked for 150 ms as a delay of at least 100 ms', async () => {
    const server = await healthServer();
    await idle(30);
    blockEventLoop(150);
    await idle(30);
    const answer = await health(server);
    expect(answer.eventLoop.maxDelayMs).toBeGreaterThanOrEqual(100);
    expect(answer.eventLoop.maxDelayMs).toBeLessThan(1000);
    expect(answer.eventLoop.p99DelayMs).toBeLessThanOrEqual(answer.eventLoop.maxDelayMs);
  });

  it('starts the delay statistics afresh after ?reset=1, having answered the old ones', async () => {
    const server = await healthServer();
    await idle(30);
    blockEventLoop(150);
    await idle(30);
    const beforeReset = await health(server, '/api/health?reset=1');
    expect(beforeReset.eventLoop.maxDelayMs).toBeGreaterThanOrEqual(100);
    await idle(60);
    const afterReset = await health(server);
    expect(afterReset.eventLoop.maxDelayMs).toBeLessThan(100);
  });

  it('keeps the statistics when reset is not asked for', async () => {
    const server = await healthServer();
    await idle(30);
    blockEventLoop(150);
    await idle(30);
    await health(server, '/api/health?reset=0');
    expect((await health(server)).eventLoop.maxDelayMs).toBeGreaterThanOrEqual(100);
  });
});
