/**
 * One interface for every place a backup copy goes off the machine, modelled on Home Assistant's
 * backup agents (homeassistant/components/backup/agent.py: upload a stream, download as a stream,
 * list, get, delete). A new kind of target is one new module that implements it:
 * s3-target.ts (S3-compatible object storage), sftp-target.ts, webdav-target.ts.
 *
 * Rules every target keeps:
 * - An upload is never visible under its final name until it is complete: a multipart upload that
 *   fails is aborted; SFTP and WebDAV write a temporary name (TARGET_TEMP_PREFIX) and rename it.
 * - After an upload the copy is checked (its size, and the checksum where the protocol gives one);
 *   a mismatch is TARGET_UPLOAD_MISMATCH and the copy is removed.
 * - Everything streams: no whole archive is held in memory, in either direction.
 * - Aborting `signal` stops the transfer with CANCELLED and leaves nothing under a final name.
 * - Failures are LockerErrors with a TARGET_ code (target-error.ts) whose message a user can act
 *   on; secrets never appear in messages, details or `location`.
 */
import type { Readable } from 'node:stream';

/** The kinds of target. */
export const TARGET_KINDS = ['s3', 'sftp', 'webdav'] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

/** Name prefix of a target's temporary upload files and probe files; never a backup name. */
export const TARGET_TEMP_PREFIX = '.evidence-locker-upload-';

/** One file (object) at a target. */
export interface TargetEntry {
  /** The name inside the target's directory or prefix (no path). */
  name: string;
  size: number;
  /** Last modification as the target reports it (ISO 8601, UTC), or null when it gives none. */
  modified: string | null;
}

export interface TransferOptions {
  signal?: AbortSignal | undefined;
  /** Called as bytes go out or come in (at most a few times a second is enough for a progress bar). */
  onBytes?: ((bytesDone: number) => void) | undefined;
}

export interface UploadOptions extends TransferOptions {
  /** The exact number of bytes `content` holds: checked against what the target stored. */
  size: number;
}

export interface BackupTarget {
  readonly kind: TargetKind;
  /**
   * Where this target points, for people and logs, without any secret:
   * `s3://bucket/prefix (https://endpoint)`, `sftp://user@host:port/dir`, `webdav+https://host/path`.
   */
  readonly location: string;
  /**
   * Stores `content` (exactly `options.size` bytes) under `name`, replacing nothing: a name
   * already taken is TARGET_NAME_TAKEN. Visible under `name` only once complete and checked.
   */
  upload(name: string, content: Readable, options: UploadOptions): Promise<TargetEntry>;
  /** The bytes stored under `name`, as a stream; TARGET_OBJECT_MISSING when there is none. */
  download(name: string, options?: TransferOptions): Promise<{ stream: Readable; size: number }>;
  /** Every file directly in the target's directory or prefix (not only backups; callers filter). */
  list(options?: { signal?: AbortSignal | undefined }): Promise<TargetEntry[]>;
  /** The file stored under `name`, or null when there is none. */
  stat(name: string, options?: { signal?: AbortSignal | undefined }): Promise<TargetEntry | null>;
  /** Removes `name`; a name that is already gone is not an error. */
  delete(name: string, options?: { signal?: AbortSignal | undefined }): Promise<void>;
  /** Closes connections (SFTP sessions, sockets); the target is not used afterwards. */
  close(): Promise<void>;
}
