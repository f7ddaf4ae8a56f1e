/**
 * `pnpm locker <command>`: the Evidence Locker command line. Each command prints human-readable
 * output by default and one JSON document with `--json`; failures exit non-zero with a message.
 */
import { commands, findCommand, usage } from './commands/index.ts';
import { reportFailure, UsageError } from './cli-output.ts';

// A closed pipe (`locker inspect | head`) is not a failure of the command.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

async function main(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  try {
    const [first, ...rest] = argv;
    if (first === undefined || first === 'help' || first === '--help' || first === '-h') {
      process.stdout.write(usage(commands));
      return 0;
    }
    const { command, args } = findCommand(first, rest);
    return await command.run(args);
  } catch (error) {
    return reportFailure(error, json);
  }
}

process.exitCode = await main(process.argv.slice(2));
if (process.exitCode !== 0) {
  // Keep the process from lingering on open handles after a failure.
  setTimeout(() => process.exit(), 50).unref();
}
export { UsageError };
