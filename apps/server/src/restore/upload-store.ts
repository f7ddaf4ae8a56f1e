/**
 * Uploaded archives waiting to be restored: upload once, restore by id
 * (docs/docsight-compatibility.md, D3).
 *
 * Each upload is staged as `.evidence-locker-upload-<uuid>.tar.gz` (mode 0600) directly in the
 * data directory, with its members unpacked and verified beside it as
 * `.evidence-locker-prepared-<uuid>-<name>.*.tmp` (receive-upload.ts), ready to be published: the
 * same filesystem as the live files, and the `.evidence-locker-` prefix means core's start-up sweep
 * removes what a crash left behind. An upload lives until it is
 * restored (the restore job deletes it, success or failure), discarded (the wizard discards the
 * one a new pick, "Choose another file" or "Back" replaces), replaced by a newer upload of the same
 * sender past its bound (`receive`'s `sender`), or expires (default one hour; a timer sweeps
 * expired ones every minute and a lookup never returns one). A refused upload leaves nothing.
 *
 * States: receiving → ready → claimed (a restore job owns the file) → gone. Only `ready` uploads
 * can be claimed, so an upload is restored at most once, and an expiry never pulls the file from
 * under a running restore.
 */
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import {
  discardPreparedRestore,
  FREE_SPACE_MARGIN,
  LockerError,
  peekSealedWith,
  PREPARED_PREFIX,
  reserveSpace,
  WORK_PREFIX,
  type ArchiveValidation,
  type OpenKey,
  type PreparedRestore,
  type ReadArchiveLimits,
  type SealedInputOptions,
  type SealedWith,
  type SpaceReservation,
} from '@evidence-locker/core';
import { receiveUpload, type UploadPace } from './receive-upload.ts';

/** Name prefix of staged uploads (inside core's swept `.evidence-locker-` namespace). */
export const UPLOAD_FILE_PREFIX = `${WORK_PREFIX}upload-`;

const GIB = 1024 ** 3;

/** Options of {@link UploadStore}. */
export interface UploadStoreOptions {
  /** Where staged uploads go (the server uses the data directory). */
  stagingDir: string;
  /** Largest accepted upload in bytes (default 4 GiB). */
  maxBytes?: number;
  /** How long an upload waits to be restored, in ms (default 1 hour). */
  ttlMs?: number;
  /** How often expired uploads are removed, in ms (default 1 minute). */
  sweepIntervalMs?: number;
  /** Most uploads staged or being received at once (default 8): bounds the disk a caller can fill. */
  maxPending?: number;
  /** Caps for archive contents (default: core's). */
  limits?: Partial<ReadArchiveLimits>;
  /** Clock (default Date.now). */
  now?: () => number;
  /** When a client counts as stalled (receive-upload.ts; default DEFAULT_UPLOAD_PACE). */
  pace?: UploadPace;
}

/** A staged, valid upload. */
export interface StagedUpload {
  uploadId: string;
  /** Absolute path of the staging file. */
  path: string;
  size: number;
  validation: ArchiveValidation;
  /** Its members, staged and verified beside the live files (`.evidence-locker-prepared-<id>-*`). */
  prepared: PreparedRestore;
  /** ISO time after which the upload is gone. */
  expiresAt: string;
  /** How the upload was sealed (age), or null for a plain archive. */
  sealed: SealedWith | null;
  /**
   * The key that opened it (kept in memory only, for a restore that must read the file again after
   * a restart swept the staged members); undefined for a plain archive.
   */
  openKey: OpenKey | undefined;
}

interface Entry {
  state: 'receiving' | 'ready' | 'claimed';
  upload: StagedUpload | undefined;
  path: string;
  expiresAtMs: number;
  /** Who sent it (`receive`'s `sender.id`), if told. */
  sender: string | undefined;
}

/** Options of {@link UploadStore.receive}. */
export interface ReceiveOptions {
  /** Aborting it stops the upload (CANCELLED); the file is then gone. */
  signal?: AbortSignal;
  /** The body's announced size (Content-Length), reserved on the disk up front; none for a chunked body. */
  announcedBytes?: number;
  /**
   * Who sends it (the client address) and how many uploads they may have arriving or waiting at
   * once. Past that, their oldest waiting upload is discarded to make room, so leftovers (a closed
   * tab) never block them; BUSY when all of theirs are still arriving or being restored. Default:
   * no per-sender bound.
   */
  sender?: { id: string; maxPending: number };
  /** How a sealed upload is opened and what its name promised (default: a sealed one is refused). */
  seal?: SealedInputOptions;
}

/** The message for an unknown, expired or already restored upload id. */
export const UPLOAD_GONE_MESSAGE = 'This upload has expired or was already used; upload the file again.';

export class UploadStore {
  readonly stagingDir: string;
  readonly maxBytes: number;
  readonly ttlMs: number;
  readonly #maxPending: number;
  readonly #limits: Partial<ReadArchiveLimits> | undefined;
  readonly #now: () => number;
  readonly #pace: UploadPace | undefined;
  readonly #entries = new Map<string, Entry>();
  readonly #timer: NodeJS.Timeout;
  /** Receives in progress, settled once a failed one has removed its files. */
  readonly #arriving = new Set<Promise<void>>();
  #closed = false;

  constructor(options: UploadStoreOptions) {
    this.stagingDir = path.resolve(options.stagingDir);
    this.maxBytes = options.maxBytes ?? 4 * GIB;
    this.ttlMs = options.ttlMs ?? 60 * 60_000;
    this.#maxPending = options.maxPending ?? 8;
    this.#limits = options.limits;
    this.#now = options.now ?? Date.now;
    this.#pace = options.pace;
    this.#timer = setInterval(() => void this.sweepExpired(), options.sweepIntervalMs ?? 60_000);
    // The sweep must never keep the process alive.
    this.#timer.unref();
  }

  /** When a client counts as stalled (undefined: receive-upload.ts's default); the backup upload route uses it too. */
  get pace(): UploadPace | undefined {
    return this.#pace;
  }

  /** Caps for archive contents (undefined: core's); the backup upload route uses them too. */
  get limits(): Partial<ReadArchiveLimits> | undefined {
    return this.#limits;
  }

  /** A fresh upload id (a random UUID, also the rate limiter's key for this upload). */
  newUploadId(): string {
    return randomUUID();
  }

  /**
   * Stages and validates `body` under `uploadId` in one pass (receive-upload.ts). Throws BUSY when
   * too many uploads are pending, or the validator's LockerError (the file is then gone).
   */
  async receive(uploadId: string, body: Readable, options: ReceiveOptions = {}): Promise<StagedUpload> {
    const { signal, sender } = options;
    if (this.#closed) throw new LockerError('BUSY', 'The server is shutting down; upload the file again when it is back.');
    // Decided and the old entries dropped before the first await, so two uploads of one sender
    // cannot both see a free place.
    const replaced = Promise.all(sender ? this.#makeRoomFor(sender.id, sender.maxPending) : []);
    if (this.#entries.size >= this.#maxPending) {
      await replaced;
      throw new LockerError(
        'BUSY',
        `${this.#entries.size} uploads are already waiting to be restored; restore or discard one, or wait until they expire.`,
      );
    }
    const file = path.join(this.stagingDir, `${UPLOAD_FILE_PREFIX}${uploadId}.tar.gz`);
    const entry: Entry = {
      state: 'receiving',
      upload: undefined,
      path: file,
      expiresAtMs: Number.POSITIVE_INFINITY,
      sender: sender?.id,
    };
    this.#entries.set(uploadId, entry);
    let settle!: () => void;
    const arriving = new Promise<void>((resolve) => (settle = resolve));
    this.#arriving.add(arriving);
    let reservation: SpaceReservation | undefined;
    try {
      await replaced;
      // The announced size is promised to this upload, so concurrent ones cannot take it too.
      reservation = await reserveSpace('upload', this.stagingDir, options.announcedBytes ?? 0, FREE_SPACE_MARGIN);
      const received = await receiveUpload(body, {
        path: file,
        maxBytes: this.maxBytes,
        stagingPrefix: `${PREPARED_PREFIX}${uploadId}-`,
        reservation,
        ...(this.#pace ? { pace: this.#pace } : {}),
        ...(this.#limits ? { limits: this.#limits } : {}),
        ...(signal ? { signal } : {}),
        ...(options.seal ? { seal: options.seal } : {}),
      });
      const sealed = await peekSealedWith(file);
      entry.expiresAtMs = this.#now() + this.ttlMs;
      entry.upload = {
        uploadId,
        path: file,
        size: received.size,
        validation: received.validation,
        prepared: received.prepared,
        expiresAt: new Date(entry.expiresAtMs).toISOString(),
        sealed,
        openKey: sealed === null ? undefined : options.seal?.key,
      };
      entry.state = 'ready';
      if (this.#closed) await this.#remove(uploadId);
      return entry.upload;
    } catch (error) {
      this.#entries.delete(uploadId);
      throw error;
    } finally {
      reservation?.release();
      this.#arriving.delete(arriving);
      settle();
    }
  }

  /** The ready upload `uploadId`, or undefined when unknown, expired, claimed or still arriving. */
  get(uploadId: string): StagedUpload | undefined {
    const entry = this.#entries.get(uploadId);
    if (!entry || entry.state !== 'ready' || this.#expired(entry)) return undefined;
    return entry.upload;
  }

  /**
   * Hands the upload to a restore: from now on only {@link release} removes it. Undefined when it
   * is not ready (unknown, expired, already claimed): tell the user {@link UPLOAD_GONE_MESSAGE}.
   */
  claim(uploadId: string): StagedUpload | undefined {
    const upload = this.get(uploadId);
    const entry = this.#entries.get(uploadId);
    if (!upload || !entry) return undefined;
    entry.state = 'claimed';
    return upload;
  }

  /** Puts a claimed upload back (its restore could not be queued), keeping its expiry. */
  unclaim(uploadId: string): void {
    const entry = this.#entries.get(uploadId);
    if (entry?.state === 'claimed') entry.state = 'ready';
  }

  /** Deletes the upload's file and forgets it (after its restore, or when discarded). */
  async release(uploadId: string): Promise<void> {
    await this.#remove(uploadId);
  }

  /** Discards a ready upload; returns false when there was none. */
  async discard(uploadId: string): Promise<boolean> {
    if (!this.get(uploadId)) return false;
    await this.#remove(uploadId);
    return true;
  }

  /** How many uploads of `sender` are arriving, waiting or being restored. */
  pendingOf(sender: string): number {
    let count = 0;
    for (const entry of this.#entries.values()) if (entry.sender === sender && !this.#gone(entry)) count += 1;
    return count;
  }

  /** Removes every expired ready upload; returns their ids. */
  async sweepExpired(): Promise<string[]> {
    const expired = [...this.#entries].filter(([, entry]) => entry.state === 'ready' && this.#expired(entry)).map(([uploadId]) => uploadId);
    for (const uploadId of expired) await this.#remove(uploadId);
    return expired;
  }

  /**
   * Stops the sweep timer and deletes every staged upload that no restore owns. Uploads still
   * arriving are waited for: the server closes their connections before this runs (serve.ts), so
   * they fail and remove their files, or finish and are removed here, before the process exits.
   */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    await Promise.all([...this.#arriving]);
    for (const [uploadId, entry] of [...this.#entries]) {
      if (entry.state === 'ready') await this.#remove(uploadId);
    }
  }

  #expired(entry: Entry): boolean {
    return this.#now() >= entry.expiresAtMs;
  }

  /** A ready upload past its expiry: the sweep removes it soon, no lookup returns it. */
  #gone(entry: Entry): boolean {
    return entry.state === 'ready' && this.#expired(entry);
  }

  /**
   * Drops `sender`'s oldest waiting uploads until fewer than `maxPending` remain and returns the
   * removals of their files; BUSY when the rest are all arriving or being restored. Synchronous up
   * to the returned promises.
   */
  #makeRoomFor(sender: string, maxPending: number): Promise<void>[] {
    const theirs = [...this.#entries].filter(([, entry]) => entry.sender === sender);
    // Expired ones first, then the oldest (a Map keeps insertion order, so the earliest received).
    const waiting = theirs
      .filter(([, entry]) => entry.state === 'ready')
      .sort(([, a], [, b]) => Number(this.#gone(b)) - Number(this.#gone(a)));
    let count = theirs.length;
    const removals: Promise<void>[] = [];
    for (const [uploadId] of waiting) {
      if (count < maxPending) break;
      removals.push(this.#remove(uploadId));
      count -= 1;
    }
    if (count >= maxPending) {
      throw new LockerError('BUSY', `${count} uploads from your address are still arriving or being restored; wait until one is done.`, {
        details: { count },
      });
    }
    return removals;
  }

  async #remove(uploadId: string): Promise<void> {
    const entry = this.#entries.get(uploadId);
    if (!entry) return;
    this.#entries.delete(uploadId);
    await rm(entry.path, { force: true });
    // After a restore the staged members were renamed into place; whatever is left goes.
    if (entry.upload) await discardPreparedRestore(entry.upload.prepared);
  }
}
