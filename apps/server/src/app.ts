/**
 * Builds the HTTP server: Fastify with the tRPC API at /trpc (queries and mutations over HTTP,
 * subscriptions over SSE), /api/health (http/health-route.ts), /metrics (http/metrics-route.ts),
 * security headers, the Host and cross-origin refusals, JSON errors for /api and /trpc (never
 * redirects, never HTML), and the web app at /.
 *
 * Session cookie `el_session`: HttpOnly (scripts cannot read it), SameSite=Strict, Secure when the
 * request came over TLS. Strict rather than DOCSight's Lax because the app's HTML is public and
 * every authenticated call is a same-origin fetch: following a link from elsewhere loads the page
 * without the cookie, and the page's own API calls then carry it. Nothing breaks, and no other site
 * can make the browser send the cookie, even with a top-level GET.
 */
import fastifyCookie from '@fastify/cookie';
import { fastifyTRPCPlugin, type FastifyTRPCPluginOptions } from '@trpc/server/adapters/fastify';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Env } from './env.ts';
import { isServerFault, toHttpError } from './errors/error-mapping.ts';
import { refuseUnknownHost } from './http/host-guard.ts';
import { refuseCrossOrigin } from './http/origin-guard.ts';
import { addSecurityHeaders } from './http/security-headers.ts';
import { registerBackupDownloadRoutes } from './http/backup-download-routes.ts';
import { registerHealthRoute } from './http/health-route.ts';
import { registerMetricsRoute } from './http/metrics-route.ts';
import { registerTargetCopyRoute } from './http/target-copy-route.ts';
import { registerWebApp } from './http/web-app.ts';
import { openInstance, type Instance } from './instance/instance.ts';
import { uploadRoute } from './restore/upload-route.ts';
import { backupUploadRoute } from './backups/backup-upload-route.ts';
import type { UploadStoreOptions } from './restore/upload-store.ts';
import type { ScheduleStateSource } from './schedule-state.ts';
import { closeServerServices, createServerServices } from './server-services.ts';
import { createContextFactory, type ServerServices } from './trpc/context.ts';
import { appRouter, type AppRouter } from './trpc/routers/_app.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The server's services, for raw routes registered by other modules. */
    locker: ServerServices;
  }
}

/** Options of {@link buildServer}. */
export interface BuildServerOptions {
  env: Env;
  /** A pino logger to use; default: Fastify's pino at `env.logLevel` writing JSON to stdout. */
  logger?: FastifyBaseLogger;
  /** Where log lines go when no `logger` is given (tests capture them); default stdout. */
  logStream?: { write(line: string): void };
  /** An already opened instance (default: opened from `env` at build time). */
  instance?: Instance;
  /** The schedule's state for the dashboard (default: the backup scheduler's, started when the server is ready). */
  scheduleState?: ScheduleStateSource;
  /** Called when the backup settings were saved, after the scheduler was told (default: nothing more). */
  onBackupSettingsChanged?: () => void;
  /** The built web app (default apps/web/dist). */
  webDistDir?: string;
  /** Upload cap, expiry etc. (default: 4 GiB, 1 hour); staged in the data directory. */
  uploads?: Omit<UploadStoreOptions, 'stagingDir'>;
}

/**
 * Opens the instance (unless given) and returns a ready Fastify server; call `listen()` on it.
 * Closing the server closes the instance's databases.
 */
export async function buildServer(options: BuildServerOptions): Promise<FastifyInstance> {
  const { env } = options;
  const serverOptions: FastifyServerOptions = {
    // tRPC batches put several procedure names into one path parameter.
    routerOptions: { maxParamLength: 5000 },
    // The client address is the peer: X-Forwarded-For would let anyone dodge the rate limits.
    trustProxy: false,
  };
  const app: FastifyInstance = options.logger
    ? Fastify({ ...serverOptions, loggerInstance: options.logger })
    : Fastify({
        ...serverOptions,
        logger: { level: env.logLevel, ...(options.logStream ? { stream: options.logStream } : {}) },
      });

  const instance =
    options.instance ??
    (await openInstance({
      dataDir: env.dataDir,
      backupDir: env.backupDir,
      browseRoots: env.browseRoots,
      demoModeOverride: env.demoMode,
      log: app.log,
    }));
  const services = createServerServices({
    env,
    instance,
    log: app.log,
    scheduleState: options.scheduleState,
    onBackupSettingsChanged: options.onBackupSettingsChanged,
    uploads: options.uploads,
  });
  app.decorate('locker', services);
  // The schedule starts once the server is ready (listen or first inject), not while building it.
  app.addHook('onReady', async () => {
    // The dead man's switch starts once the schedule knows its newest backup.
    void services.scheduler.start().then(() => services.staleWatch.start());
    void services.targetPusher.start();
    void services.testRestores.start();
    // What the alert channels were still owed when the server last stopped goes out now.
    services.alertCenter.start();
  });
  app.addHook('onClose', () => closeServerServices(services));

  // Host first: the cross-origin rule compares Origin with a Host header it must be able to trust.
  app.addHook('onRequest', refuseUnknownHost(env.allowedHosts));
  app.addHook('onRequest', refuseCrossOrigin);
  app.addHook('onSend', addSecurityHeaders);
  app.setErrorHandler((error, request, reply) => {
    const statusCode = (error as { statusCode?: unknown }).statusCode;
    // Fastify's own 4xx (bad JSON, body too large, unsupported media type) keep their status.
    if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
      const code = (error as { code?: unknown }).code;
      return reply.code(statusCode).send({
        error: { code: typeof code === 'string' ? code : 'BAD_REQUEST', message: (error as Error).message },
      });
    }
    const { status, body } = toHttpError(error);
    if (isServerFault(status)) request.log.error({ err: error }, 'Request failed');
    return reply.code(status).send(body);
  });

  await app.register(fastifyCookie);
  await app.register(fastifyTRPCPlugin, {
    prefix: '/trpc',
    trpcOptions: {
      router: appRouter,
      createContext: createContextFactory(services),
      onError({ error, path, req }) {
        if (error.code === 'INTERNAL_SERVER_ERROR') req.log.error({ err: error.cause ?? error, path }, 'Procedure failed');
        else req.log.debug({ code: error.code, path }, error.message);
      },
    } satisfies FastifyTRPCPluginOptions<AppRouter>['trpcOptions'],
  });

  registerHealthRoute(app);
  registerMetricsRoute(app, services);
  await registerBackupDownloadRoutes(app, services);
  registerTargetCopyRoute(app, services);
  await app.register(uploadRoute);
  await app.register(backupUploadRoute);
  await registerWebApp(app, options.webDistDir);
  return app;
}
