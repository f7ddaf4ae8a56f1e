/**
 * The second opinion for an archive without `members` digests (DOCSight's own): what Python's
 * tarfile, the reader DOCSight restores with, extracts from it. When such a mutated archive restores
 * to something other than the baseline, the restored data files must be exactly these. Databases
 * are compared as the restore publishes them: WAL flag cleared (sqlite-header.ts).
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DATA_FILES } from '../../src/data-dir-layout.ts';

const SCRIPT = String.raw`
import hashlib, json, os, sys, tarfile
data_files, archive = json.loads(sys.argv[1]), sys.argv[2]
out = {}
try:
    with tarfile.open(archive, 'r:gz') as tf:
        for member in tf.getmembers():
            # Only leading ./ is dropped, as the engine's name rules do; config.json/ stays itself.
            name = member.name
            while name.startswith('./'):
                name = name[2:]
            if name not in data_files or not member.isfile():
                continue
            content = bytearray(tf.extractfile(member).read())
            if name.endswith('.db') and content[:16] == b'SQLite format 3\x00' and len(content) >= 20:
                for offset in (18, 19):
                    if content[offset] == 2:
                        content[offset] = 1
            out[name] = hashlib.sha256(content).hexdigest()
    print(json.dumps({'files': out}))
except Exception as error:
    print(json.dumps({'error': type(error).__name__ + ': ' + str(error)}))
`;

export type ReferenceView = { files: Record<string, string> } | { error: string };

/** Data file name → SHA-256 as Python's tarfile extracts them from `bytes`, or its error. */
export function referenceDataFiles(bytes: Buffer, scratchDir: string): ReferenceView {
  const file = path.join(scratchDir, `reference-${randomUUID()}.tar.gz`);
  fs.writeFileSync(file, bytes);
  try {
    const output = execFileSync('python3', ['-c', SCRIPT, JSON.stringify(DATA_FILES), file], { encoding: 'utf8' });
    return JSON.parse(output) as ReferenceView;
  } finally {
    fs.rmSync(file, { force: true });
  }
}
