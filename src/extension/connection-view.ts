/**
 * Shows the daemon link in the process view: the `corral.state` context key picks the welcome content
 * (connecting, "Start Daemon" when disconnected, "Restart Daemon" for another protocol version, the
 * start buttons when empty), the view's description says "disconnected", and its badge counts errored apps;
 * `corral.running` shows Stop All only when something runs.
 */
import * as vscode from 'vscode';
import { COMMANDS } from './command-ids';
import type { ConnectionState, DaemonConnection } from './connection';
import type { ProcessStore } from './process-store';
import { isRunning, type TreeNode } from './tree-model';

export class ConnectionView implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[];
  private warnedAbout: string | undefined;
  private running: boolean | undefined;

  constructor(
    connection: DaemonConnection,
    private readonly store: ProcessStore,
    private readonly view: vscode.TreeView<TreeNode>,
  ) {
    this.disposables = [connection.onDidChangeState((state) => this.show(state)), store.onDidChange(() => this.showBadge())];
    this.show(connection.state);
  }

  private show(state: ConnectionState): void {
    void vscode.commands.executeCommand('setContext', 'corral.state', state.kind);
    this.view.description = state.kind === 'disconnected' ? 'disconnected' : state.kind === 'incompatible' ? 'incompatible daemon' : undefined;
    this.showBadge();
    if (state.kind === 'incompatible' && this.warnedAbout !== state.message) {
      this.warnedAbout = state.message;
      void vscode.window.showWarningMessage(`Corral: ${state.message}`, 'Restart Daemon').then((choice) => {
        if (choice) void vscode.commands.executeCommand(COMMANDS.restartDaemon);
      });
    }
  }

  private showBadge(): void {
    const running = this.store.all().some(isRunning);
    if (running !== this.running) {
      this.running = running;
      void vscode.commands.executeCommand('setContext', 'corral.running', running);
    }
    const errored = new Set(
      this.store
        .all()
        .filter((process) => process.status === 'errored')
        .map((process) => process.name),
    );
    this.view.badge =
      errored.size > 0
        ? { value: errored.size, tooltip: `${errored.size} errored app${errored.size === 1 ? '' : 's'}: ${[...errored].join(', ')}` }
        : undefined;
  }

  dispose(): void {
    for (const disposable of this.disposables) disposable.dispose();
  }
}
