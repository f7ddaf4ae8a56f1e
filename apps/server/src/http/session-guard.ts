/**
 * The session rule for raw (non-tRPC) routes, as a Fastify preHandler: when an admin password is
 * set, a request without a valid `el_session` cookie gets 401 JSON (code `LOGIN_REQUIRED`, as the
 * upload route and tRPC's `data.lockerCode` say it), never a redirect. Same rule as
 * tRPC's protectedProcedure. Use: `app.get('/api/…', { preHandler: requireSession(services) }, …)`.
 */
import type {} from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SESSION_COOKIE } from '../auth/session-token.ts';
import type { ServerServices } from '../trpc/context.ts';

/** True when the request may use protected routes (no admin password, or a session not logged out). */
export function hasSessionAccess(services: ServerServices, request: FastifyRequest): boolean {
  const { instance } = services;
  return !instance.hasAdminPassword || instance.sessionOf(request.cookies[SESSION_COOKIE]) !== null;
}

/** A preHandler that answers 401 JSON when {@link hasSessionAccess} is false. */
export function requireSession(services: ServerServices) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (hasSessionAccess(services, request)) return;
    await reply.code(401).send({
      error: { code: 'LOGIN_REQUIRED', message: 'Log in first: this instance has an admin password.' },
    });
  };
}
