/**
 * Mutations of the member list, done on the inflated tar and compressed again in the source's
 * shape: members duplicated, removed, swapped or moved (the meta among them), foreign members
 * inserted (unknown files, directories, links, devices, unsafe names, long-name headers), the tar
 * cut short, and its end-of-archive blocks removed, split or followed by garbage.
 */
import { TAR_BLOCK_SIZE } from '../../src/archive/format/ustar-header.ts';
import { buildTar, type TarMember } from '../support/restore-support.ts';
import { compressTar } from './gzip-members.ts';
import type { MutationKind } from './mutation-kind.ts';
import type { Prng } from './prng.ts';
import { cloneTar, parseTar, serializeTar, type RawEntry } from './tar-entries.ts';

const reorder: MutationKind = {
  name: 'tar-member-order',
  weight: 8,
  apply(source, prng) {
    const model = cloneTar(source.tar);
    const count = model.entries.length;
    const what = prng.pick(['duplicate', 'remove', 'swap', 'move', 'meta-last'] as const);
    const i = prng.chance(0.25) ? 0 : prng.int(0, count - 1);
    const j = prng.int(0, count - 1);
    const entries = model.entries;
    if (what === 'duplicate') entries.splice(j, 0, { ...entries[i]!, raw: Buffer.from(entries[i]!.raw) });
    if (what === 'remove') entries.splice(i, 1);
    if (what === 'swap') {
      if (i === j) return undefined;
      [entries[i], entries[j]] = [entries[j]!, entries[i]!];
    }
    if (what === 'move') entries.splice(j, 0, ...entries.splice(i, 1));
    if (what === 'meta-last') entries.push(...entries.splice(0, 1));
    const names = source.tar.entries.map((entry) => entry.name);
    return {
      description: `tar members: ${what} ${what === 'meta-last' ? '' : `${i} (${names[i]})${what === 'remove' ? '' : ` / ${j}`}`}`,
      bytes: compressTar(model, source, true),
    };
  },
};

function foreignMember(prng: Prng): TarMember {
  const content = prng.pick(['{"modem_type":"intruder"}', 'not json', '', 'x'.repeat(prng.int(1, 3000))]);
  return prng.pick<TarMember>([
    { name: 'notes.txt', content },
    { name: '.auth_state', content },
    { name: '.session_key', content },
    { name: 'config.json', content },
    { name: 'modules', type: 'directory' },
    { name: 'config.json', type: 'directory' },
    { name: 'config.json', type: 'symlink', linkname: '/etc/passwd' },
    { name: 'docsis_history.db', type: 'link', linkname: 'config.json' },
    { name: 'evil', type: 'symlink', linkname: '../../outside' },
    { name: 'fifo', type: 'fifo' },
    { name: 'dev', type: 'character-device' },
    { name: '../escape.txt', content },
    { name: 'sub/dir/deep.txt', content },
    { name: `long/${'n'.repeat(150)}.txt`, content },
    { name: 'config.json', content, pax: { path: 'notes.txt' } },
    { name: 'notes.txt', content, pax: { path: '../../x' } },
    { name: '.', type: 'directory' },
  ]);
}

const insert: MutationKind = {
  name: 'tar-insert-member',
  weight: 8,
  async apply(source, prng) {
    const model = cloneTar(source.tar);
    const member = foreignMember(prng);
    const inserted = parseTar(await buildTar([member])).entries;
    const at = prng.weighted([
      [0, 1],
      [1, 2],
      [prng.int(1, model.entries.length), 3],
      [model.entries.length, 2],
    ] as const);
    model.entries.splice(at, 0, ...inserted);
    const what = `${member.type ?? 'file'} ${JSON.stringify(member.name)}${member.linkname ? ` → ${member.linkname}` : ''}${member.pax ? ` pax ${JSON.stringify(member.pax)}` : ''}`;
    return { description: `insert ${what} at ${at}`, bytes: compressTar(model, source, true) };
  },
};

const cutTar: MutationKind = {
  name: 'tar-cut',
  weight: 6,
  apply(source, prng) {
    const model = cloneTar(source.tar);
    const what = prng.pick([
      'anywhere',
      'entry-boundary',
      'no-trailer',
      'one-zero-block',
      'garbage-after-trailer',
      'zero-block-between',
    ] as const);
    if (what === 'anywhere' || what === 'entry-boundary') {
      const tar = serializeTar(model);
      let keep = prng.int(0, tar.length - 1);
      if (what === 'entry-boundary')
        keep = model.entries.slice(0, prng.int(1, model.entries.length)).reduce((sum, e) => sum + e.raw.length, 0);
      const cut = parseTar(tar.subarray(0, keep));
      // parseTar keeps a partial last entry in the trailer, so serializing gives the cut bytes back.
      return { description: `tar cut to ${keep} of ${tar.length} bytes (${what})`, bytes: compressTar(cut, source, true) };
    }
    if (what === 'no-trailer') model.trailer = Buffer.alloc(0);
    if (what === 'one-zero-block') model.trailer = Buffer.alloc(TAR_BLOCK_SIZE);
    if (what === 'garbage-after-trailer') model.trailer = Buffer.concat([model.trailer, prng.bytes(TAR_BLOCK_SIZE)]);
    let at = 0;
    if (what === 'zero-block-between') {
      at = prng.int(1, model.entries.length - 1);
      const zero: RawEntry = { raw: Buffer.alloc(TAR_BLOCK_SIZE * prng.int(1, 2)), headerAt: 0, name: '(zeros)', size: 0 };
      model.entries.splice(at, 0, zero);
    }
    return { description: `tar ${what}${at > 0 ? ` at ${at}` : ''}`, bytes: compressTar(model, source, true) };
  },
};

export const TAR_MEMBER_MUTATIONS: MutationKind[] = [reorder, insert, cutTar];
