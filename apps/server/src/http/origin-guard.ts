/**
 * Fastify onRequest hook applying the cross-origin rule (auth/cross-origin-refusal.ts) to every
 * route: tRPC mutations and raw POST/DELETE routes alike. A refusal is 403 JSON plus an audit line.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { audit } from '../audit.ts';
import { crossOriginRefusal } from '../auth/cross-origin-refusal.ts';

const header = (request: FastifyRequest, name: string): string | undefined => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

export async function refuseCrossOrigin(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const refusal = crossOriginRefusal({
    method: request.method,
    host: header(request, 'host'),
    origin: header(request, 'origin'),
    referer: header(request, 'referer'),
    secFetchSite: header(request, 'sec-fetch-site'),
  });
  if (refusal === null) return;
  audit(
    request.log,
    'request.cross-origin-refused',
    { ip: request.ip, method: request.method, url: request.url, origin: header(request, 'origin') ?? header(request, 'referer') ?? null },
    'Cross-origin request refused',
  );
  await reply.code(403).send({ error: { code: 'CROSS_ORIGIN_REFUSED', message: refusal } });
}
