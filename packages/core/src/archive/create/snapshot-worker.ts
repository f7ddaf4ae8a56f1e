/**
 * Worker-thread entry for snapshot-database.ts. Protocol (all via postMessage to the parent):
 * `{ type: 'started', index }` before each request, `{ type: 'copying', pid }` when it starts `cp`,
 * `{ type: 'done', index, snapshot }` after it,
 * or `{ type: 'failed', message, code }` once, after which the worker exits. Requests arrive in
 * `workerData.requests`. Errors are sent as plain data because an Error's `code` (SQLITE_FULL, …)
 * does not survive the structured clone of a thrown error.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { snapshotDatabase, type DatabaseSnapshotRequest } from './snapshot-database.ts';
import type { SnapshotWorkerMessage } from './run-snapshot-worker.ts';

const { requests } = workerData as { requests: DatabaseSnapshotRequest[] };
const post = (message: SnapshotWorkerMessage): void => parentPort!.postMessage(message);

async function run(): Promise<void> {
  for (const [index, request] of requests.entries()) {
    post({ type: 'started', index });
    post({ type: 'done', index, snapshot: await snapshotDatabase(request, { onCopyProcess: (pid) => post({ type: 'copying', pid }) }) });
  }
}

// Not a top-level await: under tsx the worker runs as CommonJS.
run().catch((error: unknown) => {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
  post({ type: 'failed', message: error instanceof Error ? error.message : String(error), code });
});
