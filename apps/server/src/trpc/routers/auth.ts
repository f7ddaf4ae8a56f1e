/**
 * Login with the admin password (session cookie), logout (this session, or every session), and
 * "who am I". Failed logins are limited per client address (5 per 15 minutes, then a lockout from
 * 30 s, doubling; an attempt counts when it starts: auth/login-rate-limiter.ts) and each refusal
 * gets an audit line with the address. A request may hold one login only (trpc/context.ts
 * refuses a batch with more).
 */
import { z } from 'zod';
import { audit } from '../../audit.ts';
import { refusal } from '../../errors/server-refusal.ts';
import { issueSessionToken } from '../../auth/session-token.ts';
import { reenterAdminPassword } from '../../auth/reenter-admin-password.ts';
import { accessFactsOf } from '../context.ts';
import { protectedProcedure, publicProcedure, router } from '../init.ts';

export const LoginInputSchema = z.object({
  password: z.string().min(1, { message: 'Enter the admin password.' }).max(1024),
});

export const authRouter = router({
  login: publicProcedure.input(LoginInputSchema).mutation(async ({ ctx, input }) => {
    const ip = ctx.request.clientAddress;
    const { instance, loginLimiter } = ctx;
    if (!instance.hasAdminPassword) {
      throw refusal('BAD_REQUEST', 'LOGIN_NOT_NEEDED', 'No admin password is set, so there is nothing to log in to.');
    }
    await reenterAdminPassword({ instance, loginLimiter, ip, log: ctx.request.log, purpose: 'login' }, input.password);
    const repr = instance.snapshot.adminPasswordRepr;
    let snapshot = instance.snapshot;
    if (!repr.startsWith('scrypt:') && !repr.startsWith('pbkdf2:')) {
      // A legacy plaintext password becomes a hash on the first good login, as in DOCSight.
      snapshot = await instance.updateConfig({ admin_password: input.password });
    }
    ctx.request.setSessionCookie(issueSessionToken(snapshot.sessionKey, snapshot.adminPasswordRepr));
    audit(ctx.request.log, 'login.succeeded', { ip }, 'Login succeeded');
    return { authenticated: true };
  }),

  /** Ends this session on the server (its cookie stops working everywhere) and clears the cookie. */
  logout: publicProcedure.mutation(async ({ ctx }) => {
    await ctx.instance.endSession(ctx.request.sessionToken);
    ctx.request.clearSessionCookie();
    audit(ctx.request.log, 'logout', { ip: ctx.request.clientAddress }, 'Logged out');
    return { authenticated: false };
  }),

  /** Ends every session, this one included (a new session key), e.g. after a lost phone. */
  logoutEverywhere: protectedProcedure.mutation(async ({ ctx }) => {
    if (!ctx.instance.hasAdminPassword) {
      throw refusal('BAD_REQUEST', 'LOGIN_NOT_NEEDED', 'No admin password is set, so there are no sessions to end.');
    }
    await ctx.instance.endAllSessions();
    ctx.request.clearSessionCookie();
    audit(ctx.request.log, 'logout', { ip: ctx.request.clientAddress, everywhere: true }, 'Logged out everywhere');
    return { authenticated: false };
  }),

  me: publicProcedure.query(({ ctx }) => {
    const facts = accessFactsOf(ctx);
    return { authRequired: facts.hasAdminPassword, authenticated: facts.authenticated };
  }),
});
