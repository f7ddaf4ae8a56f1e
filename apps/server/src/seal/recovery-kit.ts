/**
 * The recovery kit of a seal key: the file a user keeps somewhere other than this machine, so that
 * losing the data directory (and the key inside it) does not lose the sealed backups too.
 *
 * - Identity mode: an age identity file (core's identityFileText), whose `#` comment lines say what
 *   it is, what it opens and the one command that opens a backup without this product. age ignores
 *   comments, so `age -d -i <kit file>` takes the kit itself.
 * - Passphrase mode: a plain text reminder. The passphrase is NOT in it (the user chose it and
 *   keeps it); it says what the passphrase opens and the `age -d` command that asks for it.
 */
import { identityFileText } from '@evidence-locker/core';

/** What a recovery kit is made from. */
export interface RecoveryKitInput {
  /** The key: an identity (AGE-SECRET-KEY-1…), or passphrase mode (the passphrase is never written). */
  key: { identity: string } | { passphrase: true };
  /** When the key was made (ISO 8601): the kit opens the backups sealed from then on. */
  keyCreatedAt: string;
  /** When this kit is made (default: now). */
  madeAt?: Date;
  /** The machine the instance runs on (os.hostname()). */
  hostname: string;
  /** The instance's data directory. */
  dataDir: string;
}

/** A recovery kit: the file name to offer and its text. */
export interface RecoveryKit {
  fileName: string;
  text: string;
}

const SEALED_BACKUP_EXAMPLE = 'docsight_backup_YYYY-MM-DD_HHMMSS.tar.gz.age';
const PLAIN_BACKUP_EXAMPLE = 'docsight_backup_YYYY-MM-DD_HHMMSS.tar.gz';

/** `YYYY-MM-DD` of `date` in the server's local time (as backup names are). */
function localDate(date: Date): string {
  const pad = (value: number): string => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** `YYYY-MM-DD HH:MM` of `date` in the server's local time. */
function localMinute(date: Date): string {
  const pad = (value: number): string => String(value).padStart(2, '0');
  return `${localDate(date)} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** The kit's file name: `evidence-locker-recovery-kit-YYYY-MM-DD.txt`, dated when the key was made. */
export function recoveryKitFileName(keyCreatedAt: string): string {
  const created = new Date(keyCreatedAt);
  return `evidence-locker-recovery-kit-${localDate(Number.isNaN(created.getTime()) ? new Date() : created)}.txt`;
}

/** The recovery kit for `input` (see the file comment). */
export async function recoveryKit(input: RecoveryKitInput): Promise<RecoveryKit> {
  const fileName = recoveryKitFileName(input.keyCreatedAt);
  const created = new Date(input.keyCreatedAt);
  const since = Number.isNaN(created.getTime()) ? input.keyCreatedAt : localMinute(created);
  const header = [
    'Evidence Locker recovery kit',
    `Made on ${localMinute(input.madeAt ?? new Date())} for the key created on ${since}.`,
    `Instance: ${input.hostname}, data directory ${input.dataDir}`,
    '',
  ];
  if ('identity' in input.key) {
    const comments = [
      ...header,
      `It opens the backups named ${SEALED_BACKUP_EXAMPLE} that this instance sealed from ${since}`,
      'until its key is changed: in the backup directory, and every copy of them elsewhere.',
      '',
      'Keep this file somewhere other than this machine (a password manager, a USB stick, a printout).',
      'Whoever holds it can open those backups; without it, no one can once this machine is lost.',
      '',
      'To open a backup without Evidence Locker, install age (https://age-encryption.org) and run:',
      `  age -d -i ${fileName} -o ${PLAIN_BACKUP_EXAMPLE} ${SEALED_BACKUP_EXAMPLE}`,
      `The ${PLAIN_BACKUP_EXAMPLE} it writes is a plain backup: DOCSight restores it, and so does`,
      'Evidence Locker. Evidence Locker also opens the sealed file itself when you give it this kit.',
      '',
      'The line below that starts with AGE-SECRET-KEY-1 is the key. Lines starting with # are notes.',
    ];
    return { fileName, text: await identityFileText(input.key.identity, comments) };
  }
  const lines = [
    ...header,
    `This instance seals its backups (${SEALED_BACKUP_EXAMPLE}) with a passphrase, from ${since}`,
    'until the passphrase is changed.',
    '',
    'The passphrase is NOT in this file. It is yours to keep: without it no one, you included, can',
    'open those backups once this machine is lost. Keep it in a password manager or written down',
    'somewhere other than this machine.',
    '',
    'To open a backup without Evidence Locker, install age (https://age-encryption.org) and run:',
    `  age -d -o ${PLAIN_BACKUP_EXAMPLE} ${SEALED_BACKUP_EXAMPLE}`,
    'age asks for the passphrase. The file it writes is a plain backup: DOCSight restores it, and so',
    'does Evidence Locker. Evidence Locker also opens the sealed file itself when you enter the passphrase.',
  ];
  return { fileName, text: `${lines.join('\n')}\n` };
}
