// Build-stage helper of the Containerfile: copies the production dependencies the server bundle
// loads at run time into DEST/node_modules, as plain directories (pnpm's store links resolved).
// Everything else the server uses is inside the bundle (apps/server/scripts/build.mjs); what it
// leaves external is better-sqlite3, a native addon, which loads its compiled binary through
// `bindings`. Its install-time tools (prebuild-install, the C sources, the build's object files)
// stay behind. At the end the copy is loaded from DEST and opens a database, so a missing file
// fails the image build instead of the first start.
//
//   node container/copy-runtime-modules.mjs DEST
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dest = process.argv[2];
if (!dest) {
  console.error('usage: node container/copy-runtime-modules.mjs DEST');
  process.exit(2);
}

/** The bundle's externals (build.mjs), resolved from the server package. */
const EXTERNALS = ['better-sqlite3'];
/** Dependencies used only by an install script (better-sqlite3's `prebuild-install || node-gyp rebuild`). */
const INSTALL_ONLY = new Set(['prebuild-install']);
/** Packages of which only these paths are needed at run time (default: all but node_modules). */
const RUNTIME_FILES = {
  'better-sqlite3': ['package.json', 'LICENSE', 'lib', 'build/Release/better_sqlite3.node'],
};

const modules = path.join(dest, 'node_modules');
const copied = new Map();

function copyPackage(name, from) {
  const packageJson = createRequire(from).resolve(`${name}/package.json`);
  const dir = fs.realpathSync(path.dirname(packageJson));
  if (copied.has(name)) {
    if (copied.get(name) !== dir) throw new Error(`${name} is needed in two versions (${copied.get(name)}, ${dir})`);
    return;
  }
  copied.set(name, dir);
  const target = path.join(modules, name);
  const entries = RUNTIME_FILES[name] ?? fs.readdirSync(dir).filter((entry) => entry !== 'node_modules');
  for (const entry of entries) {
    fs.cpSync(path.join(dir, entry), path.join(target, entry), { recursive: true, dereference: true });
  }
  const manifest = JSON.parse(fs.readFileSync(packageJson, 'utf8'));
  for (const dependency of Object.keys(manifest.dependencies ?? {})) {
    if (!INSTALL_ONLY.has(dependency)) copyPackage(dependency, packageJson);
  }
}

fs.rmSync(modules, { recursive: true, force: true });
for (const name of EXTERNALS) copyPackage(name, path.join(repo, 'apps/server/package.json'));

execFileSync(
  process.execPath,
  ['-e', "const Database = require('better-sqlite3'); new Database(':memory:').prepare('select sqlite_version() as v').get();"],
  { cwd: dest, stdio: 'inherit' },
);
console.log(`Copied ${[...copied.keys()].join(', ')} to ${modules}`);
