/**
 * Worker-thread entry of seedDemoData: runs core's synchronous seedDataDir (about 7 s for
 * DOCSight's 270 demo days) off the event loop. Receives its options as workerData; posts
 * `{ type: 'progress', progress }` per batch, then `{ type: 'done', summary }` or
 * `{ type: 'error', error: { message, code } }`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isLockerError, seedDataDir } from '@evidence-locker/core';
import type { DemoSeedWorkerData } from './seed-demo-data.ts';

const data = workerData as DemoSeedWorkerData;
try {
  const summary = seedDataDir({
    dataDir: data.dataDir,
    mode: 'demo',
    now: new Date(data.nowMs),
    ...(data.historyDays === undefined ? {} : { historyDays: data.historyDays }),
    ...(data.connectionMonitorDays === undefined ? {} : { connectionMonitorDays: data.connectionMonitorDays }),
    onProgress: (progress) => parentPort?.postMessage({ type: 'progress', progress }),
  });
  parentPort?.postMessage({ type: 'done', summary });
} catch (error) {
  parentPort?.postMessage({
    type: 'error',
    error: {
      message: error instanceof Error ? error.message : String(error),
      code: isLockerError(error) ? error.code : undefined,
    },
  });
}
