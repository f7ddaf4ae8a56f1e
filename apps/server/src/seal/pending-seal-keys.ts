/**
 * Seal keys being set up (seal.prepare) and not yet saved (seal.confirm): the setting is saved only
 * once the user says they kept the recovery kit. A pending key lives only in this server's memory,
 * for {@link PENDING_SEAL_KEY_TTL_MS}; at most {@link MAX_PENDING_SEAL_KEYS} wait at once (the
 * oldest makes room for a new one), so nobody can fill the memory with them. A restart forgets them:
 * the user starts again, and nothing was saved.
 *
 * States: pending → taken (confirmed, gone) | expired (gone) | pushed out (gone).
 */
import { randomUUID } from 'node:crypto';
import type { SealChange } from '@evidence-locker/core';

/** How long a prepared key waits for its confirmation: 30 minutes. */
export const PENDING_SEAL_KEY_TTL_MS = 30 * 60_000;

/** Most prepared keys kept at once. */
export const MAX_PENDING_SEAL_KEYS = 16;

/** A prepared key. */
export interface PendingSealKey {
  pendingId: string;
  /** What seal.confirm saves (the secret is in here: never log or return it). */
  change: Exclude<SealChange, { mode: 'off' }>;
  /** When it was made (ISO 8601, the change's createdAt), the key's creation time once saved. */
  createdAt: string;
  /** When it is forgotten unless confirmed (ISO 8601). */
  expiresAt: string;
}

/** The prepared seal keys of one server (see the file comment). */
export class PendingSealKeys {
  readonly #entries = new Map<string, PendingSealKey & { expiresAtMs: number }>();
  readonly #now: () => number;
  readonly #ttlMs: number;
  readonly #max: number;

  constructor(options: { now?: () => number; ttlMs?: number; max?: number } = {}) {
    this.#now = options.now ?? Date.now;
    this.#ttlMs = options.ttlMs ?? PENDING_SEAL_KEY_TTL_MS;
    this.#max = options.max ?? MAX_PENDING_SEAL_KEYS;
  }

  /** Keeps `change` under a new id until it is taken or expires ({@link PENDING_SEAL_KEY_TTL_MS} from now). */
  add(change: PendingSealKey['change']): PendingSealKey {
    this.#sweep();
    // A Map keeps insertion order: the first entry is the oldest.
    while (this.#entries.size >= this.#max) this.#entries.delete(this.#entries.keys().next().value!);
    const expiresAtMs = this.#now() + this.#ttlMs;
    const entry = {
      pendingId: randomUUID(),
      change,
      createdAt: change.createdAt,
      expiresAt: new Date(expiresAtMs).toISOString(),
      expiresAtMs,
    };
    this.#entries.set(entry.pendingId, entry);
    return entry;
  }

  /** Removes and returns the key `pendingId`; undefined when unknown, expired or taken already. */
  take(pendingId: string): PendingSealKey | undefined {
    this.#sweep();
    const entry = this.#entries.get(pendingId);
    this.#entries.delete(pendingId);
    if (entry === undefined) return undefined;
    const { expiresAtMs: _expiresAtMs, ...pending } = entry;
    return pending;
  }

  /** How many keys wait now. */
  get size(): number {
    this.#sweep();
    return this.#entries.size;
  }

  /** Forgets every key (the server stops). */
  clear(): void {
    this.#entries.clear();
  }

  #sweep(): void {
    const now = this.#now();
    for (const [pendingId, entry] of this.#entries) if (now >= entry.expiresAtMs) this.#entries.delete(pendingId);
  }
}
