/**
 * Per-app triggers: file watching (chokidar) with PM2's ignore rules and a debounce, editor saves fed
 * into the same debounce, and cron restarts (croner). One set per app, not per instance.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type * as Croner from 'croner';
import type { Cron } from 'croner';
import type { AppConfig } from '../shared/config';
import type { Cause } from './managed-process';
import { createWatchFilter } from './watch-filter';

export interface TriggerOptions {
  /** Paths never to react to: the logs folder, the app's own log files. */
  alwaysIgnored: string[];
  fire(cause: Cause): void;
  log(message: string): void;
}

/** How long start waits for the first scan of the watched tree, so an edit right after is seen. */
const READY_WAIT_MS = 5000;

export class AppTriggers {
  private watcher: FSWatcher | null = null;
  private cron: Cron | null = null;
  private readonly roots: string[];
  private readonly ignored: (file: string) => boolean;
  private readonly pending = new Set<string>();
  /** The version (mtime and size) of each file last acted on: a save reported by both the editor and
   * the watcher, however far apart, is one change. */
  private readonly handled = new Map<string, string>();
  private timer: NodeJS.Timeout | null = null;
  private closed: Promise<void> | null = null;
  readonly ready: Promise<void>;

  constructor(
    private readonly app: AppConfig,
    private readonly options: TriggerOptions,
  ) {
    this.roots = app.watch === true ? [app.cwd] : app.watch === false ? [] : app.watch;
    this.ignored = createWatchFilter({ cwd: app.cwd, ignore: app.ignore_watch, alwaysIgnored: options.alwaysIgnored });
    this.ready = Promise.resolve();
    if (this.roots.length > 0) {
      const watcher = watch(this.roots, {
        ignoreInitial: true,
        ignored: (file: string) => this.ignored(file),
        ...(app.watch_options ?? {}),
      });
      watcher.on('all', (_event, file) => this.schedule([path.resolve(app.cwd, file)]));
      watcher.on('error', (error) => options.log(`${app.name}: watch error: ${(error as Error).message}`));
      this.watcher = watcher;
      this.ready = Promise.race([
        new Promise<void>((resolve) => watcher.once('ready', () => resolve())),
        new Promise<void>((resolve) => setTimeout(resolve, READY_WAIT_MS).unref()),
      ]);
    }
    if (app.cron_restart) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { Cron } = require('croner') as typeof Croner; // only apps with cron_restart need it
      this.cron = new Cron(app.cron_restart, { protect: true, catch: (error) => options.log(`${app.name}: cron: ${String(error)}`) }, () => {
        options.fire({ reason: 'cron', detail: `cron_restart "${app.cron_restart}"` });
      });
    }
  }

  /** A save reported by an editor: true when it concerns this app (watched and not ignored). */
  notifySaved(files: string[]): boolean {
    const relevant = files.filter((file) => this.roots.some((root) => file === root || file.startsWith(`${root}${path.sep}`)) && !this.ignored(file));
    if (relevant.length > 0) this.schedule(relevant);
    return relevant.length > 0;
  }

  private version(file: string): string {
    try {
      const stat = fs.statSync(file);
      return `${stat.mtimeMs}:${stat.size}`;
    } catch {
      return 'gone';
    }
  }

  /** Debounce: one trigger after watch_delay of quiet, naming every file changed meanwhile. */
  private schedule(files: string[]): void {
    if (this.closed) return;
    let fresh = false;
    for (const file of files) {
      if (this.handled.get(file) === this.version(file)) continue; // the app already runs this version
      this.pending.add(file);
      fresh = true;
    }
    if (!fresh) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      const changed = [...this.pending];
      this.pending.clear();
      // The versions the restart loads, read now rather than at the first event: a save seen half
      // written (truncated, not yet filled) must not make its own completion look like a new change.
      for (const file of changed) this.handled.set(file, this.version(file));
      const first = path.relative(this.app.cwd, changed[0]) || changed[0];
      this.options.fire({ reason: 'watch', detail: `changed ${first}${changed.length > 1 ? ` (+${changed.length - 1} more)` : ''}`, files: changed });
    }, this.app.watch_delay);
  }

  /** Idempotent: the same promise every time. */
  close(): Promise<void> {
    if (!this.closed) {
      if (this.timer) clearTimeout(this.timer);
      this.cron?.stop();
      this.closed = this.watcher ? this.watcher.close() : Promise.resolve();
    }
    return this.closed;
  }
}
