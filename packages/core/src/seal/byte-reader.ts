import type { Readable } from 'node:stream';

/**
 * Reads a Node byte stream in pieces of the sizes a parser asks for, holding only what it was asked
 * to hold. Errors of the stream are thrown unchanged; `close()` destroys it.
 */
export class ByteReader {
  private readonly chunks: AsyncIterator<Buffer>;
  private buffered: Buffer[] = [];
  private bufferedBytes = 0;
  private sawEnd = false;

  constructor(private readonly source: Readable) {
    this.chunks = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  /** Bytes read but not yet taken. */
  get length(): number {
    return this.bufferedBytes;
  }

  /** True once the stream ended: nothing beyond `length` will come. */
  get ended(): boolean {
    return this.sawEnd;
  }

  /** Reads until at least `bytes` are held or the stream ended. */
  async fill(bytes: number): Promise<void> {
    while (this.bufferedBytes < bytes && !this.sawEnd) {
      const next = await this.chunks.next();
      if (next.done === true) this.sawEnd = true;
      else if (next.value.length > 0) {
        this.buffered.push(next.value);
        this.bufferedBytes += next.value.length;
      }
    }
  }

  /** The first `bytes` held bytes (fewer if fewer are held), left in place. */
  peek(bytes: number): Buffer {
    const all = this.buffered.length === 1 ? this.buffered[0]! : Buffer.concat(this.buffered);
    this.buffered = this.bufferedBytes === 0 ? [] : [all];
    return all.subarray(0, bytes);
  }

  /** Removes and returns the first `bytes` held bytes (fewer if fewer are held). */
  take(bytes: number): Buffer {
    const head = Buffer.from(this.peek(bytes));
    const rest = this.bufferedBytes > head.length ? this.buffered[0]!.subarray(head.length) : undefined;
    this.buffered = rest === undefined ? [] : [rest];
    this.bufferedBytes -= head.length;
    return head;
  }

  /** Stops reading and destroys the stream. */
  async close(): Promise<void> {
    if (!this.sawEnd) await this.chunks.return?.();
    if (!this.source.destroyed) this.source.destroy();
  }
}
