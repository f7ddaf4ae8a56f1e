/**
 * `locker key recipient FILE`: the recipient (age1…) of each identity in an identity file, a
 * recovery kit or age-keygen's output, one per line, as `age-keygen -y` prints them: what
 * `backup create --recipient` seals with so that FILE opens it.
 */
import { identityFileText } from '@evidence-locker/core';
import { printJson, UsageError } from '../cli-output.ts';
import { parseCommandArgs, type Command } from '../command.ts';
import { readIdentityFile } from '../seal-keys.ts';

/** The recipient of `identity`, from the `# public key:` line of the identity file core writes for it. */
async function recipientOf(identity: string): Promise<string> {
  const line = (await identityFileText(identity)).split('\n').find((text) => text.startsWith('# public key: '));
  if (line === undefined) throw new Error('the identity file written for an identity names no public key');
  return line.slice('# public key: '.length);
}

export const keyRecipientCommand: Command = {
  name: 'key recipient',
  summary: 'Print the recipient (age1…) of each identity in an identity file or recovery kit.',
  usage: 'FILE [--json]   (FILE - reads stdin)',
  async run(args) {
    const { values, positionals } = parseCommandArgs(args, {}, { positionals: 1 });
    const file = positionals[0];
    if (file === undefined) throw new UsageError('name the identity file (or - for stdin)');
    const recipients: string[] = [];
    for (const identity of await readIdentityFile(file)) recipients.push(await recipientOf(identity));
    if (values.json) {
      printJson({ ok: true, recipients });
      return 0;
    }
    process.stdout.write(`${recipients.join('\n')}\n`);
    return 0;
  },
};
