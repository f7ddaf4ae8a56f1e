/**
 * age's identity file format, as `age-keygen` writes it and `age -d -i FILE` reads it: one
 * identity per line, `#` comment lines and blank lines ignored. A recovery kit is written in this
 * format (its explanations are comments), so the kit itself is the file `age -d -i` takes.
 */
import { identityToRecipient } from 'age-encryption';
import { LockerError } from '../errors.ts';

const IDENTITY_LINE = /^AGE-SECRET-KEY-1[02-9AC-HJ-NP-Z]{58}$/;

/**
 * The identities in `text`: an age identity file, a recovery kit, or one pasted identity (with or
 * without surrounding whitespace). Throws SEAL_KEY_INVALID when a line that is neither a comment nor
 * blank is not an X25519 identity, or when there is none.
 */
export function parseIdentityText(text: string): string[] {
  const identities: string[] = [];
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (!IDENTITY_LINE.test(line)) {
      const hint = line.startsWith('age1')
        ? 'it is a recipient (the public half, age1…), which seals but cannot open; give the identity (AGE-SECRET-KEY-1…)'
        : 'an identity is one AGE-SECRET-KEY-1… line, 74 characters, copied whole';
      throw new LockerError('SEAL_KEY_INVALID', `This is not an age identity (line ${index + 1}): ${hint}.`, {
        details: { line: index + 1 },
      });
    }
    identities.push(line);
  }
  if (identities.length === 0) {
    throw new LockerError(
      'SEAL_KEY_INVALID',
      'No identity was found: the file or text holds no AGE-SECRET-KEY-1… line. Give the recovery kit or the key file age-keygen wrote.',
    );
  }
  return identities;
}

/**
 * An identity file for `identity`, as `age-keygen` writes one, with `comments` (lines without the
 * leading `# `) before it: what a recovery kit is.
 */
export async function identityFileText(identity: string, comments: readonly string[] = []): Promise<string> {
  const recipient = await identityToRecipient(identity);
  const lines = [...comments.map((line) => (line === '' ? '#' : `# ${line}`)), `# public key: ${recipient}`, identity];
  return `${lines.join('\n')}\n`;
}
