/**
 * The Evidence Locker API as the web app uses it, from a plain Node script (the container test has
 * no TypeScript toolchain): tRPC queries and mutations over HTTP (`/trpc/<path>`, one call per
 * request, no transformer), job progress over SSE (`jobs.watch`), and the raw upload route
 * (`POST /api/uploads`, the archive as the body). No admin password is set in the test's
 * instances, so no session cookie is needed.
 */
import fs from 'node:fs';

/** The API of the server at `base` (e.g. http://127.0.0.1:8765). */
export function lockerApi(base) {
  async function call(path, init) {
    const response = await fetch(`${base}/trpc/${path}`, init);
    const body = await response.json();
    if (body.error) {
      const error = new Error(`${path}: ${body.error.message}`);
      error.body = body.error;
      throw error;
    }
    return body.result.data;
  }

  return {
    query(path, input) {
      return call(input === undefined ? path : `${path}?input=${encodeURIComponent(JSON.stringify(input))}`);
    },
    mutate(path, input) {
      return call(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(input ?? {}) });
    },

    /** `GET /api/health`'s answer, or undefined while it does not answer. */
    async health() {
      try {
        const response = await fetch(`${base}/api/health`, { signal: AbortSignal.timeout(2000) });
        return response.ok ? await response.json() : undefined;
      } catch {
        return undefined;
      }
    },

    /** Uploads an archive file as the wizard does; returns the upload's id and validation. */
    async upload(file) {
      const response = await fetch(`${base}/api/uploads`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream' },
        body: fs.readFileSync(file),
      });
      const body = await response.json();
      if (response.status !== 200) throw new Error(`upload answered ${response.status}: ${JSON.stringify(body)}`);
      return body;
    },

    /** Polls `jobs.get` until the job has finished (or `timeoutMs` passed); returns its last snapshot. */
    async finished(id, timeoutMs = 120_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const job = await this.query('jobs.get', { id });
        if (!['queued', 'running'].includes(job.state)) return job;
        if (Date.now() > deadline) throw new Error(`job ${id} still ${job.state} after ${timeoutMs / 1000} s`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    },

    /**
     * Subscribes to `jobs.watch` over SSE. `next(predicate)` resolves with the first snapshot that
     * satisfies it; `snapshots` holds every one received; `ended` resolves when the stream ends
     * (the job finished, or the server went away).
     */
    async watch(id) {
      const response = await fetch(`${base}/trpc/jobs.watch?input=${encodeURIComponent(JSON.stringify({ id }))}`, {
        headers: { accept: 'text/event-stream' },
      });
      if (!response.ok || !response.body) throw new Error(`jobs.watch answered ${response.status}`);
      const snapshots = [];
      const waiters = [];
      const offer = (snapshot) => {
        snapshots.push(snapshot);
        for (const waiter of waiters.splice(0)) {
          if (waiter.predicate(snapshot)) waiter.resolve(snapshot);
          else waiters.push(waiter);
        }
      };
      const ended = (async () => {
        const decoder = new TextDecoder();
        let buffer = '';
        try {
          for await (const chunk of response.body) {
            buffer += decoder.decode(chunk, { stream: true });
            let end;
            while ((end = buffer.indexOf('\n\n')) >= 0) {
              const event = buffer.slice(0, end);
              buffer = buffer.slice(end + 2);
              const data = event
                .split('\n')
                .filter((line) => line.startsWith('data:'))
                .map((line) => line.slice(5).trim())
                .join('\n');
              if (!data) continue;
              const parsed = JSON.parse(data);
              if (parsed && typeof parsed === 'object' && 'state' in parsed) offer(parsed);
            }
          }
        } catch {
          // The server went away mid-stream: what arrived is in `snapshots`.
        }
      })();
      return {
        snapshots,
        ended,
        /** The first snapshot that satisfies `predicate`; rejects after `timeoutMs` (default 60 s). */
        next(predicate, timeoutMs = 60_000) {
          const seen = snapshots.find(predicate);
          if (seen) return Promise.resolve(seen);
          return new Promise((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`jobs.watch ${id}: no such snapshot within ${timeoutMs / 1000} s`)), timeoutMs);
            waiters.push({ predicate, resolve: (snapshot) => (clearTimeout(timer), resolve(snapshot)) });
          });
        },
      };
    },
  };
}
