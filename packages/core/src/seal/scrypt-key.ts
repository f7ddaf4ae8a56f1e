/**
 * The scrypt of age's passphrase stanzas (age-writer.ts seals, seal-key.ts opens), in node's libuv
 * thread pool rather than on the event loop.
 *
 * scrypt needs 128·N·r bytes: 256 MiB at age's default work factor 18, 1 GiB at 20, the most this
 * product opens (rage tunes its factor to a second of work, so 19 or 20 occur). The memory is the
 * point of scrypt and cannot be cut, so these run one at a time in the process: two uploads of
 * passphrase-sealed files (or a hostile client sending many) never hold more than one such block.
 */
import { scrypt } from 'node:crypto';

let last: Promise<unknown> = Promise.resolve();

/** The scrypt key of `passphrase` for a stanza's salt and work factor; one computation at a time. */
export async function scryptWrapKey(passphrase: string, salt: Uint8Array, workFactor: number): Promise<Buffer> {
  const N = 2 ** workFactor;
  const run = last
    .catch(() => undefined)
    .then(
      () =>
        new Promise<Buffer>((resolve, reject) => {
          // The passphrase as UTF-8, not normalized, as age and age-encryption take it.
          scrypt(
            passphrase,
            Buffer.concat([Buffer.from('age-encryption.org/v1/scrypt'), salt]),
            32,
            { N, r: 8, p: 1, maxmem: 256 * N * 8 },
            (error, key) => (error ? reject(error) : resolve(key)),
          );
        }),
    );
  last = run;
  return run;
}
