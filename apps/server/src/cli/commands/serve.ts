/**
 * `locker serve`: starts the server with its configuration from the environment (DATA_DIR,
 * BACKUP_DIR, HOST, PORT, BROWSE_ROOTS, DEMO_MODE, LOG_LEVEL) and runs until SIGTERM or SIGINT.
 */
import { loadEnv } from '../../env.ts';
import { parseCommandArgs, type Command } from '../command.ts';

export const serveCommand: Command = {
  name: 'serve',
  summary: 'Start the server (configured by DATA_DIR, BACKUP_DIR, HOST, PORT, BROWSE_ROOTS, DEMO_MODE, LOG_LEVEL).',
  usage: '(no options; see the README for the environment variables)',
  async run(args) {
    parseCommandArgs(args, {});
    const env = loadEnv(process.env);
    // Loaded on demand: the other commands do not carry Fastify and the routers in memory.
    const { startServer } = await import('../../serve.ts');
    await startServer(env);
    // Keep running: the server's signal handlers end the process.
    return await new Promise<number>(() => undefined);
  },
};
