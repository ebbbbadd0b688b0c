/**
 * One LogOutputChannel per app ("Corral: <name>"), created when first asked for: filled with the last
 * lines the daemon kept (`recentLogs`), then fed from the event bus. Each stream of each process has an
 * end offset from the backfill; live batches before it are already shown and are dropped, so nothing is
 * duplicated and nothing between the two is lost. stdout lines are logged as info, stderr as error;
 * apps with several instances prefix the instance id.
 */
import * as vscode from 'vscode';
import type { LogEvent } from '../shared/protocol';
import type { DaemonConnection } from './connection';
import type { ProcessStore } from './process-store';

type Stream = 'out' | 'err';

class AppLogChannel implements vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;
  /** `${id}:${stream}` -> the offset live events must reach to be new. */
  private readonly ends = new Map<string, number>();
  /** Live events that arrived while the backfill was on its way. */
  private queued: Array<{ stream: Stream; event: LogEvent }> | undefined = [];
  readonly filled: Promise<void>;

  constructor(
    readonly app: string,
    private readonly connection: DaemonConnection,
    private readonly store: ProcessStore,
    backfillLines: number,
  ) {
    this.channel = vscode.window.createOutputChannel(`Corral: ${app}`, { log: true });
    this.filled = this.backfill(backfillLines);
  }

  private get multiple(): boolean {
    const processes = this.store.byName(this.app);
    return processes.length > 1 || processes[0]?.exec_mode === 'cluster';
  }

  private write(stream: Stream, id: number, lines: string[]): void {
    const prefix = this.multiple ? `[${id}] ` : '';
    for (const line of lines) {
      if (stream === 'err') this.channel.error(prefix + line);
      else this.channel.info(prefix + line);
    }
  }

  private async backfill(lines: number): Promise<void> {
    const processes = this.store.byName(this.app);
    const results = await Promise.all(
      processes.map((process) =>
        this.connection.call('recentLogs', { id: process.id, lines }).then(
          (logs) => ({ id: process.id, logs }),
          () => undefined,
        ),
      ),
    );
    for (const result of results) {
      if (!result) continue;
      this.ends.set(`${result.id}:out`, result.logs.out.end);
      this.ends.set(`${result.id}:err`, result.logs.err.end);
      // The daemon keeps each stream separately: stdout first, then stderr, per instance.
      this.write('out', result.id, result.logs.out.lines);
      this.write('err', result.id, result.logs.err.lines);
    }
    const queued = this.queued ?? [];
    this.queued = undefined;
    for (const { stream, event } of queued) this.live(stream, event);
  }

  /** A live batch for this app: queued during the backfill, dropped when the backfill already had it. */
  live(stream: Stream, event: LogEvent): void {
    if (this.queued) {
      this.queued.push({ stream, event });
      return;
    }
    const key = `${event.id}:${stream}`;
    const end = this.ends.get(key);
    if (end !== undefined && event.offset < end) return;
    this.ends.delete(key);
    this.write(stream, event.id, event.lines);
  }

  dispose(): void {
    this.channel.dispose();
  }
}

export class LogChannels implements vscode.Disposable {
  private readonly channels = new Map<string, AppLogChannel>();
  private readonly disposables: vscode.Disposable[];

  constructor(
    private readonly connection: DaemonConnection,
    private readonly store: ProcessStore,
    private readonly backfillLines: () => number,
  ) {
    this.disposables = [
      connection.on('log:out', (event) => this.channels.get(event.name)?.live('out', event)),
      connection.on('log:err', (event) => this.channels.get(event.name)?.live('err', event)),
      store.onDidDeleteApp((name) => this.close(name)),
    ];
  }

  /** The app's channel, created (and backfilled) on first use. */
  open(app: string): AppLogChannel {
    let channel = this.channels.get(app);
    if (!channel) {
      channel = new AppLogChannel(app, this.connection, this.store, this.backfillLines());
      this.channels.set(app, channel);
    }
    return channel;
  }

  async show(app: string, preserveFocus = true): Promise<vscode.LogOutputChannel> {
    const channel = this.open(app);
    channel.channel.show(preserveFocus);
    await channel.filled;
    return channel.channel;
  }

  has(app: string): boolean {
    return this.channels.has(app);
  }

  private close(app: string): void {
    this.channels.get(app)?.dispose();
    this.channels.delete(app);
  }

  dispose(): void {
    for (const disposable of this.disposables) disposable.dispose();
    for (const channel of this.channels.values()) channel.dispose();
    this.channels.clear();
  }
}
