/**
 * Tells the user when an app goes errored (or, with `corral.notifications: "crashes"`, on every crash),
 * with Show Logs and Restart. One notification per app at a time, so a crash loop cannot flood the window.
 */
import * as vscode from 'vscode';
import type { ProcessEvent } from '../shared/protocol';
import { COMMANDS } from './command-ids';
import type { CrashNotifications } from './settings';
import type { ProcessStore } from './process-store';

export interface CrashNotice {
  app: string;
  message: string;
}

export class CrashNotifier implements vscode.Disposable {
  private readonly open = new Set<string>();
  private readonly subscription: vscode.Disposable;
  private readonly emitter = new vscode.EventEmitter<CrashNotice>();
  /** Each notification as it is shown. */
  readonly onDidNotify = this.emitter.event;

  constructor(
    store: ProcessStore,
    private readonly mode: () => CrashNotifications,
  ) {
    this.subscription = store.onDidChangeState(({ event }) => this.consider(event));
  }

  private consider(event: ProcessEvent): void {
    const mode = this.mode();
    if (mode === 'off') return;
    const errored = event.status === 'errored';
    const crashed = event.reason === 'crash';
    if (!errored && !(mode === 'crashes' && crashed)) return;
    if (this.open.has(event.name)) return;
    const message = errored
      ? `Corral: "${event.name}" is errored${event.detail ? `: ${event.detail}` : ''}.`
      : `Corral: "${event.name}" crashed${event.detail ? ` (${event.detail})` : ''} and is being restarted.`;
    this.open.add(event.name);
    this.emitter.fire({ app: event.name, message });
    const show = errored ? vscode.window.showErrorMessage : vscode.window.showWarningMessage;
    void show(message, 'Show Logs', 'Restart').then(
      (choice) => {
        this.open.delete(event.name);
        if (choice === 'Show Logs') void vscode.commands.executeCommand(COMMANDS.showLogs, event.name);
        else if (choice === 'Restart') void vscode.commands.executeCommand(COMMANDS.restart, event.name);
      },
      () => this.open.delete(event.name),
    );
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
  }
}
