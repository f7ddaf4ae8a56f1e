/**
 * Sealing round trips, and every way opening a sealed archive is refused, each with its own code:
 * the wrong key, a plain archive where a sealed one was expected, a file cut short, a changed byte.
 */
import fs from 'node:fs';
import { PassThrough, Readable } from 'node:stream';
import { docsightFixture } from '@evidence-locker/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateSealIdentity, type SealIdentity } from '../src/seal/generate-seal-identity.ts';
import { openSealedStream } from '../src/seal/open-sealed-stream.ts';
import { sealStream } from '../src/seal/seal-stream.ts';
import { isSealedHeader } from '../src/seal/sealed-header.ts';
import { lockerErrorOf } from './support/locker-error-of.ts';
import { flipByte, openBytes, sealBytes, sealedLayout, SEALED_CHUNK_BYTES } from './support/sealed-bytes.ts';

// A low scrypt work factor keeps passphrase tests fast; opening reads it from the file.
const PASSPHRASE = { passphrase: 'correct horse battery staple', workFactor: 10 };

let plain: Buffer;
let owner: SealIdentity;
let sealed: Buffer;
let passphraseSealed: Buffer;

beforeAll(async () => {
  plain = fs.readFileSync(docsightFixture('a-real-1m').archive);
  owner = await generateSealIdentity();
  sealed = await sealBytes(plain, { recipients: [owner.recipient] });
  passphraseSealed = await sealBytes(plain, PASSPHRASE);
});

const asOwner = () => ({ identities: [owner.identity] });

describe('round trip', () => {
  it('gives back the plain archive byte for byte with the identity', async () => {
    expect(plain.length).toBeGreaterThan(8 * SEALED_CHUNK_BYTES);
    expect(isSealedHeader(sealed)).toBe(true);
    expect((await openBytes(sealed, asOwner())).equals(plain)).toBe(true);
  });

  it('gives back the plain archive byte for byte with the passphrase', async () => {
    expect(passphraseSealed.toString('latin1')).toMatch(/^age-encryption\.org\/v1\n-> scrypt \S+ 10\n/);
    expect((await openBytes(passphraseSealed, { passphrase: PASSPHRASE.passphrase })).equals(plain)).toBe(true);
  });

  it("opens a passphrase seal made with age's default work factor (18)", async () => {
    const small = plain.subarray(0, 100_000);
    const defaultSealed = await sealBytes(small, { passphrase: 'p4ss' });
    expect(defaultSealed.toString('latin1')).toMatch(/^age-encryption\.org\/v1\n-> scrypt \S+ 18\n/);
    expect((await openBytes(defaultSealed, { passphrase: 'p4ss' })).equals(small)).toBe(true);
  });

  it('seals for several recipients, each of which opens it', async () => {
    const second = await generateSealIdentity();
    const both = await sealBytes(plain, { recipients: [owner.recipient, second.recipient] });
    expect((await openBytes(both, { identities: [second.identity] })).equals(plain)).toBe(true);
  });

  it('seals and opens an empty file', async () => {
    const empty = await sealBytes(new Uint8Array(0), { recipients: [owner.recipient] });
    expect((await openBytes(empty, asOwner())).length).toBe(0);
  });
});

describe('refusals of the key, before any byte is read', () => {
  it.each([
    ['a recipient that is not age1…', { recipients: ['ssh-ed25519 AAAA'] }],
    ['a recipient with a broken checksum', { recipients: ['age1m63zc7sy5s3nawvf04xa3jdmay8rmjp7llzdhssht0yfuvf6w5cq249p7q'] }],
    ['no recipient', { recipients: [] }],
    ['an empty passphrase', { passphrase: '' }],
    ['a work factor age-encryption would not open', { passphrase: 'p', workFactor: 21 }],
    ['a work factor that is not a whole number', { passphrase: 'p', workFactor: 12.5 }],
  ])('refuses to seal with %s (SEAL_KEY_INVALID)', (_name, key) => {
    expect(() => sealStream(Readable.from([plain]), key)).toThrow(expect.objectContaining({ code: 'SEAL_KEY_INVALID' }));
  });

  it.each([
    ['a recipient given as identity', { identities: ['age1m63zc7sy5s3nawvf04xa3jdmay8rmjp7llzdhssht0yfuvf6w5cq249p7y'] }],
    ['a cut identity', { identities: ['AGE-SECRET-KEY-1XM0J'] }],
    ['an empty passphrase', { passphrase: '' }],
  ])('refuses to open with %s (SEAL_KEY_INVALID)', (_name, key) => {
    expect(() => openSealedStream(Readable.from([sealed]), key)).toThrow(expect.objectContaining({ code: 'SEAL_KEY_INVALID' }));
  });
});

describe('refusals of the wrong key', () => {
  it('says another identity sealed it (SEAL_WRONG_IDENTITY)', async () => {
    const stranger = await generateSealIdentity();
    const error = await lockerErrorOf(openBytes(sealed, { identities: [stranger.identity] }));
    expect(error.code).toBe('SEAL_WRONG_IDENTITY');
    expect(error.message).toMatch(/recovery kit/);
  });

  it('says the passphrase is wrong (SEAL_WRONG_PASSPHRASE)', async () => {
    expect((await lockerErrorOf(openBytes(passphraseSealed, { passphrase: 'wrong' }))).code).toBe('SEAL_WRONG_PASSPHRASE');
  });

  it('asks for the passphrase when given an identity for a passphrase seal (SEAL_NEEDS_PASSPHRASE)', async () => {
    expect((await lockerErrorOf(openBytes(passphraseSealed, asOwner()))).code).toBe('SEAL_NEEDS_PASSPHRASE');
  });

  it('asks for the identity when given a passphrase for an identity seal (SEAL_NEEDS_IDENTITY)', async () => {
    expect((await lockerErrorOf(openBytes(sealed, { passphrase: 'anything' }))).code).toBe('SEAL_NEEDS_IDENTITY');
  });
});

describe('refusals of what is not a whole sealed archive', () => {
  it('refuses a plain DOCSight archive renamed .age (SEAL_NOT_SEALED)', async () => {
    const error = await lockerErrorOf(openBytes(plain, asOwner()));
    expect(error.code).toBe('SEAL_NOT_SEALED');
    expect(error.message).toMatch(/not a sealed backup/);
  });

  it('refuses the armored form of age (SEAL_ARMORED)', async () => {
    const armored = Buffer.from('-----BEGIN AGE ENCRYPTED FILE-----\nYWdlLWVuY3J5cHRpb24ub3JnL3YxCg==\n-----END AGE ENCRYPTED FILE-----\n');
    expect((await lockerErrorOf(openBytes(armored, asOwner()))).code).toBe('SEAL_ARMORED');
  });

  it('knows a file cut exactly at a chunk boundary for one (SEAL_TRUNCATED, where: cut after the chunk)', async () => {
    const cut = sealed.subarray(0, sealedLayout(sealed).chunkStart(5));
    const error = await lockerErrorOf(openBytes(cut, asOwner()));
    expect(error.code).toBe('SEAL_TRUNCATED');
    expect(error.details).toEqual({ where: 'cut after chunk 4' });
  });

  it.each([
    ['an empty file', () => 0],
    ['a file cut inside the version line', () => 10],
    ['a file cut inside the header', () => sealedLayout(sealed).headerEnd - 20],
    ['a file cut inside the payload nonce', () => sealedLayout(sealed).headerEnd + 7],
    ['a file cut at a chunk boundary', () => sealedLayout(sealed).chunkStart(3)],
    ['a file cut in the middle of a chunk', () => sealedLayout(sealed).chunkStart(3) + 1000],
    ['a file missing its last byte', () => sealed.length - 1],
  ])('refuses %s (SEAL_TRUNCATED)', async (_name, cutAt) => {
    const cut = sealed.subarray(0, cutAt());
    expect((await lockerErrorOf(openBytes(cut, asOwner()))).code).toBe('SEAL_TRUNCATED');
  });

  it('refuses a flipped byte in the header MAC (SEAL_DAMAGED)', async () => {
    const damaged = flipByte(sealed, sealedLayout(sealed).macStart + 3);
    expect((await lockerErrorOf(openBytes(damaged, asOwner()))).code).toBe('SEAL_DAMAGED');
  });

  it('refuses a flipped byte in the payload nonce (SEAL_DAMAGED)', async () => {
    const damaged = flipByte(sealed, sealedLayout(sealed).headerEnd + 4);
    expect((await lockerErrorOf(openBytes(damaged, asOwner()))).code).toBe('SEAL_DAMAGED');
  });

  it('refuses a flipped byte in a chunk, passing on only the chunks before it (SEAL_DAMAGED)', async () => {
    const damaged = flipByte(sealed, sealedLayout(sealed).chunkStart(4) + 500);
    const received: Buffer[] = [];
    const sink = new PassThrough();
    sink.on('data', (chunk: Buffer) => received.push(chunk));
    const opened = openSealedStream(Readable.from([damaged]), asOwner());
    const error = await lockerErrorOf(
      new Promise((resolve, reject) => {
        opened.on('error', reject).on('end', resolve);
        opened.pipe(sink);
      }),
    );
    expect(error.code).toBe('SEAL_DAMAGED');
    const passedOn = Buffer.concat(received);
    expect(passedOn.length).toBeLessThanOrEqual(4 * 64 * 1024);
    expect(passedOn.equals(plain.subarray(0, passedOn.length))).toBe(true);
  });

  it('refuses a flipped byte in the last chunk as cut short or changed (SEAL_TRUNCATED: age cannot tell these apart)', async () => {
    const damaged = flipByte(sealed, sealed.length - 30);
    const error = await lockerErrorOf(openBytes(damaged, asOwner()));
    expect(error.code).toBe('SEAL_TRUNCATED');
    expect(error.message).toMatch(/last part was changed/);
  });

  it("refuses a flipped byte in the recipient's stanza as another key's (SEAL_WRONG_IDENTITY: age cannot tell these apart)", async () => {
    // Another valid base64 character, so the header still parses and only the wrapped key differs.
    const changed = Buffer.from(sealed);
    const stanzaBody = sealed.indexOf('\n', sealed.indexOf('-> X25519')) + 5;
    changed[stanzaBody] = sealed[stanzaBody] === 0x41 ? 0x42 : 0x41;
    expect((await lockerErrorOf(openBytes(changed, asOwner()))).code).toBe('SEAL_WRONG_IDENTITY');
  });

  it('refuses a flipped byte anywhere with a SEAL_ code, never with other bytes passed off as the archive', async () => {
    const codes = new Set<string>();
    for (let trial = 0; trial < 60; trial++) {
      // Spread over the file, with the header's bytes always among them.
      const offset = trial < 20 ? trial * 7 : Math.floor(((trial - 20) / 40) * sealed.length);
      const error = await lockerErrorOf(openBytes(flipByte(sealed, offset), asOwner()));
      expect(error.code, `flipped byte at ${offset}`).toMatch(/^SEAL_(NOT_SEALED|WRONG_IDENTITY|TRUNCATED|DAMAGED)$/);
      codes.add(error.code);
    }
    expect(codes).toContain('SEAL_DAMAGED');
  });

  it('passes on an error of the plain source unchanged when sealing', async () => {
    const failure = Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });
    const source = new Readable({ read() {} });
    source.push(plain.subarray(0, 200_000));
    setImmediate(() => source.destroy(failure));
    const error = await sealStream(source, { recipients: [owner.recipient] })
      .toArray()
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    expect(error).toBe(failure);
  });

  it('passes on an error of the sealed source unchanged', async () => {
    const failure = Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });
    const source = new Readable({ read() {} });
    source.push(sealed.subarray(0, 200_000));
    setImmediate(() => source.destroy(failure));
    const error = await openSealedStream(source, asOwner())
      .toArray()
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    expect(error).toBe(failure);
  });
});

describe('stopping early', () => {
  it('destroys the sealed source when the reader of the plain bytes stops', async () => {
    const source = Readable.from(
      (function* () {
        for (let at = 0; at < sealed.length; at += 10_000) yield sealed.subarray(at, at + 10_000);
      })(),
      { objectMode: false },
    );
    const sourceClosed = new Promise((resolve) => source.once('close', resolve));
    const opened = openSealedStream(source, asOwner());
    for await (const chunk of opened) {
      expect(Buffer.from(chunk as Uint8Array).equals(plain.subarray(0, (chunk as Uint8Array).length))).toBe(true);
      break;
    }
    await sourceClosed;
    expect(source.destroyed).toBe(true);
  });

  it('destroys the plain source when the reader of the sealed bytes stops', async () => {
    const source = Readable.from([plain.subarray(0, 300_000), plain.subarray(300_000)], { objectMode: false });
    const sourceClosed = new Promise((resolve) => source.once('close', resolve));
    const sealing = sealStream(source, { recipients: [owner.recipient] });
    await new Promise((resolve) => sealing.once('readable', resolve));
    sealing.destroy();
    await sourceClosed;
    expect(source.destroyed).toBe(true);
  });
});
