/**
 * Talks to the server as the web app in a browser does: tRPC queries as GET
 * `/trpc/<procedure>?input=…`, mutations as POST with a JSON body, and the headers a same-origin
 * `fetch` carries (`Origin` on POST, `Referer`, `Sec-Fetch-Site: same-origin`), so the server's
 * cross-origin guard sees what it would see from the real app.
 */
import http from 'node:http';

/** The headers Chromium sends with the web app's tRPC GET requests. */
export function browserHeaders(baseUrl: string): Record<string, string> {
  return {
    accept: '*/*',
    referer: `${baseUrl}/settings`,
    'sec-fetch-site': 'same-origin',
    'sec-fetch-mode': 'cors',
    'sec-fetch-dest': 'empty',
    'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) evidence-locker-reliability',
  };
}

/** A job as `jobs.get` returns it (the fields the harness reads). */
export interface JobSnapshot {
  id: string;
  kind: string;
  label: string;
  state: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
  result?: unknown;
  error: { code: string; message: string } | null;
}

export class BrowserClient {
  readonly #agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

  constructor(readonly baseUrl: string) {}

  /** One request; resolves with the status and the parsed JSON body. */
  request(method: 'GET' | 'POST', urlPath: string, json?: unknown): Promise<{ status: number; body: unknown }> {
    const payload = method === 'POST' ? Buffer.from(JSON.stringify(json ?? {})) : undefined;
    const headers: Record<string, string | number> = browserHeaders(this.baseUrl);
    if (payload) Object.assign(headers, { origin: this.baseUrl, 'content-type': 'application/json', 'content-length': payload.length });
    return new Promise((resolve, reject) => {
      const request = http.request(new URL(urlPath, this.baseUrl), { method, agent: this.#agent, headers }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            // not JSON: kept as text for the error message
          }
          resolve({ status: response.statusCode ?? 0, body });
        });
      });
      request.on('error', reject);
      request.end(payload);
    });
  }

  async #data<T>(method: 'GET' | 'POST', urlPath: string, procedure: string, json?: unknown): Promise<T> {
    const { status, body } = await this.request(method, urlPath, json);
    if (status !== 200) throw new Error(`${procedure} answered ${status}: ${JSON.stringify(body)}`);
    return (body as { result: { data: T } }).result.data;
  }

  /** A tRPC query. */
  query<T>(procedure: string, input?: unknown): Promise<T> {
    const search = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`;
    return this.#data<T>('GET', `/trpc/${procedure}${search}`, procedure);
  }

  /** A tRPC mutation. */
  mutation<T>(procedure: string, input?: unknown): Promise<T> {
    return this.#data<T>('POST', `/trpc/${procedure}`, procedure, input);
  }

  /** Polls `jobs.get` until the job has ended; throws unless it succeeded. */
  async waitForJob(job: JobSnapshot, pollMs = 200): Promise<JobSnapshot> {
    let snapshot = job;
    while (snapshot.state === 'queued' || snapshot.state === 'running') {
      await new Promise((resolve) => setTimeout(resolve, pollMs));
      snapshot = await this.query<JobSnapshot>('jobs.get', { id: job.id });
    }
    if (snapshot.state !== 'succeeded') throw new Error(`${job.kind} job ${snapshot.state}: ${JSON.stringify(snapshot.error)}`);
    return snapshot;
  }

  close(): void {
    this.#agent.destroy();
  }
}
