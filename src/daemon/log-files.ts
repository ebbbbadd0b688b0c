/**
 * Append-only log files shared by every process that writes to the same path (merge_logs,
 * instances of one app). One write stream per path, reference counted; writes are whole lines, and
 * size rotation happens between writes, so no line is ever split across files.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

export interface RotationPolicy {
  /** Rotate before a write would take the file past this; null: never. */
  maxBytes: number | null;
  /** Rotated files kept. */
  retain: number;
  compress: boolean;
}

export const NO_ROTATION: RotationPolicy = { maxBytes: null, retain: 0, compress: false };

const ROTATED = /^\.(\d{17})-(\d{4})(\.gz)?$/;

function stamp(date: Date): string {
  const pad = (value: number, width = 2): string => String(value).padStart(width, '0');
  return `${date.getFullYear()}${pad(date.getMonth() + 1)}${pad(date.getDate())}${pad(date.getHours())}${pad(date.getMinutes())}${pad(date.getSeconds())}${pad(date.getMilliseconds(), 3)}`;
}

/** The rotated files of `file`, oldest first (names sort by time, then sequence). */
export function rotatedFiles(file: string): string[] {
  const dir = path.dirname(file);
  const base = path.basename(file);
  let entries: string[];
  try {
    entries = fs.readdirSync(dir);
  } catch {
    return [];
  }
  return entries
    .filter((entry) => entry.startsWith(base) && ROTATED.test(entry.slice(base.length)))
    .sort()
    .map((entry) => path.join(dir, entry));
}

/** After a write error (disk full, folder gone), how long to wait before trying the file again. */
export const RETRY_AFTER_MS = 1000;

export class LogFile {
  private stream: fs.WriteStream;
  private references = 0;
  private size = 0;
  private sequence = 0;
  /** Set while the file cannot be written: when it broke, and what has been dropped since. */
  private broken: { since: number; droppedBytes: number } | null = null;
  /** A reopened file after an outage, until a write to it succeeds. */
  private probation: { since: number; droppedBytes: number } | null = null;

  constructor(
    readonly path: string,
    private readonly policy: RotationPolicy,
    private readonly onError: (file: string, error: Error) => void,
    private readonly onRecover: (file: string, droppedBytes: number) => void = () => undefined,
  ) {
    this.stream = this.open();
  }

  private open(): fs.WriteStream {
    fs.mkdirSync(path.dirname(this.path), { recursive: true });
    try {
      this.size = fs.statSync(this.path).size;
    } catch {
      this.size = 0;
    }
    // A large buffer: an app writing one line per write() otherwise pauses on every 16 KB.
    const stream = fs.createWriteStream(this.path, { flags: 'a', mode: 0o640, highWaterMark: 1024 * 1024 });
    stream.on('error', (error) => {
      // Reported once per outage, not per line; the app keeps running and its output is dropped
      // until the file can be written again.
      if (this.stream !== stream || this.broken) return;
      if (this.probation) {
        // Still failing after a retry: the same outage, not a new report.
        this.broken = { ...this.probation, since: Date.now() };
        this.probation = null;
        return;
      }
      this.broken = { since: Date.now(), droppedBytes: 0 };
      this.onError(this.path, error);
    });
    return stream;
  }

  /** While broken: drop, and every RETRY_AFTER_MS try a fresh stream. True when writable again. */
  private recovered(bytes: number): boolean {
    const broken = this.broken;
    if (!broken) return true;
    if (Date.now() - broken.since < RETRY_AFTER_MS) {
      broken.droppedBytes += bytes;
      return false;
    }
    const old = this.stream;
    try {
      this.stream = this.open();
    } catch {
      broken.since = Date.now();
      broken.droppedBytes += bytes;
      return false;
    }
    old.destroy();
    this.broken = null;
    this.probation = broken;
    return true;
  }

  /** Returns false when the caller should wait for drain() before writing more. */
  write(chunk: Buffer | string): boolean {
    const bytes = typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    if (!this.recovered(bytes)) return true;
    if (this.policy.maxBytes !== null && this.size > 0 && this.size + bytes > this.policy.maxBytes) this.rotate();
    this.size += bytes;
    if (!this.probation) return this.stream.write(chunk);
    return this.stream.write(chunk, (error) => {
      const recovered = this.probation;
      if (error || !recovered) return;
      this.probation = null;
      this.onRecover(this.path, recovered.droppedBytes);
    });
  }

  /** Moves the current file aside under a time-stamped name, starts a new one, prunes old ones. */
  private rotate(): void {
    const target = `${this.path}.${stamp(new Date())}-${String(this.sequence++ % 10_000).padStart(4, '0')}`;
    try {
      fs.renameSync(this.path, target);
    } catch (error) {
      this.onError(this.path, error as Error);
      return;
    }
    const old = this.stream;
    this.stream = this.open();
    // Writes still queued on the old stream land in the renamed file, in order.
    old.end(() => {
      if (this.policy.compress) void this.compress(target);
      this.prune();
    });
    this.prune();
  }

  private async compress(file: string): Promise<void> {
    try {
      await pipeline(fs.createReadStream(file), createGzip(), fs.createWriteStream(`${file}.gz`, { mode: 0o640 }));
      fs.rmSync(file, { force: true });
    } catch (error) {
      this.onError(file, error as Error);
    }
    this.prune();
  }

  private prune(): void {
    const names = new Map<string, string[]>();
    for (const file of rotatedFiles(this.path)) {
      const key = file.replace(/\.gz$/, '');
      names.set(key, [...(names.get(key) ?? []), file]);
    }
    const keys = [...names.keys()].sort();
    for (const key of keys.slice(0, Math.max(0, keys.length - this.policy.retain))) {
      for (const file of names.get(key) ?? []) fs.rmSync(file, { force: true });
    }
  }

  drain(): Promise<void> {
    if (!this.stream.writableNeedDrain || this.stream.destroyed) return Promise.resolve();
    const stream = this.stream;
    return new Promise((resolve) => {
      const done = (): void => {
        stream.off('drain', done);
        stream.off('close', done);
        resolve();
      };
      stream.once('drain', done);
      stream.once('close', done);
    });
  }

  /** Reopen by path (after an external rotation moved the file). */
  reopen(): void {
    const old = this.stream;
    this.stream = this.open();
    this.broken = null;
    old.end();
  }

  /** Empties the file in place. Writes use O_APPEND, so lines written meanwhile land after the cut. */
  async truncate(): Promise<void> {
    await fs.promises.truncate(this.path, 0).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
    this.size = 0;
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

  constructor(
    private readonly onError: (file: string, error: Error) => void,
    private readonly onRecover: (file: string, droppedBytes: number) => void = () => undefined,
  ) {}

  /** null for /dev/null: nothing is written. The first user of a path sets its rotation. */
  acquire(file: string, policy: RotationPolicy = NO_ROTATION): LogFile | null {
    if (file === '/dev/null') return null;
    let log = this.files.get(file);
    if (!log) {
      log = new LogFile(file, policy, this.onError, this.onRecover);
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

  /** Empties a log file, through its writer when it is open. Returns false when there is no file. */
  async truncate(file: string): Promise<boolean> {
    if (file === '/dev/null') return false;
    const open = this.files.get(file);
    if (open) {
      await open.truncate();
      return true;
    }
    try {
      await fs.promises.truncate(file, 0);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
  }
}
