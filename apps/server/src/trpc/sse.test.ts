import fastifyCookie from '@fastify/cookie';
import { tracked } from '@trpc/server';
import { fastifyTRPCPlugin } from '@trpc/server/adapters/fastify';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { createTestServices } from '@evidence-locker/server/testing/test-services';
import { createContextFactory } from './context.ts';
import { publicProcedure, router } from './init.ts';

// Job progress will be a subscription; this checks that our initTRPC streams SSE through Fastify.
const progressRouter = router({
  progress: publicProcedure.subscription(async function* () {
    yield tracked('1', { percent: 50 });
    yield tracked('2', { percent: 100 });
  }),
});

describe('subscriptions over SSE', () => {
  it('streams tracked events as server-sent events', async () => {
    const setup = await createTestServices();
    const app = Fastify();
    await app.register(fastifyCookie);
    await app.register(fastifyTRPCPlugin, {
      prefix: '/trpc',
      trpcOptions: { router: progressRouter, createContext: createContextFactory(setup.services) },
    });
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const response = await fetch(`${url}/trpc/progress`, { headers: { accept: 'text/event-stream' } });
      expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const reader = response.body!.getReader();
      let text = '';
      while (!text.includes('"percent":100')) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
      await reader.cancel();
      expect(text).toContain('id: 1');
      expect(text).toContain('data: {"percent":50}');
      expect(text).toContain('data: {"percent":100}');
    } finally {
      await app.close();
    }
  });
});
