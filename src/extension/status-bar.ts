/**
 * `$(pulse) 3 online · 4.2% · 186 MB` in the status bar: the totals of Corral's processes, a warning
 * background and a count when any app is errored, a per-app tooltip; a click focuses the process view.
 */
import * as vscode from 'vscode';
import { formatBytes } from '../shared/units';
import { COMMANDS, FOCUS_PROCESSES_VIEW } from './command-ids';
import type { ConnectionState, DaemonConnection } from './connection';
import type { ProcessStore } from './process-store';
import { appStatus, formatCpu, totals } from './tree-model';

export class CorralStatusBar implements vscode.Disposable {
  readonly item: vscode.StatusBarItem;
  /** Whether the item is shown (the API has no getter for it). */
  shown = false;
  private readonly disposables: vscode.Disposable[];

  constructor(
    private readonly connection: DaemonConnection,
    private readonly store: ProcessStore,
    private readonly enabled: () => boolean,
  ) {
    this.item = vscode.window.createStatusBarItem('corral.status', vscode.StatusBarAlignment.Left, 10);
    this.item.name = 'Corral';
    this.disposables = [store.onDidChange(() => this.update()), connection.onDidChangeState(() => this.update())];
    this.update();
  }

  update(): void {
    this.shown = this.enabled();
    if (!this.shown) {
      this.item.hide();
      return;
    }
    const state: ConnectionState = this.connection.state;
    if (state.kind !== 'connected') {
      this.item.text = state.kind === 'connecting' ? '$(loading~spin) Corral' : '$(debug-disconnect) Corral';
      this.item.tooltip = state.kind === 'connecting' ? 'Corral: connecting to the daemon…' : `Corral: ${state.message}. Click to start the daemon.`;
      this.item.command = state.kind === 'connecting' ? undefined : state.kind === 'incompatible' ? COMMANDS.restartDaemon : COMMANDS.startDaemon;
      this.item.backgroundColor = state.kind === 'incompatible' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
      this.item.show();
      return;
    }
    const sum = totals(this.store.all());
    const parts = [sum.total === 0 ? '$(pulse) Corral' : `$(pulse) ${sum.online} online`];
    if (sum.errored > 0) parts.push(`$(error) ${sum.errored} errored`);
    // Figures only once there are any: "0.0% · 0 B" says nothing.
    if (sum.memory > 0) parts.push(formatCpu(sum.cpu), formatBytes(sum.memory));
    this.item.text = parts.join(' · ');
    this.item.backgroundColor = sum.errored > 0 ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.command = FOCUS_PROCESSES_VIEW;
    this.item.tooltip = this.tooltip();
    this.item.accessibilityInformation = {
      label: `Corral: ${sum.online} online, ${sum.errored} errored, CPU ${formatCpu(sum.cpu)}, memory ${formatBytes(sum.memory)}`,
    };
    this.item.show();
  }

  private tooltip(): vscode.MarkdownString {
    const markdown = new vscode.MarkdownString('', true);
    const names = this.store.appNames();
    if (names.length === 0) {
      markdown.appendMarkdown('**Corral**: no apps yet');
      return markdown;
    }
    markdown.appendMarkdown('**Corral**\n\n| app | status | cpu | memory |\n| --- | --- | ---: | ---: |\n');
    for (const name of names) {
      const processes = this.store.byName(name);
      const sum = totals(processes);
      const status = processes.length > 1 ? `${appStatus(processes)} ${sum.online}/${processes.length}` : appStatus(processes);
      markdown.appendMarkdown(`| ${name.replace(/[|\\`*_]/g, '\\$&')} | ${status} | ${formatCpu(sum.cpu)} | ${formatBytes(sum.memory)} |\n`);
    }
    return markdown;
  }

  dispose(): void {
    for (const disposable of this.disposables) disposable.dispose();
    this.item.dispose();
  }
}
