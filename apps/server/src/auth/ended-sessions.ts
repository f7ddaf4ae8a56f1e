/**
 * Sessions that were logged out before their cookie expired. A session cookie is signed, not
 * stored (auth/session-token.ts), so logging out used to clear it in that browser only, and a copy
 * of it kept working for 30 days. Now the session's id is written here on logout and refused from
 * then on; an id is forgotten once its cookie would have expired anyway, so the list stays short.
 *
 * Kept in the data directory as `.evidence-locker.ended-sessions.json` (atomically replaced), so a
 * server restart does not bring a logged-out session back. The name does not start with
 * `.evidence-locker-`: it is state, not a work file the crash sweep removes. Logging out everywhere
 * rotates the session key instead (Instance.endAllSessions), which ends every session at once and
 * empties this list.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { errnoCode, writeFileAtomic } from '@evidence-locker/core';
import { z } from 'zod';
import type { SessionClaims } from './session-token.ts';

export const ENDED_SESSIONS_FILE = '.evidence-locker.ended-sessions.json';

/** Most ids kept; past it, ending one more session ends them all (the caller rotates the key). */
export const MAX_ENDED_SESSIONS = 10_000;

const EndedSessionsFileSchema = z.object({
  version: z.literal(1),
  /** Session id → its cookie's expiry in unix seconds. */
  ended: z.record(z.string(), z.number().int()),
});

/** Options of {@link EndedSessions}. */
export interface EndedSessionsOptions {
  /** Clock in ms (default Date.now). */
  now?: () => number;
  /** Default {@link MAX_ENDED_SESSIONS}. */
  maxEntries?: number;
}

export class EndedSessions {
  readonly #file: string;
  readonly #now: () => number;
  readonly #maxEntries: number;
  /** id → expiry (unix s). */
  #ended = new Map<string, number>();
  #writing: Promise<void> = Promise.resolve();

  constructor(dataDir: string, options: EndedSessionsOptions = {}) {
    this.#file = path.join(dataDir, ENDED_SESSIONS_FILE);
    this.#now = options.now ?? Date.now;
    this.#maxEntries = options.maxEntries ?? MAX_ENDED_SESSIONS;
  }

  /**
   * Reads the list from disk (a missing file is an empty list). Returns false when the file exists
   * but cannot be read as a list: the caller must then end every session, since it can no longer
   * tell which were logged out.
   */
  async load(): Promise<boolean> {
    let text: string;
    try {
      text = await readFile(this.#file, 'utf8');
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT') throw error;
      this.#ended = new Map();
      return true;
    }
    let parsed: z.infer<typeof EndedSessionsFileSchema>;
    try {
      parsed = EndedSessionsFileSchema.parse(JSON.parse(text));
    } catch {
      this.#ended = new Map();
      return false;
    }
    this.#ended = new Map(Object.entries(parsed.ended));
    this.#forgetExpired();
    return true;
  }

  /** True when the session `id` was logged out. */
  has(id: string): boolean {
    return this.#ended.has(id);
  }

  /** Number of ids kept. */
  get size(): number {
    return this.#ended.size;
  }

  /**
   * Records `session` as logged out and saves the list. Returns false, recording nothing, when the
   * list is full: the caller then ends every session instead.
   */
  async end(session: SessionClaims): Promise<boolean> {
    this.#forgetExpired();
    if (this.#ended.size >= this.#maxEntries) return false;
    this.#ended.set(session.id, session.expiresAt);
    await this.#save();
    return true;
  }

  /** Forgets every id (after the session key was rotated, no old session is valid anyway). */
  async clear(): Promise<void> {
    this.#ended = new Map();
    await this.#save();
  }

  #forgetExpired(): void {
    const nowSeconds = this.#now() / 1000;
    for (const [id, expiresAt] of this.#ended) {
      if (expiresAt <= nowSeconds) this.#ended.delete(id);
    }
  }

  /** One write at a time, each with the list as it is when the write starts. */
  #save(): Promise<void> {
    const next = this.#writing.then(() =>
      writeFileAtomic(this.#file, JSON.stringify({ version: 1, ended: Object.fromEntries(this.#ended) })),
    );
    this.#writing = next.then(
      () => undefined,
      () => undefined,
    );
    return next.then(() => undefined);
  }
}
