/**
 * The session rule (auth/access-rules.ts) for raw (non-tRPC) routes, as a Fastify preHandler: when
 * an admin password is set, a request without a valid `el_session` cookie gets 401 JSON (code
 * `LOGIN_REQUIRED`, as the upload route and tRPC's `data.lockerCode` say it, through the same
 * `toHttpError`), never a redirect. Use: `app.get('/api/…', { preHandler: requireSession(services) }, …)`.
 */
import type {} from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { readAccessFacts } from '../auth/access-facts.ts';
import { decideSessionAccess, refusalError, type SessionDecision } from '../auth/access-rules.ts';
import { SESSION_COOKIE } from '../auth/session-token.ts';
import { toHttpError } from '../errors/error-mapping.ts';
import type { ServerServices } from '../trpc/context.ts';

function sessionDecision(services: Pick<ServerServices, 'instance'>, request: FastifyRequest): SessionDecision {
  return decideSessionAccess(readAccessFacts(services.instance, request.cookies[SESSION_COOKIE]));
}

/** True when the request may use protected routes (no admin password, or a session not logged out). */
export function hasSessionAccess(services: Pick<ServerServices, 'instance'>, request: FastifyRequest): boolean {
  return sessionDecision(services, request).allowed;
}

/** A preHandler that answers the session rule's refusal as JSON (401 `LOGIN_REQUIRED`). */
export function requireSession(services: Pick<ServerServices, 'instance'>) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const decision = sessionDecision(services, request);
    if (decision.allowed) return;
    const { status, body } = toHttpError(refusalError(decision));
    await reply.code(status).send(body);
  };
}
