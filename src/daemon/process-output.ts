/**
 * One process's output pipeline: each stream cut into whole lines, kept in memory for backfill
 * (recent-lines.ts), written to the process's log files (log-format.ts; while a file cannot take
 * more, the app waits on its pipe rather than the daemon buffering without bound), published to live
 * viewers, and watched for the inspector's "Debugger listening on" banner.
 */
import type { Readable } from 'node:stream';
import type { AppConfig } from '../shared/config';
import type { EventName, Events } from '../shared/protocol';
import type { ChildHandle } from './child-handle';
import type { InspectorGuard } from './inspector-guard';
import { LineSplitter, toLines } from './line-splitter';
import { formatForFile } from './log-format';
import type { LogFile, LogFiles, RotationPolicy } from './log-files';
import type { ProcessFiles } from './process-files';
import { RecentLines } from './recent-lines';

const INSPECTOR_BANNER = Buffer.from('Debugger listening on ');
const INSPECTOR_WORD = Buffer.from('Debugger ');

export interface OutputContext {
  logFiles: LogFiles;
  publish<E extends EventName>(event: E, payload: Events[E]): void;
  hasSubscribers(): boolean;
}

type OutputOptions = Pick<AppConfig, 'name' | 'time' | 'log_date_format' | 'log_type'>;

export class ProcessOutput {
  /** The last lines of each stream, for viewers that backfill before streaming. */
  readonly recent = { 'log:out': new RecentLines(), 'log:err': new RecentLines() };
  /** The inspector's WebSocket URL once the process printed "Debugger listening on ...". */
  inspectorUrl: string | null = null;
  /** Set when `corral inspect` opened the inspector: closes it once unused (inspector-guard.ts). */
  inspectorGuard: InspectorGuard | null = null;
  private inspectorWaiters: Array<(url: string) => void> = [];
  private outFile: LogFile | null = null;
  private errFile: LogFile | null = null;
  private combinedFile: LogFile | null = null;

  constructor(
    private readonly id: number,
    /** The current config: formatting follows a reconfigure at once. */
    private readonly app: () => OutputOptions,
    private readonly ctx: OutputContext,
  ) {}

  open(files: ProcessFiles, rotation: RotationPolicy): void {
    this.outFile = this.ctx.logFiles.acquire(files.outLog, rotation);
    this.errFile = this.ctx.logFiles.acquire(files.errLog, rotation);
    this.combinedFile = files.combinedLog === null ? null : this.ctx.logFiles.acquire(files.combinedLog, rotation);
  }

  /** Releases the files; output read meanwhile still reaches memory and viewers. */
  async close(): Promise<void> {
    await this.ctx.logFiles.release(this.outFile);
    await this.ctx.logFiles.release(this.errFile);
    await this.ctx.logFiles.release(this.combinedFile);
    this.outFile = null;
    this.errFile = null;
    this.combinedFile = null;
  }

  /** A new child: the old one's inspector is gone with it. */
  forgetInspector(): void {
    this.inspectorUrl = null;
    this.inspectorGuard?.dispose();
    this.inspectorGuard = null;
  }

  /** Reads a child's stdout and stderr until `signal` aborts (its launch ended): the listeners go with it. */
  attach(child: Pick<ChildHandle, 'stdout' | 'stderr'>, signal: AbortSignal): void {
    this.pipe(child.stdout, 'log:out', signal);
    this.pipe(child.stderr, 'log:err', signal);
  }

  private pipe(stream: Readable | null, event: 'log:out' | 'log:err', signal: AbortSignal): void {
    if (!stream || signal.aborted) return;
    const splitter = new LineSplitter();
    const recent = this.recent[event];
    const kind = event === 'log:out' ? 'out' : 'err';
    const emit = (complete: Buffer): void => {
      const offset = recent.add(complete);
      if (event === 'log:err' && complete.includes(INSPECTOR_WORD)) {
        if (complete.includes(INSPECTOR_BANNER)) this.noteInspector(complete.toString('utf8'));
        this.inspectorGuard?.noteOutput(complete.toString('utf8'));
      }
      const app = this.app();
      let lines: string[] | null = null;
      const own = event === 'log:out' ? this.outFile : this.errFile;
      const combined = this.combinedFile;
      if (own || combined) {
        const formatted = formatForFile(complete, kind, this.id, app);
        lines = formatted.lines;
        // One LogFile per path: a log_file that is also out_file gets each line once.
        const full = (own === combined ? [own] : [own, combined]).filter((target): target is LogFile => target !== null && !target.write(formatted.data));
        if (full.length > 0) {
          // Backpressure: the app blocks on its pipe rather than the daemon buffering without bound.
          stream.pause();
          void Promise.all(full.map((target) => target.drain())).then(() => stream.resume());
        }
      }
      if (this.ctx.hasSubscribers()) {
        this.ctx.publish(event, { id: this.id, name: app.name, lines: lines ?? toLines(complete), offset, at: Date.now() });
      }
    };
    const onData = (chunk: Buffer): void => {
      const complete = splitter.push(chunk);
      if (complete) emit(complete);
    };
    const onEnd = (): void => {
      const rest = splitter.end();
      if (rest) emit(rest);
    };
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', () => undefined); // stays: an error after the launch ended must not throw
    signal.addEventListener(
      'abort',
      () => {
        stream.off('data', onData);
        stream.off('end', onEnd);
        // Whatever a process that escaped its group still writes is read and dropped, so it never blocks on the pipe.
        stream.resume();
      },
      { once: true },
    );
  }

  private noteInspector(text: string): void {
    // Only a plain ws://host:port/uuid: the URL is printed to terminals and handed to debuggers.
    const url = /Debugger listening on (ws:\/\/(?:[\w.-]+|\[[\da-fA-F:.]+\]):\d{1,5}\/[\w-]+)(?:\s|$)/.exec(text)?.[1];
    if (!url) return;
    this.inspectorUrl = url;
    const waiters = this.inspectorWaiters;
    this.inspectorWaiters = [];
    for (const resolve of waiters) resolve(url);
  }

  /** The inspector URL, as soon as the process prints it; null after `timeoutMs`. `next`: not the current one, the next child's. */
  waitForInspector(timeoutMs: number, options: { next?: boolean } = {}): Promise<string | null> {
    if (this.inspectorUrl && !options.next) return Promise.resolve(this.inspectorUrl);
    return new Promise((resolve) => {
      const done = (url: string | null): void => {
        clearTimeout(timer);
        this.inspectorWaiters = this.inspectorWaiters.filter((waiter) => waiter !== onUrl);
        resolve(url);
      };
      const onUrl = (url: string): void => done(url);
      const timer = setTimeout(() => done(null), timeoutMs);
      this.inspectorWaiters.push(onUrl);
    });
  }
}
