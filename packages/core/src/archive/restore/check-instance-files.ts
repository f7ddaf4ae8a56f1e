/**
 * What an instance needs to start, checked on the files a restore is about to publish (staged) and
 * again on the data directory once they are published: a restore must never leave an instance
 * that cannot start (a broken `.config_key` used to pass, replace the live data, and stop the next
 * `serve` with "The encryption key is not a Fernet key").
 *
 * - `.config_key`, when present, is a Fernet key;
 * - `config.json`, when present, has DOCSight's shape (config-schema.ts);
 * - every encrypted value in it that is a Fernet token (they start `gAAAAA`: version byte 0x80)
 *   decrypts with that key. Values that are not tokens are plaintext from before DOCSight
 *   encrypted them, which DOCSight reads as they are.
 */
import { readFile } from 'node:fs/promises';
import { ConfigSchema } from '../../config/config-schema.ts';
import { ENCRYPTED_KEYS } from '../../config/config-keys.ts';
import { fernetDecrypt, parseFernetKey, type FernetKey } from '../../config/fernet.ts';
import { errnoCode, isLockerError, LockerError } from '../../errors.ts';
import { readStagedConfig } from './read-staged-config.ts';

const FERNET_TOKEN_PREFIX = 'gAAAAA';

export interface InstanceFiles {
  /** The `config.json` to check; undefined when there is none. */
  configPath?: string | undefined;
  /** The `.config_key` to check; undefined when there is none. */
  configKeyPath?: string | undefined;
}

/** Throws CONFIG_KEY_INVALID, CONFIG_INVALID or SECRET_UNDECRYPTABLE for files an instance cannot start with. */
export async function checkInstanceFiles(files: InstanceFiles): Promise<void> {
  const key = files.configKeyPath === undefined ? null : await readKey(files.configKeyPath);
  if (files.configPath === undefined) return;
  const config = await readStagedConfig(files.configPath);
  const shape = ConfigSchema.safeParse(config);
  if (!shape.success) {
    const issue = shape.error.issues[0];
    const where = issue?.path.join('.') ?? '';
    throw new LockerError(
      'CONFIG_INVALID',
      `Invalid backup: config.json: ${where ? `${where}: ` : ''}${issue?.message ?? 'unexpected shape'}`,
      {
        cause: shape.error,
        details: { key: where },
      },
    );
  }
  for (const name of ENCRYPTED_KEYS) {
    const value = config[name];
    if (typeof value !== 'string' || !value.startsWith(FERNET_TOKEN_PREFIX)) continue;
    if (key === null) {
      throw new LockerError(
        'SECRET_UNDECRYPTABLE',
        `Invalid backup: ${name} in config.json is encrypted, but the backup has no .config_key to decrypt it.`,
        { details: { key: name } },
      );
    }
    try {
      fernetDecrypt(key, value);
    } catch (error) {
      throw new LockerError(
        'SECRET_UNDECRYPTABLE',
        `Invalid backup: ${name} in config.json cannot be decrypted with the backup's .config_key.`,
        { cause: error, details: { key: name } },
      );
    }
  }
}

async function readKey(file: string): Promise<FernetKey | null> {
  let text: string;
  try {
    text = (await readFile(file)).toString('latin1');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return null;
    throw error;
  }
  try {
    return parseFernetKey(text);
  } catch (error) {
    if (!isLockerError(error, 'CONFIG_KEY_INVALID')) throw error;
    throw new LockerError('CONFIG_KEY_INVALID', 'Invalid backup: .config_key is not a Fernet key (44 characters of urlsafe base64).', {
      cause: error,
    });
  }
}
