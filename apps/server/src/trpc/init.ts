/**
 * The one initTRPC of the server and its procedure kinds:
 * - `publicProcedure`: anyone (setup state, login).
 * - `protectedProcedure`: the session rule (auth/access-rules.ts): a session when an admin password
 *   is set; otherwise open, as in DOCSight. Refusal is 401 UNAUTHORIZED as JSON, never a redirect.
 * - `setupProcedure`: the setup rule, for looking at and discarding an upload. With an admin
 *   password: a session. Without one: open, like DOCSight (the setup wizard needs it before
 *   anything is configured); a refusal gets a `restore.refused` audit line. What costs the server
 *   while unconfigured, an upload and a restore, is counted per address where it starts
 *   (restore/setup-access.ts).
 * Every procedure maps LockerErrors to tRPC codes once (errors/error-mapping.ts). Every error's
 * `data` carries `lockerCode` (the engine's code, a server code from errors/server-refusal.ts, or
 * null) and `details` (the facts a translation may name), so a client can say it in its language.
 */
import { initTRPC } from '@trpc/server';
import { LockerError } from '@evidence-locker/core';
import { decideSessionAccess, decideSetupAccess, refusalError } from '../auth/access-rules.ts';
import { clientDetails, toTrpcError } from '../errors/error-mapping.ts';
import { refusalOf, type ErrorDetails } from '../errors/server-refusal.ts';
import { auditRestoreRefusal } from '../restore/setup-access.ts';
import { accessFactsOf, type Context } from './context.ts';

/** Validation problems in a shape clients can show next to fields. */
export interface InputIssue {
  path: string;
  message: string;
}

const t = initTRPC.context<Context>().create({
  // Never send stack traces, whatever NODE_ENV says.
  isDev: false,
  sse: {
    ping: { enabled: true, intervalMs: 15_000 },
    client: { reconnectAfterInactivityMs: 40_000 },
  },
  errorFormatter({ shape, error }) {
    const refused = refusalOf(error);
    let lockerCode: string | null = null;
    let details: ErrorDetails = {};
    if (error.cause instanceof LockerError) {
      lockerCode = error.cause.code;
      details = clientDetails(error.cause.details);
    } else if (refused) {
      lockerCode = refused.code;
      details = refused.details;
    }
    const issues = inputIssues(error.cause);
    let message = shape.message;
    if (issues) message = issues.map((issue) => issue.message).join(' ');
    else if (error.code === 'INTERNAL_SERVER_ERROR' && lockerCode === null) {
      message = 'Internal server error';
      lockerCode = 'INTERNAL';
    }
    const { stack: _stack, ...data } = shape.data;
    return { ...shape, message, data: { ...data, lockerCode, details, issues } };
  },
});

/** Input validation issues (zod / standard schema), or null for other errors. */
function inputIssues(cause: unknown): InputIssue[] | null {
  if (typeof cause !== 'object' || cause === null || !('issues' in cause) || !Array.isArray(cause.issues)) {
    return null;
  }
  return (cause.issues as { path?: readonly PropertyKey[] | undefined; message: string }[]).map((issue) => ({
    path: (issue.path ?? []).map((part) => String(typeof part === 'object' ? (part as { key: unknown }).key : part)).join('.'),
    message: issue.message,
  }));
}

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

const mapLockerErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof LockerError) throw toTrpcError(result.error.cause);
  return result;
});

export const publicProcedure = t.procedure.use(mapLockerErrors);

export const protectedProcedure = publicProcedure.use(({ ctx, next }) => {
  const decision = decideSessionAccess(accessFactsOf(ctx));
  if (!decision.allowed) throw refusalError(decision);
  return next();
});

export const setupProcedure = publicProcedure.use(({ ctx, next, path }) => {
  // Only looks and discards: nothing here costs the server, so nothing is counted.
  const decision = decideSetupAccess(accessFactsOf(ctx));
  if (!decision.allowed) {
    auditRestoreRefusal(ctx.request.log, ctx.request.clientAddress, path, decision);
    throw refusalError(decision);
  }
  return next();
});
