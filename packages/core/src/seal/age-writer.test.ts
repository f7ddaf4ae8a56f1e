import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { Decrypter } from 'age-encryption';
import { describe, expect, it } from 'vitest';
import { generateSealIdentity } from './generate-seal-identity.ts';
import { sealSizedStream } from './seal-stream.ts';

async function bytesOf(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

describe('the age writer', () => {
  // Around the 64 KiB chunk: empty, one byte, a chunk less one, exactly one and two chunks, one more.
  it.each([0, 1, 65535, 65536, 131072, 131073])(
    'writes %i plain bytes as age-encryption reads them, in the size it announced',
    async (plainBytes) => {
      const owner = await generateSealIdentity();
      const plain = randomBytes(plainBytes);
      // Fed in odd pieces, so chunks never line up with what arrives.
      const pieces = [plain.subarray(0, 1000), plain.subarray(1000, 70_000), plain.subarray(70_000)].filter((piece) => piece.length > 0);
      const { stream, size } = await sealSizedStream(Readable.from(pieces), plainBytes, { recipients: [owner.recipient] });
      const sealed = await bytesOf(stream);
      expect(sealed.length).toBe(size);
      const decrypter = new Decrypter();
      decrypter.addIdentity(owner.identity);
      expect(Buffer.from(await decrypter.decrypt(sealed))).toEqual(plain);
    },
  );

  it('writes a passphrase seal age-encryption opens, with the work factor it was given', async () => {
    const plain = randomBytes(70_000);
    const { stream } = await sealSizedStream(Readable.from([plain]), plain.length, {
      passphrase: 'correct horse battery staple',
      workFactor: 11,
    });
    const sealed = await bytesOf(stream);
    expect(sealed.toString('latin1', 0, 200)).toMatch(/^age-encryption\.org\/v1\n-> scrypt [A-Za-z0-9+/]{22} 11\n/);
    const decrypter = new Decrypter();
    decrypter.addPassphrase('correct horse battery staple');
    expect(Buffer.from(await decrypter.decrypt(sealed))).toEqual(plain);
  });
});
