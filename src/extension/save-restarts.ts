/**
 * Restarts tied to saves. "watched" (default): a save inside a watched app's paths goes to the daemon's
 * `notifyFileSaved`, which feeds its own debounced watch path (ignore_watch applies; cluster apps reload).
 * The daemon merges a save with its watcher's event for the same write only when both arrive within one
 * watch_delay (100 ms), and an editor's report can come later than that on a busy machine, so the save is
 * reported only when the daemon's watcher has not restarted the app for that file shortly after: one save,
 * one restart, and still a restart where file watching misses changes (network and container mounts).
 * "always": apps that do not watch are restarted too when the file is inside their cwd. "off": nothing.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ProcessInfo } from '../shared/protocol';
import type { DaemonConnection } from './connection';
import type { ProcessStore } from './process-store';
import type { RestartOnSave } from './settings';

/** How long the daemon's own watcher gets to react to a saved file before the editor reports the save. */
export const WATCHER_GRACE_MS = 500;

const inside = (file: string, root: string): boolean => file === root || file.startsWith(root.endsWith(path.sep) ? root : `${root}${path.sep}`);

/** Folders a save never restarts anything for (the daemon applies each app's ignore_watch on top). */
function alwaysIgnored(file: string, cwd: string): boolean {
  const segments = path.relative(cwd, file).split(path.sep);
  return segments.some((segment) => segment === 'node_modules' || segment.startsWith('.'));
}

export function watchedRoots(process: ProcessInfo): string[] {
  return process.watch === true ? [process.cwd] : process.watch === false ? [] : process.watch;
}

/** Apps (by name) for the daemon's watch path, and apps without watch that "always" restarts. */
export function appsForSave(file: string, processes: ProcessInfo[], mode: RestartOnSave, logsDir: string): { watched: boolean; restart: string[] } {
  if (mode === 'off' || inside(file, logsDir)) return { watched: false, restart: [] };
  let watched = false;
  const restart = new Set<string>();
  for (const process of processes) {
    if (process.status === 'stopped' || process.status === 'stopping') continue;
    if (watchedRoots(process).some((root) => inside(file, root))) watched = true;
    else if (mode === 'always' && process.watch === false && inside(file, process.cwd) && !alwaysIgnored(file, process.cwd)) restart.add(process.name);
  }
  return { watched, restart: [...restart] };
}

export class SaveRestarts implements vscode.Disposable {
  private readonly subscription: vscode.Disposable;
  private readonly pending = new Map<NodeJS.Timeout, vscode.Disposable>();

  constructor(
    private readonly connection: DaemonConnection,
    private readonly store: ProcessStore,
    private readonly mode: () => RestartOnSave,
    private readonly logsDir: () => string,
    private readonly onError: (error: unknown) => void,
  ) {
    this.subscription = vscode.workspace.onDidSaveTextDocument((document) => void this.saved(document));
  }

  private async saved(document: vscode.TextDocument): Promise<void> {
    if (document.uri.scheme !== 'file' || this.connection.state.kind !== 'connected') return;
    const file = document.uri.fsPath;
    const { watched, restart } = appsForSave(file, this.store.all(), this.mode(), this.logsDir());
    try {
      if (watched) this.reportUnlessWatcherSaw(file);
      for (const name of restart) {
        const cluster = this.store.byName(name)[0]?.exec_mode === 'cluster';
        await this.connection.call(cluster ? 'reload' : 'restart', { targets: [name] }, 120_000);
      }
    } catch (error) {
      this.onError(error);
    }
  }

  private reportUnlessWatcherSaw(file: string): void {
    let seen = false;
    const listener = this.connection.on('process:event', (event) => {
      if (event.reason === 'watch' && event.files?.includes(file)) seen = true;
    });
    const timer = setTimeout(() => {
      this.pending.delete(timer);
      listener.dispose();
      if (seen || this.connection.state.kind !== 'connected') return;
      this.connection.call('notifyFileSaved', { paths: [file] }).catch((error: unknown) => this.onError(error));
    }, WATCHER_GRACE_MS);
    this.pending.set(timer, listener);
  }

  dispose(): void {
    this.subscription.dispose();
    for (const [timer, listener] of this.pending) {
      clearTimeout(timer);
      listener.dispose();
    }
    this.pending.clear();
  }
}
