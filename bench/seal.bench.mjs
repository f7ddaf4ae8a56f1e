/**
 * What sealing costs (issue 17), measured as the README tells users to run it: `pnpm locker backup
 * create` plain, sealed for an X25519 recipient (`--recipient`) and with a passphrase
 * (`--passphrase-file`), then `backup validate` and `backup restore` (into an empty scratch data
 * dir) of each archive with its key. Each command runs under GNU time (wall, CPU user + system,
 * peak RSS of the node process, worker threads included), `--runs` times (default 3), the
 * variants interleaved run by run so load on the machine falls on all of them alike; the median of
 * each is printed with the sealed/plain ratio. Target: under 10 % more time, the same peak RSS.
 *
 *   pnpm bench:seal [-- [--direct] [--runs=N] [--no-cipher] [DATA_DIR]]
 *   node bench/seal.bench.mjs [--direct] [--runs=N] [--no-cipher] [DATA_DIR]
 *
 * DATA_DIR defaults to /tmp/bench/one-gb (`pnpm locker seed --data-dir /tmp/bench/one-gb --months 27
 * --configured`). --direct runs node on a copy of the built bundle with the launcher's settings
 * (what `apps/server/bin/locker` execs), without pnpm's own process and never a rebuild mid-run.
 * Unless --no-cipher, it then measures the chunk cipher alone: ChaCha20-Poly1305 over 256 MiB in
 * age's 64 KiB chunks, with @noble/ciphers (pure JS, what age-encryption uses) and with node:crypto
 * (OpenSSL), and age's scrypt at work factor 18 both ways: the parts that sealing adds.
 *
 * Needs GNU time at /usr/bin/time. The data dir is only read; everything else goes to a temp dir
 * that is removed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createCipheriv, randomBytes, scryptSync } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const direct = args.includes('--direct');
const runs = Number(args.find((arg) => arg.startsWith('--runs='))?.slice(7) ?? 3);
const dataDir = path.resolve(args.find((arg) => !arg.startsWith('--')) ?? '/tmp/bench/one-gb');

if (!fs.existsSync('/usr/bin/time')) throw new Error('GNU time is missing at /usr/bin/time (apt-get install -y time)');
if (!fs.existsSync(path.join(dataDir, 'docsis_history.db'))) throw new Error(`${dataDir} holds no docsis_history.db (see the usage above)`);
// Builds the bundle when the sources call for it, outside the measurements.
execFileSync('pnpm', ['locker', 'help'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
// With --direct, node runs a copy of the bundle (beside the server's node_modules), with the
// launcher's flags and MALLOC_ARENA_MAX: a source someone edits during the long run then never
// makes the launcher rebuild inside a measurement.
const serverDir = path.join(root, 'apps/server');
const frozen = path.join(serverDir, '.bench-work', `seal-${process.pid}`);
const command = ['pnpm', 'locker'];
const env = { ...process.env };
if (direct) {
  fs.cpSync(path.join(serverDir, 'dist'), path.join(frozen, 'dist'), { recursive: true });
  const [flags, arenas] = execFileSync('sh', ['-c', '. bin/node-settings.sh; echo "$LOCKER_NODE_FLAGS"; echo "$LOCKER_MALLOC_ARENA_MAX"'], {
    cwd: serverDir,
    encoding: 'utf8',
  }).split('\n');
  command.splice(0, 2, process.execPath, ...flags.split(' ').filter(Boolean), path.join(frozen, 'dist/locker.js'));
  env.MALLOC_ARENA_MAX ??= arenas;
}

/** Runs the CLI once under GNU time; returns its JSON output and the measurements. */
function timed(cliArgs) {
  const timeFile = path.join(os.tmpdir(), `el-seal-bench-time-${process.pid}.txt`);
  const result = spawnSync('/usr/bin/time', ['-o', timeFile, '-f', '%e %U %S %M', ...command, ...cliArgs, '--json'], {
    cwd: root,
    env,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const [seconds, user, system, maxRssKb] = fs.readFileSync(timeFile, 'utf8').trim().split('\n').at(-1).split(' ').map(Number);
  fs.rmSync(timeFile, { force: true });
  if (result.status !== 0) throw new Error(`locker ${cliArgs.join(' ')} failed (${result.status}): ${result.stdout}${result.stderr}`);
  return { output: JSON.parse(result.stdout), seconds, cpu: user + system, rssMb: maxRssKb / 1024 };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'el-seal-bench-'));
const keyFile = path.join(scratch, 'key.txt');
const passphraseFile = path.join(scratch, 'passphrase.txt');
/** Each variant: how create seals, and how validate and restore open. */
const variants = [
  { name: 'plain', seal: [], open: [] },
  { name: 'recipient', seal: null, open: ['--identity', keyFile] },
  { name: 'passphrase', seal: ['--passphrase-file', passphraseFile], open: ['--passphrase-file', passphraseFile] },
];
/** variant → operation → measurements */
const results = new Map(variants.map((variant) => [variant.name, { create: [], validate: [], restore: [] }]));
const archiveMb = {};

try {
  const key = timed(['key', 'generate']).output;
  fs.writeFileSync(keyFile, `${key.identity}\n`, { mode: 0o600 });
  fs.writeFileSync(passphraseFile, 'correct horse battery staple 17\n', { mode: 0o600 });
  variants[1].seal = ['--recipient', key.recipient];

  for (let run = 0; run < runs; run++) {
    for (const variant of variants) {
      const measured = results.get(variant.name);
      const backupDir = path.join(scratch, `${variant.name}-backups-${run}`);
      const create = timed(['backup', 'create', '--data-dir', dataDir, '--backup-dir', backupDir, ...variant.seal]);
      measured.create.push(create);
      archiveMb[variant.name] = create.output.size / 1e6;
      const archive = create.output.path;
      measured.validate.push(timed(['backup', 'validate', archive, ...variant.open]));
      const target = path.join(scratch, `${variant.name}-restored-${run}`);
      fs.mkdirSync(target);
      measured.restore.push(
        timed([
          'backup',
          'restore',
          archive,
          '--data-dir',
          target,
          '--backup-dir',
          path.join(scratch, `${variant.name}-pre-${run}`),
          ...variant.open,
        ]),
      );
      fs.rmSync(backupDir, { recursive: true, force: true });
      fs.rmSync(target, { recursive: true, force: true });
    }
  }
} finally {
  fs.rmSync(scratch, { recursive: true, force: true });
  fs.rmSync(frozen, { recursive: true, force: true });
}

const rows = [];
for (const operation of ['create', 'validate', 'restore']) {
  const plain = results.get('plain')[operation];
  const base = {
    seconds: median(plain.map((m) => m.seconds)),
    cpu: median(plain.map((m) => m.cpu)),
    rss: median(plain.map((m) => m.rssMb)),
  };
  for (const variant of variants) {
    const measured = results.get(variant.name)[operation];
    const seconds = median(measured.map((m) => m.seconds));
    const cpu = median(measured.map((m) => m.cpu));
    const rss = median(measured.map((m) => m.rssMb));
    const ratio = (value, of) => (variant.name === 'plain' ? '' : `${value >= of ? '+' : ''}${((value / of - 1) * 100).toFixed(1)} %`);
    rows.push({
      operation,
      variant: variant.name,
      'archive MB': operation === 'create' ? archiveMb[variant.name].toFixed(1) : '',
      seconds: seconds.toFixed(2),
      'vs plain': ratio(seconds, base.seconds),
      'CPU s': cpu.toFixed(2),
      'CPU vs plain': ratio(cpu, base.cpu),
      'peak RSS MB': rss.toFixed(0),
      'RSS vs plain': ratio(rss, base.rss),
      runs: measured.map((m) => m.seconds.toFixed(2)).join(' '),
    });
  }
}
console.log(
  `${direct ? "node (the launcher's flags) on a copy of apps/server/dist/locker.js" : command.join(' ')} on ${dataDir}, node ${process.version}, ${os.availableParallelism()} cores, median of ${runs} runs, load ${os.loadavg()[0].toFixed(1)}`,
);
console.table(rows);

if (!args.includes('--no-cipher')) {
  // The pieces sealing adds, alone: the chunk cipher over 256 MiB in 64 KiB chunks, and scrypt.
  const ageDir = fs.realpathSync(path.join(root, 'packages/core/node_modules/age-encryption'));
  const requireFromAge = createRequire(path.join(ageDir, 'package.json'));
  const { chacha20poly1305 } = await import(pathToFileURL(requireFromAge.resolve('@noble/ciphers/chacha.js')).href);
  const { scrypt: nobleScrypt } = await import(pathToFileURL(requireFromAge.resolve('@noble/hashes/scrypt.js')).href);
  const chunk = randomBytes(64 * 1024);
  const cipherKey = randomBytes(32);
  const total = 256 * 1024 * 1024;
  const nonce = Buffer.alloc(12);
  const rate = (encrypt) => {
    const started = performance.now();
    for (let done = 0, counter = 0; done < total; done += chunk.length, counter++) {
      nonce.writeUInt32BE(counter, 7);
      encrypt(chunk);
    }
    return total / 1048576 / ((performance.now() - started) / 1000);
  };
  const noble = rate((plain) => chacha20poly1305(cipherKey, nonce).encrypt(plain));
  const node = rate((plain) => {
    const cipher = createCipheriv('chacha20-poly1305', cipherKey, nonce, { authTagLength: 16 });
    return [cipher.update(plain), cipher.final(), cipher.getAuthTag()];
  });
  const salt = randomBytes(16);
  const scryptSeconds = (derive) => {
    const started = performance.now();
    derive();
    return (performance.now() - started) / 1000;
  };
  const rssBefore = process.resourceUsage().maxRSS / 1024;
  const nodeScrypt = scryptSeconds(() => scryptSync('correct horse', salt, 32, { N: 2 ** 18, r: 8, p: 1, maxmem: 300 * 1024 * 1024 }));
  const nobleScryptSeconds = scryptSeconds(() => nobleScrypt('correct horse', salt, { N: 2 ** 18, r: 8, p: 1, dkLen: 32 }));
  console.log('Alone, in this process:');
  console.table([
    {
      what: 'ChaCha20-Poly1305, 64 KiB chunks',
      '@noble/ciphers (pure JS)': `${noble.toFixed(0)} MB/s`,
      'node:crypto (OpenSSL)': `${node.toFixed(0)} MB/s`,
    },
    {
      what: 'scrypt, work factor 18 (age -p)',
      '@noble/ciphers (pure JS)': `${nobleScryptSeconds.toFixed(2)} s (@noble/hashes)`,
      'node:crypto (OpenSSL)': `${nodeScrypt.toFixed(2)} s`,
    },
  ]);
  console.log(
    `scrypt at work factor 18 takes 256 MiB; peak RSS ${rssBefore.toFixed(0)} MB before it, ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB after`,
  );
}
