/**
 * Cuts a byte stream into whole lines. Works on bytes, so a multi-byte character split across
 * chunks is never torn; only complete lines (ending in \n) come out until end().
 */
export const MAX_LINE_BYTES = 8 * 1024 * 1024;

export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  /** Returns the complete lines in this chunk (with their newlines), or null when none completed. */
  push(chunk: Buffer): Buffer | null {
    const lastNewline = chunk.lastIndexOf(10);
    if (lastNewline === -1) {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      // A line longer than the cap is cut rather than held forever.
      return this.pendingBytes >= MAX_LINE_BYTES ? this.takePending(Buffer.from('\n')) : null;
    }
    const head = chunk.subarray(0, lastNewline + 1);
    const rest = chunk.subarray(lastNewline + 1);
    let complete: Buffer;
    if (this.pendingBytes > 0) {
      this.pending.push(head);
      complete = Buffer.concat(this.pending, this.pendingBytes + head.length);
      this.pending = [];
      this.pendingBytes = 0;
    } else {
      complete = head;
    }
    if (rest.length > 0) {
      // Copy: the caller's chunk may be reused by the stream.
      this.pending.push(Buffer.from(rest));
      this.pendingBytes = rest.length;
    }
    return complete;
  }

  /** The unterminated tail, newline added; null when there is none. */
  end(): Buffer | null {
    return this.pendingBytes > 0 ? this.takePending(Buffer.from('\n')) : null;
  }

  private takePending(suffix: Buffer): Buffer {
    const out = Buffer.concat([...this.pending, suffix]);
    this.pending = [];
    this.pendingBytes = 0;
    return out;
  }
}

/** Splits a buffer of complete lines into strings without their newlines. */
export function toLines(complete: Buffer): string[] {
  const text = complete.toString('utf8');
  const lines = text.split('\n');
  lines.pop(); // the empty string after the final newline
  return lines;
}
