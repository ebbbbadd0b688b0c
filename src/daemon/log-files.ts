/**
 * Append-only log files shared by every process that writes to the same path (merge_logs,
 * instances of one app). One write stream per path, reference counted; writes are whole lines.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export class LogFile {
  private stream: fs.WriteStream;
  private references = 0;
  private reportedError = false;

  constructor(
    readonly path: string,
    private readonly onError: (file: string, error: Error) => void,
  ) {
    this.stream = this.open();
  }

  private open(): fs.WriteStream {
    fs.mkdirSync(path.dirname(this.path), { recursive: true });
    const stream = fs.createWriteStream(this.path, { flags: 'a', mode: 0o640 });
    stream.on('error', (error) => {
      // Report once per file until a write succeeds again; keep the app running regardless.
      if (!this.reportedError) this.onError(this.path, error);
      this.reportedError = true;
    });
    return stream;
  }

  /** Returns false when the caller should wait for drain() before writing more. */
  write(chunk: Buffer | string): boolean {
    return this.stream.write(chunk);
  }

  drain(): Promise<void> {
    if (!this.stream.writableNeedDrain || this.stream.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        this.stream.off('drain', done);
        this.stream.off('close', done);
        resolve();
      };
      this.stream.once('drain', done);
      this.stream.once('close', done);
    });
  }

  /** Reopen by path (after an external rotation moved the file). */
  reopen(): void {
    const old = this.stream;
    this.stream = this.open();
    this.reportedError = false;
    old.end();
  }

  acquire(): this {
    this.references++;
    return this;
  }

  /** Returns true when this was the last reference and the file is now closed. */
  release(): Promise<boolean> {
    this.references--;
    if (this.references > 0) return Promise.resolve(false);
    return new Promise((resolve) => this.stream.end(() => resolve(true)));
  }
}

export class LogFiles {
  private readonly files = new Map<string, LogFile>();

  constructor(private readonly onError: (file: string, error: Error) => void) {}

  /** null for /dev/null: nothing is written. */
  acquire(file: string): LogFile | null {
    if (file === '/dev/null') return null;
    let log = this.files.get(file);
    if (!log) {
      log = new LogFile(file, this.onError);
      this.files.set(file, log);
    }
    return log.acquire();
  }

  async release(log: LogFile | null): Promise<void> {
    if (!log) return;
    if (this.files.get(log.path) === log && (await log.release())) this.files.delete(log.path);
  }

  reopenAll(): number {
    for (const log of this.files.values()) log.reopen();
    return this.files.size;
  }
}

/** Empties a log file in place. Writers use O_APPEND, so lines written meanwhile land after the cut, whole. */
export async function truncateLog(file: string): Promise<boolean> {
  if (file === '/dev/null') return false;
  try {
    await fs.promises.truncate(file, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
