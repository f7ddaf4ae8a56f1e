/**
 * One restore in a process of its own, for peak-RSS comparisons (sealed-restore-memory.test.ts):
 *
 *   node --import tsx restore-child.ts ARCHIVE DATA_DIR [IDENTITY]
 *
 * Restores ARCHIVE (opened with IDENTITY when given) into DATA_DIR with restoreBackup and prints one
 * JSON line: the restored files and the process's peak resident memory (getrusage's maxRSS, which
 * covers the worker threads, in KiB).
 */
import fs from 'node:fs';
import { restoreBackup, sealExpectationOf, stopSqliteWorker } from '../../src/index.ts';

const [archive, dataDir, identity] = process.argv.slice(2);
if (archive === undefined || dataDir === undefined) throw new Error('usage: restore-child.ts ARCHIVE DATA_DIR [IDENTITY]');
const result = await restoreBackup({
  source: fs.createReadStream(archive),
  archivePath: archive,
  dataDir,
  seal: { key: identity === undefined ? undefined : { identities: [identity] }, expect: sealExpectationOf(archive) },
});
await stopSqliteWorker();
process.stdout.write(`${JSON.stringify({ restoredFiles: result.restoredFiles, maxRssKiB: process.resourceUsage().maxRSS })}\n`);
