/**
 * Mutations of `backup_meta.json` (the first entry of every source): each key the meta carries set
 * to a wrong type, an absurd number, removed, or joined by extra keys; digests and the
 * `gzip_members` index bent; and the JSON text itself broken. The entry is written back with its
 * header's size and checksum fixed, and for ours only the meta's gzip member changes.
 */
import { compressTar } from './gzip-members.ts';
import type { Mutation, MutationKind } from './mutation-kind.ts';
import type { Prng } from './prng.ts';
import type { FuzzSource } from './build-fuzz-world.ts';
import { cloneTar, entryData, withData } from './tar-entries.ts';

type Meta = Record<string, unknown>;

const ABSURD: readonly unknown[] = [
  null,
  true,
  'text',
  '',
  -1,
  0,
  1.5,
  2 ** 53,
  1e300,
  -0,
  [],
  {},
  [1, 2],
  { nested: { deeper: [null] } },
  'x'.repeat(5000),
];

function withMetaBytes(source: FuzzSource, text: Buffer, description: string): Mutation {
  const model = cloneTar(source.tar);
  model.entries[0] = withData(model.entries[0]!, text);
  return { description, bytes: compressTar(model, source, false) };
}

/** Edits of one key: [description, edit]. */
function keyEdits(meta: Meta, prng: Prng): [string, (meta: Meta) => void][] {
  const keys = Object.keys(meta);
  const key = prng.pick([...keys, 'magic', 'format_version', 'members', 'gzip_members']);
  const value = prng.pick(ABSURD);
  const version = prng.pick(['1', 1.0001, 0, 2, 999, -1, 1e300, null]);
  const own = { members: { 'config.json': { size: 1, sha256: '0'.repeat(64) } } };
  const edits: [string, (m: Meta) => void][] = [
    [`${key} = ${JSON.stringify(value)?.slice(0, 60)}`, (m) => (m[key] = value)],
    [`${key} removed`, (m) => delete m[key]],
    ['magic = "DOCSIGHT-BACKUP"', (m) => (m['magic'] = 'DOCSIGHT-BACKUP')],
    [`format_version = ${JSON.stringify(version)}`, (m) => (m['format_version'] = version)],
    [
      'extra key with a big value',
      (m) => (m['extra_' + prng.int(0, 99)] = { list: Array.from({ length: 200 }, (_, i) => i), text: 'y'.repeat(2000) }),
    ],
    // An own "__proto__" key, as JSON.parse makes it (a plain assignment would set the prototype).
    [
      '__proto__ key carrying members',
      (m) => Object.defineProperty(m, '__proto__', { value: own, enumerable: true, writable: true, configurable: true }),
    ],
    ['tables with a negative count', (m) => (m['tables'] = { snapshots: -3 })],
    ['trigger = "bogus"', (m) => (m['trigger'] = 'bogus')],
  ];
  return edits;
}

/** Edits of the `members` digests or the `gzip_members` index, when the meta has them. */
function digestEdits(meta: Meta, prng: Prng): [string, (meta: Meta) => void][] {
  const edits: [string, (m: Meta) => void][] = [];
  const members = meta['members'] as Record<string, { size: number; sha256: string }> | undefined;
  if (members !== undefined) {
    const name = prng.pick(Object.keys(members));
    const digest = members[name]!;
    const flippedSha = digest.sha256.slice(0, 10) + (digest.sha256[10] === 'a' ? 'b' : 'a') + digest.sha256.slice(11);
    edits.push(
      [`members.${name} removed`, (m) => delete (m['members'] as Meta)[name]],
      [
        `members.${name}.size ${digest.size} → ${digest.size + 1}`,
        (m) => ((m['members'] as Meta)[name] = { ...digest, size: digest.size + 1 }),
      ],
      [`members.${name}.sha256 one hex digit changed`, (m) => ((m['members'] as Meta)[name] = { ...digest, sha256: flippedSha })],
      [`members.${name}.sha256 upper case`, (m) => ((m['members'] as Meta)[name] = { ...digest, sha256: digest.sha256.toUpperCase() })],
      ['members lists notes.txt too', (m) => ((m['members'] as Meta)['notes.txt'] = digest)],
      ['members lists .auth_state too', (m) => ((m['members'] as Meta)['.auth_state'] = digest)],
      ['members = {}', (m) => (m['members'] = {})],
    );
  }
  const index = meta['gzip_members'] as number[] | undefined;
  if (index !== undefined) {
    const i = prng.int(0, index.length - 1);
    const odd = prng.pick([0, -1, 1.5, 9 * 1024 * 1024 + 1, '10']);
    const bent = (change: (copy: number[]) => void) => (m: Meta) => {
      const copy = [...index];
      change(copy);
      m['gzip_members'] = copy;
    };
    edits.push(
      [`gzip_members[${i}] + 1`, bent((c) => (c[i] = c[i]! + 1))],
      [`gzip_members[${i}] - 1`, bent((c) => (c[i] = c[i]! - 1))],
      [`gzip_members[${i}] = ${JSON.stringify(odd)}`, bent((c) => (c[i] = odd as number))],
      ['gzip_members reversed', bent((c) => c.reverse())],
      ['gzip_members without its last entry', bent((c) => c.pop())],
      ['gzip_members with an extra entry', bent((c) => c.push(prng.int(1, 100)))],
      ['gzip_members first two joined', bent((c) => (c.length > 1 ? c.splice(0, 2, c[0]! + c[1]!) : c.push(20)))],
      ['gzip_members = []', (m) => (m['gzip_members'] = [])],
      ['gzip_members with 70000 entries', (m) => (m['gzip_members'] = Array.from({ length: 70_000 }, () => 20))],
    );
  }
  return edits;
}

const metaValues: MutationKind = {
  name: 'meta-values',
  weight: 14,
  apply(source, prng) {
    const text = entryData(source.tar.entries[0]!).toString('utf8');
    const meta = JSON.parse(text) as Meta;
    const digest = digestEdits(meta, prng);
    const [label, edit] = digest.length > 0 && prng.chance(0.5) ? prng.pick(digest) : prng.pick(keyEdits(meta, prng));
    const copy = JSON.parse(text) as Meta;
    edit(copy);
    return withMetaBytes(source, Buffer.from(JSON.stringify(copy, null, 2)), `meta ${label}`);
  },
};

const metaText: MutationKind = {
  name: 'meta-text',
  weight: 5,
  apply(source, prng) {
    const text = entryData(source.tar.entries[0]!);
    const variants: [string, () => Buffer][] = [
      ['cut short', () => text.subarray(0, prng.int(0, text.length - 1))],
      ['invalid UTF-8 byte', () => Buffer.concat([text.subarray(0, 5), Buffer.from([0xff, 0xfe]), text.subarray(5)])],
      ['BOM prefix', () => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), text])],
      ['empty', () => Buffer.alloc(0)],
      ['null', () => Buffer.from('null')],
      ['array', () => Buffer.from('[]')],
      ['number', () => Buffer.from('1')],
      ['duplicate magic key', () => Buffer.from(text.toString('utf8').replace('{', '{"magic": "other",'))],
      ['padded past 1 MiB', () => Buffer.concat([text, Buffer.alloc(1024 * 1024 + 1, 0x20)])],
      ['deeply nested', () => Buffer.from(text.toString('utf8').replace('{', `{"deep": ${'['.repeat(100_000)}${']'.repeat(100_000)},`))],
      [
        'a byte flipped',
        () => {
          const copy = Buffer.from(text);
          const at = prng.int(0, copy.length - 1);
          copy[at] = copy[at]! ^ (1 << prng.int(0, 7));
          return copy;
        },
      ],
    ];
    const [label, make] = prng.pick(variants);
    return withMetaBytes(source, make(), `meta text ${label}`);
  },
};

export const META_MUTATIONS: MutationKind[] = [metaValues, metaText];
