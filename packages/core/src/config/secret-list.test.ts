import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { generateFernetKey, parseFernetKey } from './fernet.ts';
import { entryNameSchema, readSecretList, secretListPatch, type SecretListKind } from './secret-list.ts';

const key = parseFernetKey(generateFernetKey());
const other = parseFernetKey(generateFernetKey());

const LockerSchema = z.object({
  id: z.string(),
  name: entryNameSchema(8),
  secrets: z.strictObject({ pin: z.string().min(1).optional() }),
});
type Locker = z.infer<typeof LockerSchema>;

function kind(uniqueIds: boolean): SecretListKind<Locker, 'pin'> {
  return { key: 'lockers', noun: 'item', schema: LockerSchema, unusable: (entry, lost) => `${entry.name}: ${lost.join()} lost`, uniqueIds };
}

describe('config.json lists with write-only secrets', () => {
  it('writes secrets only as tokens and reads them back, keeping unreadable entries in place at the end', () => {
    const patch = secretListPatch([{ id: '1', name: 'Desk', secrets: { pin: '1234' } }], key, kind(true), { unreadable: [42] });
    expect(JSON.stringify(patch)).not.toContain('1234');
    const read = readSecretList(patch, key, kind(true));
    expect(read.entries).toEqual([{ id: '1', name: 'Desk', secrets: { pin: '1234' } }]);
    expect(read.unreadable).toEqual([42]);
    expect(read.problems).toEqual([
      { index: 1, message: expect.stringMatching(/^Item 2 in config.json is not readable \(.+\)\.$/) as string },
    ]);
  });

  it('keeps a token that does not decrypt, says why, and writes it back unchanged', () => {
    const patch = secretListPatch([{ id: '1', name: 'Desk', secrets: { pin: '1234' } }], key, kind(true));
    const read = readSecretList(patch, other, kind(true));
    expect(read.entries[0]?.unusable).toBe('Desk: pin lost');
    expect(read.problems).toEqual([{ index: 0, id: '1', name: 'Desk', message: 'Desk: pin lost' }]);
    expect(secretListPatch(read.entries, other, kind(true))).toEqual(patch);
  });

  it('refuses a name used twice ignoring case, and a repeated id only when ids must be unique', () => {
    const twice = [
      { id: '1', name: 'Desk', secrets: {} },
      { id: '1', name: 'Shelf', secrets: {} },
    ];
    expect(() => secretListPatch(twice, key, kind(true))).toThrow('The item "Shelf" has the id of another item.');
    expect(() => secretListPatch(twice, key, kind(false))).not.toThrow();
    expect(() => secretListPatch([twice[0]!, { id: '2', name: 'DESK', secrets: {} }], key, kind(false))).toThrow(
      'Another item is already named "DESK": choose another name.',
    );
    const config = { lockers: [twice[0]!, twice[1]!, { id: '3', name: 'desk', secrets: {} }] };
    expect(readSecretList(config, key, kind(true)).problems.map((problem) => problem.message)).toEqual([
      'Two items have the id 1.',
      'Two items are named "desk".',
    ]);
    expect(readSecretList(config, key, kind(false)).problems).toEqual([]);
  });

  it('names the field that is wrong, and keeps a list that is not one', () => {
    expect(() => secretListPatch([{ id: '1', name: 'Far too long', secrets: {} }], key, kind(true))).toThrow(
      'The item "Far too long" cannot be saved: name: The name is longer than 8 characters.',
    );
    const read = readSecretList({ lockers: 'hand-edited' }, key, kind(true));
    expect(read).toEqual({
      entries: [],
      unreadable: ['hand-edited'],
      problems: [{ index: 0, message: 'lockers in config.json is not a list; it is kept as it is.' }],
    });
  });
});
