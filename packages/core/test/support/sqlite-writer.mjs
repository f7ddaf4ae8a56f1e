// A process that writes into a SQLite database the way other apps on a shared data directory do,
// and prints each write it was told succeeded (`ack N`) or failed (`error N CODE`).
//   node sqlite-writer.mjs DB long-lived|per-call INTERVAL_MS   one row per interval until SIGTERM
//   node sqlite-writer.mjs DB once N                             opens, prints `opened`, writes row N
// long-lived keeps one connection (a Node app with better-sqlite3); per-call opens one per write
// (DOCSight's collectors). Rows go to `writer_probe(n)`, created when missing. WAL mode, busy
// timeout 5 s, as DOCSight and better-sqlite3 use by default.
import Database from 'better-sqlite3';

const [file, mode, arg] = process.argv.slice(2);
const BUSY_TIMEOUT_MS = 5000;

function open() {
  const db = new Database(file, { timeout: BUSY_TIMEOUT_MS });
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE IF NOT EXISTS writer_probe (n INTEGER PRIMARY KEY)');
  return db;
}

function write(db, n) {
  try {
    db.prepare('INSERT INTO writer_probe (n) VALUES (?)').run(n);
    process.stdout.write(`ack ${n}\n`);
  } catch (error) {
    process.stdout.write(`error ${n} ${error.code ?? error.message}\n`);
  }
}

if (mode === 'once') {
  const db = new Database(file, { timeout: 20_000 });
  process.stdout.write('opened\n');
  try {
    db.exec('CREATE TABLE IF NOT EXISTS writer_probe (n INTEGER PRIMARY KEY)');
  } catch (error) {
    process.stdout.write(`error ${arg} ${error.code ?? error.message}\n`);
  }
  write(db, Number(arg));
  db.close();
} else {
  let n = 0;
  let longLived = mode === 'long-lived' ? open() : undefined;
  const timer = setInterval(() => {
    n += 1;
    if (longLived) return write(longLived, n);
    let db;
    try {
      db = open();
    } catch (error) {
      process.stdout.write(`error ${n} ${error.code ?? error.message}\n`);
      return;
    }
    write(db, n);
    db.close();
  }, Number(arg));
  process.on('SIGTERM', () => {
    clearInterval(timer);
    longLived?.close();
    longLived = undefined;
    process.exit(0);
  });
}
