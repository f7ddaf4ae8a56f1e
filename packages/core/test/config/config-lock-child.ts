/**
 * A second Evidence Locker process on a data directory, for config-lock.test.ts:
 *
 *   node --import tsx config-lock-child.ts append DATA_DIR TAG COUNT
 *     prints "ready", waits for a line on stdin, then appends TAG-0 … TAG-(COUNT-1) one by one to
 *     config.json's `lock_test_items` list with modifyConfig, and prints "done";
 *   node --import tsx config-lock-child.ts record DATA_DIR TAG COUNT
 *     the same, recording a push of TAG-0.tar.gz … to the target "nas" in the targets' records;
 *   node --import tsx config-lock-child.ts hold DATA_DIR
 *     takes DATA_DIR's config lock, prints "locked" and keeps it until killed.
 */
import { modifyConfig } from '../../src/config/config-file.ts';
import type { JsonValue } from '../../src/config/config-schema.ts';
import { withConfigLock } from '../../src/config/config-lock.ts';
import { recordPushSuccess } from '../../src/targets/target-state.ts';

const [mode, dataDir, tag, count] = process.argv.slice(2);
if (dataDir === undefined) throw new Error('usage: config-lock-child.ts append|record|hold DATA_DIR [TAG COUNT]');

if (mode === 'append') {
  process.stdout.write('ready\n');
  await new Promise((resolve) => process.stdin.once('data', resolve));
  process.stdin.pause();
  for (let index = 0; index < Number(count); index++) {
    await modifyConfig(dataDir, (current) => {
      const items = Array.isArray(current['lock_test_items']) ? current['lock_test_items'] : [];
      return { lock_test_items: [...items, `${tag}-${index}`] as JsonValue[] };
    });
  }
  process.stdout.write('done\n');
} else if (mode === 'record') {
  process.stdout.write('ready\n');
  await new Promise((resolve) => process.stdin.once('data', resolve));
  process.stdin.pause();
  for (let index = 0; index < Number(count); index++) {
    await recordPushSuccess(dataDir, 'nas', `${tag}-${index}.tar.gz`);
  }
  process.stdout.write('done\n');
} else if (mode === 'hold') {
  await withConfigLock(dataDir, async () => {
    process.stdout.write('locked\n');
    // Held until the test kills this process (the interval keeps the event loop alive).
    await new Promise(() => setInterval(() => undefined, 60_000));
  });
} else {
  throw new Error(`unknown mode ${String(mode)}`);
}
