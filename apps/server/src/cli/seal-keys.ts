/**
 * The keys the backup commands seal and open archives with (issue 17), and where each comes from:
 * - a key the command line names: `--recipient age1…` (repeatable) or `--passphrase-file FILE` to
 *   seal, `--identity FILE` or `--passphrase-file FILE` to open. Secrets are read from files (or
 *   stdin as `-`), never taken as arguments, which `ps` and shell histories would show;
 * - else the data directory's settings (config.json, its secrets decrypted with `.config_key`):
 *   what seals its backups, and every identity it ever had (or its passphrase) to open them.
 */
import { readFile } from 'node:fs/promises';
import { text as streamText } from 'node:stream/consumers';
import {
  LockerError,
  openKeyOf,
  parseIdentityText,
  peekSealedWith,
  readConfig,
  readConfigKey,
  readSealSettings,
  sealKeyOf,
  type OpenKey,
  type SealKey,
  type SealSettings,
} from '@evidence-locker/core';
import { UsageError } from './cli-output.ts';

/** The options every command that opens an archive takes. */
export const OPEN_KEY_OPTIONS = {
  identity: { type: 'string' },
  'passphrase-file': { type: 'string' },
} as const;

/** The options `backup create` takes to seal. */
export const SEAL_KEY_OPTIONS = {
  encrypt: { type: 'boolean', default: false },
  plain: { type: 'boolean', default: false },
  recipient: { type: 'string', multiple: true },
  'passphrase-file': { type: 'string' },
} as const;

/** The seal settings of `dataDir` (off for a data directory without config.json or a readable key). */
export async function readInstanceSealSettings(dataDir: string): Promise<SealSettings & { problem: string | null }> {
  const { config } = await readConfig(dataDir);
  // A damaged `.config_key` leaves the seal secrets unreadable: sealing then reads as off, with the
  // problem said, and a plain backup or restore is not stopped by it.
  const configKey = await readConfigKey(dataDir).catch(() => null);
  return readSealSettings(config, configKey);
}

/** The text of `file`, or of stdin for `-`; a file that cannot be read is a usage error naming the flag. */
async function readKeyFile(file: string, flag: string): Promise<string> {
  if (file === '-') return streamText(process.stdin);
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new UsageError(`cannot read --${flag} ${file}: ${reason}`);
  }
}

/** The passphrase in `file`: its first line, without the line ending. Empty is SEAL_KEY_INVALID. */
export async function readPassphraseFile(file: string): Promise<string> {
  const passphrase = (await readKeyFile(file, 'passphrase-file')).split('\n')[0]!.replace(/\r$/, '');
  if (passphrase.length === 0) {
    throw new LockerError(
      'SEAL_KEY_INVALID',
      `The passphrase file ${file} is empty: its first line must be the passphrase (the line ending is not part of it).`,
    );
  }
  return passphrase;
}

/** The identities in `file`: an age identity file, age-keygen's output, or a recovery kit. */
export async function readIdentityFile(file: string): Promise<string[]> {
  return parseIdentityText(await readKeyFile(file, 'identity'));
}

/** Where a create's seal key came from. */
export type SealKeySource = 'command line' | 'settings';

interface SealFlags {
  encrypt: boolean;
  plain: boolean;
  recipient?: string[] | undefined;
  'passphrase-file'?: string | undefined;
}

/**
 * The key `backup create` seals with, or null for a plain backup: `--recipient`/`--passphrase-file`
 * (which imply sealing), else the data directory's settings when they seal backups (its backup
 * policy) unless `--plain`. `--encrypt` without a key anywhere is an error that says what to do.
 */
export async function sealKeyForCreate(flags: SealFlags, dataDir: string): Promise<{ key: SealKey; source: SealKeySource } | null> {
  const recipients = flags.recipient ?? [];
  const passphraseFile = flags['passphrase-file'];
  const named = recipients.length > 0 || passphraseFile !== undefined;
  if (recipients.length > 0 && passphraseFile !== undefined) {
    throw new UsageError('give --recipient or --passphrase-file, not both: age seals with recipients or with one passphrase');
  }
  if (flags.plain && (flags.encrypt || named)) {
    throw new UsageError('--plain makes a backup that is not sealed; leave out --encrypt, --recipient and --passphrase-file with it');
  }
  if (recipients.length > 0) return { key: { recipients }, source: 'command line' };
  if (passphraseFile !== undefined) return { key: { passphrase: await readPassphraseFile(passphraseFile) }, source: 'command line' };
  if (flags.plain) return null;
  const settings = await readInstanceSealSettings(dataDir);
  const key = sealKeyOf(settings);
  if (key !== undefined) return { key, source: 'settings' };
  if (!flags.encrypt) return null;
  throw new UsageError(
    `--encrypt needs a key, and the settings of ${dataDir} do not seal backups${settings.problem ? ` (${settings.problem})` : ''}. ` +
      'Turn sealing on in the settings (Backups), or pass --recipient age1… (repeatable) or --passphrase-file FILE.',
  );
}

interface OpenFlags {
  identity?: string | undefined;
  'passphrase-file'?: string | undefined;
}

/**
 * The key that opens the archive at `archivePath`: `--identity`/`--passphrase-file`, else, when the
 * command has a data directory, the keys its settings hold for how the file is sealed; else none
 * (a sealed archive then fails with SEAL_KEY_REQUIRED, which says what to give).
 */
export async function openKeyForRead(flags: OpenFlags, archivePath: string, dataDir?: string): Promise<OpenKey | undefined> {
  if (flags.identity !== undefined && flags['passphrase-file'] !== undefined) {
    throw new UsageError('give --identity or --passphrase-file, not both');
  }
  if (flags.identity !== undefined) return { identities: await readIdentityFile(flags.identity) };
  if (flags['passphrase-file'] !== undefined) return { passphrase: await readPassphraseFile(flags['passphrase-file']) };
  if (dataDir === undefined) return undefined;
  const sealedWith = await peekSealedWith(archivePath);
  if (sealedWith === null) return undefined;
  return openKeyOf(await readInstanceSealSettings(dataDir), sealedWith);
}

/**
 * How a restore seals the pre-restore backup: like the data directory's other backups (its
 * settings), with the key that opens it again should the restore be rolled back.
 */
export function preRestoreSealOf(settings: SealSettings): { seal: SealKey; open: OpenKey } | undefined {
  const seal = sealKeyOf(settings);
  if (seal === undefined) return undefined;
  const open = openKeyOf(settings, 'passphrase' in seal ? 'passphrase' : 'identity');
  return open === undefined ? undefined : { seal, open };
}

/** Words for how a file is sealed, for the human-readable output. */
export function describeSeal(sealedWith: 'identity' | 'passphrase' | null): string {
  if (sealedWith === null) return 'no';
  return sealedWith === 'identity' ? 'yes (age; opens with its identity)' : 'yes (age; opens with its passphrase)';
}
