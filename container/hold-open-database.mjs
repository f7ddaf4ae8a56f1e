// What DOCSight does to its data directory while it runs, for the container test: keeps
// docsis_history.db open in WAL mode (DOCSight's journal mode) through better-sqlite3, writing a
// row now and then, until stdin closes or SIGTERM. It prints `open` once the connection is open and
// has written, and `wrote <n>` after each write, so the caller can see it was never blocked.
//
//   node container/hold-open-database.mjs DATA_DIR
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const Database = createRequire(path.join(repo, 'apps/server/package.json'))('better-sqlite3');

const dataDir = process.argv[2];
if (!dataDir) {
  console.error('usage: node container/hold-open-database.mjs DATA_DIR');
  process.exit(2);
}
// DOCSight's connection settings (busy_timeout 30 s in its storage layer).
const db = new Database(path.join(dataDir, 'docsis_history.db'), { timeout: 30_000 });
db.pragma('journal_mode = WAL');
// An event row, as DOCSight's event detector writes them.
const insert = db.prepare(
  "INSERT INTO events (timestamp, severity, event_type, message) VALUES (?, 'info', 'container_test', 'written while Evidence Locker runs')",
);
let writes = 0;
const write = () => {
  insert.run(new Date().toISOString().replace(/\.\d+Z$/, 'Z'));
  writes += 1;
  console.log(`wrote ${writes}`);
};
write();
console.log('open');
const timer = setInterval(write, 500);

const stop = () => {
  clearInterval(timer);
  db.close();
  process.exit(0);
};
process.stdin.on('end', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
