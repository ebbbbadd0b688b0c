/**
 * The Corral process view: a thin adapter from the pure tree model to VS Code's TreeItems. It refreshes
 * when the store changes; figure-only changes (metrics ticks) are skipped while the view is hidden.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { currentPlatform } from '../shared/platform/platform';
import { COMMANDS } from './command-ids';
import type { Problem } from './problem-book';
import type { ProcessStore, StoreChange } from './process-store';
import {
  appDisplayState,
  buildTree,
  children,
  contextValue,
  describeProcesses,
  displayState,
  isGroup,
  label,
  tooltip,
  type AppNode,
  type DisplayState,
  type TreeNode,
} from './tree-model';

const STATUS_ICONS: Record<DisplayState, vscode.ThemeIcon> = {
  unhealthy: new vscode.ThemeIcon('warning', new vscode.ThemeColor('charts.orange')),
  'not-ready': new vscode.ThemeIcon('watch', new vscode.ThemeColor('charts.blue')),
  online: new vscode.ThemeIcon('pass-filled', new vscode.ThemeColor('testing.iconPassed')),
  launching: new vscode.ThemeIcon('loading~spin', new vscode.ThemeColor('charts.blue')),
  stopping: new vscode.ThemeIcon('loading~spin', new vscode.ThemeColor('charts.orange')),
  'waiting-restart': new vscode.ThemeIcon('history', new vscode.ThemeColor('charts.yellow')),
  stopped: new vscode.ThemeIcon('circle-large-outline', new vscode.ThemeColor('disabledForeground')),
  errored: new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground')),
};

export function statusIcon(status: DisplayState): vscode.ThemeIcon {
  return STATUS_ICONS[status];
}

/** What the tooltips show of the Problems (src/extension/problems.ts). */
export interface LastErrors {
  last(app: string): Problem | undefined;
  readonly onDidChange: vscode.Event<void>;
}

export class ProcessTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private readonly parents = new Map<string, TreeNode>();
  private visible = true;
  private staleFigures = false;
  private readonly subscription: vscode.Disposable;
  private readonly problemsSubscription: vscode.Disposable | undefined;

  constructor(
    private readonly store: ProcessStore,
    private readonly problems?: LastErrors,
  ) {
    this.subscription = store.onDidChange((change) => this.onStoreChange(change));
    this.problemsSubscription = problems?.onDidChange(() => this.refresh());
  }

  /** The view tells us when it is shown: figures are refreshed only then. */
  setVisible(visible: boolean): void {
    this.visible = visible;
    if (visible && this.staleFigures) this.refresh();
  }

  refresh(): void {
    this.staleFigures = false;
    this.changeEmitter.fire(undefined);
  }

  private onStoreChange(change: StoreChange): void {
    if (!change.structure && !this.visible) {
      this.staleFigures = true;
      return;
    }
    this.refresh();
  }

  getChildren(node?: TreeNode): TreeNode[] {
    const nodes = node ? children(node) : buildTree(this.store.all());
    if (!node) this.parents.clear();
    for (const child of nodes) {
      if (node) this.parents.set(child.key, node);
    }
    return nodes;
  }

  getParent(node: TreeNode): TreeNode | undefined {
    return this.parents.get(node.key);
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    const now = Date.now();
    if (node.kind === 'namespace') {
      const item = new vscode.TreeItem(label(node), vscode.TreeItemCollapsibleState.Expanded);
      item.id = node.key;
      item.iconPath = new vscode.ThemeIcon('symbol-namespace');
      item.description = `${node.apps.length} app${node.apps.length === 1 ? '' : 's'}`;
      item.contextValue = contextValue(node, currentPlatform());
      return item;
    }
    const processes = node.kind === 'app' ? node.processes : [node.process];
    const group = node.kind === 'app' && isGroup(node);
    const item = new vscode.TreeItem(label(node), group ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.id = node.key;
    item.iconPath = statusIcon(node.kind === 'app' ? appDisplayState(processes) : displayState(node.process));
    item.description = describeProcesses(processes, now);
    const markdown = new vscode.MarkdownString(tooltip(node, now, currentPlatform()));
    markdown.supportThemeIcons = false;
    const problem = this.problems?.last(node.kind === 'app' ? node.name : node.app.name);
    if (problem) {
      // A file link with #L<line>,<column>: the workbench's opener puts the cursor there.
      const link = vscode.Uri.file(problem.place.file).with({ fragment: `L${problem.place.line},${problem.place.column}` });
      markdown.appendMarkdown('\n\n**last error** ').appendText(problem.message);
      markdown.appendMarkdown(` · [${path.basename(problem.place.file)}:${problem.place.line}](${link.toString()})`);
    }
    item.tooltip = markdown;
    item.contextValue = contextValue(node, currentPlatform());
    if (!group) item.command = { command: COMMANDS.showLogs, title: 'Show Logs', arguments: [node] };
    item.accessibilityInformation = { label: `${label(node)}, ${describeProcesses(processes, now)}` };
    return item;
  }

  /** The app node of a name in the current tree (for reveal). */
  findApp(name: string): AppNode | undefined {
    for (const node of buildTree(this.store.all())) {
      if (node.kind === 'app' && node.name === name) return node;
      if (node.kind === 'namespace') {
        const app = node.apps.find((candidate) => candidate.name === name);
        if (app) return app;
      }
    }
    return undefined;
  }

  dispose(): void {
    this.subscription.dispose();
    this.problemsSubscription?.dispose();
    this.changeEmitter.dispose();
  }
}
