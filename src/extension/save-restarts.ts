/**
 * Restarts tied to saves. "watched" (default): a save inside a watched app's paths goes to the daemon's
 * `notifyFileSaved`, which feeds its own debounced watch path (ignore_watch applies; cluster apps reload).
 * The daemon merges a save with its watcher's event for the same write only when both arrive within one
 * watch_delay (100 ms), and an editor's report can come later than that on a busy machine, so the save is
 * reported only when the daemon's watcher has not restarted the app for that file shortly after: one save,
 * one restart, and still a restart where file watching misses changes (network and container mounts).
 * "always": apps that do not watch are restarted too when the file is inside their cwd. "off": nothing.
 */
import * as vscode from 'vscode';
import { samePath } from '../shared/platform/paths';
import { currentPlatform } from '../shared/platform/platform';
import type { DaemonConnection } from './connection';
import type { ProcessStore } from './process-store';
import { appsForSave, type RestartOnSave } from './save-targets';

/** How long the daemon's own watcher gets to react to a saved file before the editor reports the save. */
export const WATCHER_GRACE_MS = 500;

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
    const { watched, restart } = appsForSave(file, this.store.all(), this.mode(), this.logsDir(), currentPlatform());
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
      // The watcher names the file as the daemon sees it, which on Windows may differ from fsPath in case.
      if (event.reason === 'watch' && event.files?.some((changed) => samePath(changed, file, currentPlatform()))) seen = true;
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
