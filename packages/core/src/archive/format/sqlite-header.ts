/**
 * The SQLite file header's journal-mode bytes. Offset 18 (write version) and 19 (read version) are
 * 1 for a rollback journal and 2 for WAL. DOCSight's archived `docsis_history.db` is WAL-flagged
 * (its demo filter runs `PRAGMA journal_mode=WAL` on the copy); opening such a file, even read-only,
 * creates `-wal`/`-shm` files that DOCSight then leaves behind in the data dir. A WAL-flagged file
 * with no `-wal` beside it holds all its data in the main file, so flagging it rollback-mode
 * changes no content, and SQLite switches it back to WAL on the first `journal_mode=WAL`.
 */
import { open } from 'node:fs/promises';

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');
const WRITE_VERSION_OFFSET = 18;
const READ_VERSION_OFFSET = 19;
const WAL = 2;
const ROLLBACK = 1;

/**
 * Sets header bytes 18/19 of the database at `path` from 2 (WAL) to 1 (rollback) and fsyncs.
 * Returns whether it changed anything; a file without the SQLite magic is left alone (the
 * integrity check reports it).
 */
export async function clearWalFlag(path: string): Promise<boolean> {
  const handle = await open(path, 'r+');
  try {
    const header = Buffer.alloc(READ_VERSION_OFFSET + 1);
    const { bytesRead } = await handle.read(header, 0, header.length, 0);
    if (bytesRead < header.length || !header.subarray(0, SQLITE_MAGIC.length).equals(SQLITE_MAGIC)) return false;
    let changed = false;
    for (const offset of [WRITE_VERSION_OFFSET, READ_VERSION_OFFSET]) {
      if (header[offset] === WAL) {
        await handle.write(Buffer.from([ROLLBACK]), 0, 1, offset);
        changed = true;
      }
    }
    if (changed) await handle.sync();
    return changed;
  } finally {
    await handle.close();
  }
}
