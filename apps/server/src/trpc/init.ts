/**
 * The one initTRPC of the server and its procedure kinds:
 * - `publicProcedure`: anyone (setup state, login).
 * - `protectedProcedure`: needs a session when an admin password is set; otherwise open, as in
 *   DOCSight. Refusal is 401 UNAUTHORIZED as JSON, never a redirect.
 * - `setupProcedure`: for upload, validate and restore. With an admin password: a session. Without
 *   one and while the instance is unconfigured: open but limited per client address (5 an hour,
 *   an upload and its restore counted once via the `uploadId` input). Configured without a
 *   password: open, like DOCSight.
 * Every procedure maps LockerErrors to tRPC codes once (errors/error-mapping.ts).
 */
import { initTRPC, TRPCError } from '@trpc/server';
import { LockerError } from '@evidence-locker/core';
import { audit } from '../audit.ts';
import { toTrpcError } from '../errors/error-mapping.ts';
import { isAuthenticated, type Context } from './context.ts';

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
    const lockerCode = error.cause instanceof LockerError ? error.cause.code : null;
    const issues = inputIssues(error.cause);
    let message = shape.message;
    if (issues) message = issues.map((issue) => issue.message).join(' ');
    else if (error.code === 'INTERNAL_SERVER_ERROR' && lockerCode === null) message = 'Internal server error';
    const { stack: _stack, ...data } = shape.data;
    return { ...shape, message, data: { ...data, lockerCode, issues } };
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

function unauthorized(): TRPCError {
  return new TRPCError({ code: 'UNAUTHORIZED', message: 'Log in first: this instance has an admin password.' });
}

export const publicProcedure = t.procedure.use(mapLockerErrors);

export const protectedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (ctx.instance.hasAdminPassword && !isAuthenticated(ctx)) throw unauthorized();
  return next();
});

export const setupProcedure = publicProcedure.use(async ({ ctx, next, getRawInput, path }) => {
  if (ctx.instance.hasAdminPassword) {
    if (!isAuthenticated(ctx)) {
      audit(ctx.request.log, 'restore.refused', { ip: ctx.request.clientAddress, path, reason: 'not logged in' }, 'Restore attempt refused: not logged in');
      throw unauthorized();
    }
    return next();
  }
  if (ctx.instance.snapshot.configured) return next();
  const raw = await getRawInput();
  const key =
    typeof raw === 'object' && raw !== null && 'uploadId' in raw && typeof raw.uploadId === 'string'
      ? raw.uploadId
      : undefined;
  const attempt = ctx.setupLimiter.consume(ctx.request.clientAddress, key);
  if (!attempt.allowed) {
    audit(ctx.request.log, 'restore.refused', { ip: ctx.request.clientAddress, path, reason: 'rate limit' }, 'Restore attempt refused: too many attempts');
    throw new TRPCError({
      code: 'TOO_MANY_REQUESTS',
      message: `Too many restore attempts from your address. Try again in ${Math.ceil(attempt.retryAfterSeconds / 60)} minutes.`,
    });
  }
  return next();
});
