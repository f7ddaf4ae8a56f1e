/** The scrypt of age's passphrase stanzas, in node's thread pool (see age-writer.ts and seal-key.ts). */
import { scrypt } from 'node:crypto';

/** The scrypt key of `passphrase` for a stanza's salt and work factor, computed in the thread pool. */
export async function scryptWrapKey(passphrase: string, salt: Uint8Array, workFactor: number): Promise<Buffer> {
  const N = 2 ** workFactor;
  return new Promise<Buffer>((resolve, reject) => {
    // scrypt needs 128·N·r bytes (256 MiB at age's default work factor 18): the same as `age -p`.
    // The passphrase as UTF-8, not normalized, as age and age-encryption take it.
    scrypt(
      passphrase,
      Buffer.concat([Buffer.from('age-encryption.org/v1/scrypt'), salt]),
      32,
      { N, r: 8, p: 1, maxmem: 256 * N * 8 },
      (error, key) => (error ? reject(error) : resolve(key)),
    );
  });
}
