/**
 * Public surface of the server package. The web app imports only `type AppRouter` (and may use
 * createLockerClient's pattern); the CLI uses loadEnv and startServer.
 */
export type { AppRouter } from './trpc/routers/_app.ts';
export type { ErrorCode, ArchiveWarningCode, JobPhase } from './codes.ts';
export { createLockerClient, type LockerClientOptions } from './client.ts';
export { loadEnv, EnvError, type Env, type LogLevel } from './env.ts';
export { buildServer, type BuildServerOptions } from './app.ts';
export { startServer, type RunningServer } from './serve.ts';
export type { ScheduleState, ScheduleStateSource } from './schedule-state.ts';
export type { UploadedBackup } from './backups/backup-upload-route.ts';
export type { ServerServices } from './trpc/context.ts';
export { requireSession, hasSessionAccess } from './http/session-guard.ts';
export { toHttpError, toTrpcError } from './errors/error-mapping.ts';
export { audit, type AuditEvent } from './audit.ts';
export { setupProcedure, protectedProcedure, publicProcedure, router } from './trpc/init.ts';
