/**
 * A Writable onto an open SFTP file handle that keeps several WRITE requests in flight, up to
 * `windowBytes` unacknowledged, instead of one at a time as ssh2's own createWriteStream does (one
 * request per round trip). Back-pressure: `_write` calls back at once while the window has room,
 * otherwise when an acknowledgement makes room, so memory stays at about `windowBytes` whatever the
 * size of the file. The first failed request fails the stream; `_final` waits for every answer.
 * Opening and closing the handle stay with the caller, which also removes the file on failure.
 */
import { Writable } from 'node:stream';
import type { SftpSession } from './sftp-connection.ts';

export class SftpFileWriter extends Writable {
  /** Bytes acknowledged by the server. */
  bytesWritten = 0;
  private position = 0;
  private inFlight = 0;
  private failure: Error | undefined;
  private readonly waiters: (() => void)[] = [];

  constructor(
    private readonly session: SftpSession,
    private readonly handle: Buffer,
    private readonly windowBytes: number,
  ) {
    super({ highWaterMark: 64 * 1024 });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.failure !== undefined) {
      callback(this.failure);
      return;
    }
    const position = this.position;
    this.position += chunk.length;
    this.inFlight += chunk.length;
    this.session
      .call<unknown>((sftp, done) => sftp.write(this.handle, chunk, 0, chunk.length, position, (error) => done(error, undefined)))
      .then(
        () => {
          this.bytesWritten += chunk.length;
        },
        (error: unknown) => {
          this.failure ??= error instanceof Error ? error : new Error(String(error));
        },
      )
      .finally(() => {
        this.inFlight -= chunk.length;
        for (const wake of this.waiters.splice(0)) wake();
      });
    if (this.inFlight < this.windowBytes) callback();
    else
      this.whenRoom(
        () => callback(this.failure),
        () => this.inFlight < this.windowBytes,
      );
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.whenRoom(
      () => callback(this.failure),
      () => this.inFlight === 0,
    );
  }

  /** Calls `then` once `ready()` holds or a request failed, re-checking after each answer. */
  private whenRoom(then: () => void, ready: () => boolean): void {
    if (this.failure !== undefined || ready()) {
      then();
      return;
    }
    this.waiters.push(() => this.whenRoom(then, ready));
  }
}
