/**
 * The last lines a process wrote to one stream, kept in memory (bounded by bytes) with the stream's
 * byte offset. A viewer asks for them after subscribing, then keeps only live lines past `end`:
 * backfill and stream meet exactly, with no line twice and none missing.
 */
import { toLines } from './line-splitter';

export const RECENT_BYTES = 256 * 1024;

export class RecentLines {
  private chunks: Buffer[] = [];
  private bytes = 0;
  /** Bytes of whole lines this stream has produced since the process was created. */
  end = 0;

  constructor(private readonly maxBytes = RECENT_BYTES) {}

  /** Records a buffer of whole lines; returns its offset in the stream. */
  add(complete: Buffer): number {
    const offset = this.end;
    this.end += complete.length;
    this.chunks.push(complete);
    this.bytes += complete.length;
    while (this.bytes > this.maxBytes && this.chunks.length > 1) this.bytes -= (this.chunks.shift() as Buffer).length;
    return offset;
  }

  last(count: number): { lines: string[]; end: number } {
    if (count <= 0 || this.chunks.length === 0) return { lines: [], end: this.end };
    return { lines: toLines(Buffer.concat(this.chunks, this.bytes)).slice(-count), end: this.end };
  }
}
