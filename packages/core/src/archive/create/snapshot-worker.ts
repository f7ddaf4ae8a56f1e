/**
 * Worker-thread entry for snapshot-database.ts. Protocol (all via postMessage to the parent):
 * `{ type: 'started', index }` before each request, `{ type: 'copying', pid }` when it starts `cp`,
 * `{ type: 'done', index, snapshot }` after it (with `workerData.hold`, a snapshot may be the live
 * file, held: holdDatabase; the worker then keeps every pin until the parent posts
 * `{ type: 'release' }`, and exits after releasing them),
 * or `{ type: 'failed', message, code }` once, after which the worker exits. Requests arrive in
 * `workerData.requests`. Errors are sent as plain data because an Error's `code` (SQLITE_FULL, …)
 * does not survive the structured clone of a thrown error.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { holdDatabase, snapshotDatabase, type DatabaseSnapshotRequest, type HeldDatabase } from './snapshot-database.ts';
import type { SnapshotWorkerMessage } from './run-snapshot-worker.ts';

const { requests, hold } = workerData as { requests: DatabaseSnapshotRequest[]; hold?: boolean };
const post = (message: SnapshotWorkerMessage): void => parentPort!.postMessage(message);

async function run(): Promise<void> {
  const held: HeldDatabase[] = [];
  try {
    for (const [index, request] of requests.entries()) {
      post({ type: 'started', index });
      const holding = hold ? holdDatabase(request) : undefined;
      if (holding) held.push(holding);
      const snapshot = holding?.snapshot ?? (await snapshotDatabase(request, { onCopyProcess: (pid) => post({ type: 'copying', pid }) }));
      post({ type: 'done', index, snapshot });
    }
    if (held.length > 0) {
      let onMessage: (message: { type?: string }) => void = () => undefined;
      await new Promise<void>((resolve) => {
        onMessage = (message) => {
          if (message.type === 'release') resolve();
        };
        parentPort!.on('message', onMessage);
      });
      parentPort!.off('message', onMessage);
      // A port that had a 'message' listener keeps the worker alive until it is unref'd.
      parentPort!.unref();
    }
  } finally {
    for (const holding of held) holding.release();
  }
}

// Not a top-level await: under tsx the worker runs as CommonJS.
run().catch((error: unknown) => {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
  post({ type: 'failed', message: error instanceof Error ? error.message : String(error), code });
});
