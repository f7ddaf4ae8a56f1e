/**
 * `locker key generate`: a new age identity, written as `age-keygen` writes one, so
 * `locker key generate > key.txt` (or `--output key.txt`) is the file `age -d -i key.txt` takes and
 * its recipient is what `backup create --recipient` (or `age -e -r`) seals with. As age-keygen
 * does, the recipient also goes to stderr when stdout is the key file.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { generateSealIdentity, identityFileText } from '@evidence-locker/core';
import { printJson, UsageError } from '../cli-output.ts';
import { parseCommandArgs, type Command } from '../command.ts';

/** age-keygen's timestamp: RFC 3339 to the second. */
const rfc3339 = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

export const keyGenerateCommand: Command = {
  name: 'key generate',
  summary: 'Make a new age identity (X25519) and print it with its recipient, in the format age-keygen writes.',
  usage: '[--output FILE] [--json]',
  notes: [
    'Prints the identity file on stdout (or writes FILE, mode 0600, never over an existing file) and',
    '"Public key: age1…" on stderr. Keep the file: it is the only thing that opens what its recipient seals.',
  ],
  async run(args) {
    const { values } = parseCommandArgs(args, { output: { type: 'string' } });
    if (values.json && values.output !== undefined) throw new UsageError('--json prints the identity; leave out --output with it');
    const { identity, recipient } = await generateSealIdentity();
    const createdAt = rfc3339(new Date());
    if (values.json) {
      printJson({ ok: true, identity, recipient, createdAt });
      return 0;
    }
    const file = await identityFileText(identity, [`created: ${createdAt}`]);
    if (values.output !== undefined) {
      const target = path.resolve(values.output);
      await writeFile(target, file, { flag: 'wx', mode: 0o600 }).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'EEXIST')
          throw new UsageError(`${target} exists; an identity file is never written over (it may be the only key to some backups)`);
        throw error;
      });
    } else {
      process.stdout.write(file);
    }
    process.stderr.write(`Public key: ${recipient}\n`);
    return 0;
  },
};
