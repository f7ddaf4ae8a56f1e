/** The registry of CLI commands and the `help` text built from it. */
import { UsageError } from '../cli-output.ts';
import type { Command } from '../command.ts';
import { backupCreateCommand } from './backup-create.ts';
import { backupDeleteCommand } from './backup-delete.ts';
import { backupListCommand } from './backup-list.ts';
import { backupPushCommand } from './backup-push.ts';
import { backupPruneCommand } from './backup-prune.ts';
import { backupRestoreCommand } from './backup-restore.ts';
import { backupValidateCommand } from './backup-validate.ts';
import { backupVerifyCommand } from './backup-verify.ts';
import { inspectCommand } from './inspect.ts';
import { keyGenerateCommand } from './key-generate.ts';
import { keyRecipientCommand } from './key-recipient.ts';
import { seedCommand } from './seed.ts';
import { serveCommand } from './serve.ts';
import { targetAddCommand } from './target-add.ts';
import { targetBackupsCommand } from './target-backups.ts';
import { targetListCommand } from './target-list.ts';
import { targetRemoveCommand } from './target-remove.ts';
import { targetTestCommand } from './target-test.ts';

export const commands: readonly Command[] = [
  serveCommand,
  seedCommand,
  inspectCommand,
  backupCreateCommand,
  backupValidateCommand,
  backupRestoreCommand,
  backupListCommand,
  backupPruneCommand,
  backupDeleteCommand,
  backupVerifyCommand,
  backupPushCommand,
  targetAddCommand,
  targetListCommand,
  targetTestCommand,
  targetRemoveCommand,
  targetBackupsCommand,
  keyGenerateCommand,
  keyRecipientCommand,
];

/** Finds the command named by the first one or two words of argv. */
export function findCommand(first: string, rest: string[]): { command: Command; args: string[] } {
  const second = rest[0];
  if (second !== undefined) {
    const twoWords = commands.find((command) => command.name === `${first} ${second}`);
    if (twoWords) return { command: twoWords, args: rest.slice(1) };
  }
  const oneWord = commands.find((command) => command.name === first);
  if (oneWord) return { command: oneWord, args: rest };
  const group = commands.filter((command) => command.name.startsWith(`${first} `));
  if (group.length > 0) {
    const names = group.map((command) => command.name.split(' ')[1]).join('|');
    throw new UsageError(second === undefined ? `\`${first}\` needs a subcommand: ${names}` : `unknown command: ${first} ${second}`);
  }
  throw new UsageError(`unknown command: ${first}`);
}

export function usage(list: readonly Command[]): string {
  const width = Math.max(...list.map((command) => command.name.length), 4);
  const lines = [
    'Evidence Locker: backups and restores for DOCSight-compatible data directories.',
    '',
    'Usage: pnpm locker <command> [options]   (every command accepts --json)',
    '',
    'Commands:',
    ...list.map((command) =>
      [
        `  ${command.name.padEnd(width)}  ${command.summary}`,
        `  ${' '.repeat(width)}  ${command.usage}`,
        ...(command.notes ?? []).map((note) => `  ${' '.repeat(width)}    ${note}`),
      ].join('\n'),
    ),
    `  ${'help'.padEnd(width)}  Show this help.`,
    '',
  ];
  return lines.join('\n');
}
