/**
 * The Corral process view: a thin adapter from the pure tree model to VS Code's TreeItems. It refreshes
 * when the store changes; figure-only changes (metrics ticks) are skipped while the view is hidden.
 * When processes only changed state or figures (no process came or went), just the rows of the changed
 * apps are refreshed: the workbench then asks for those TreeItems alone, not for the whole tree (at
 * 1,000 apps a whole-tree refresh re-sorts and re-describes every row for one status change). For that
 * the nodes keep their identity: the workbench finds a fired element by the object getChildren returned.
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
  contextValue,
  describeProcesses,
  displayState,
  isGroup,
  label,
  tooltip,
  type AppNode,
  type DisplayState,
  type InstanceNode,
  type NamespaceNode,
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
  private readonly changeEmitter = new vscode.EventEmitter<TreeNode | TreeNode[] | undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private readonly parents = new Map<string, TreeNode>();
  /** The root nodes last returned, while the tree's shape is unchanged; undefined: build on the next ask. */
  private roots: Array<NamespaceNode | AppNode> | undefined;
  /** The store's shapeVersion `roots` was built at. */
  private rootsShape = -1;
  /** Namespace and app nodes handed out, by key: a rebuild updates these objects rather than making new ones. */
  private readonly groupNodes = new Map<string, NamespaceNode | AppNode>();
  /** App nodes of `roots` by app name (one per namespace the name is used in). */
  private readonly appNodes = new Map<string, AppNode[]>();
  /** Instance nodes last returned, by key, so that a refresh of one fires the object the workbench holds. */
  private readonly instanceNodes = new Map<string, InstanceNode>();
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
    this.roots = undefined;
    this.changeEmitter.fire(undefined);
  }

  private onStoreChange(change: StoreChange): void {
    if (!change.structure && !this.visible) {
      this.staleFigures = true;
      return;
    }
    if (change.membership || !this.roots) return this.refresh();
    const changed: TreeNode[] = [];
    for (const name of change.apps) {
      for (const app of this.appNodes.get(name) ?? []) {
        if (!this.update(app)) return this.refresh();
        changed.push(app);
        if (isGroup(app)) for (const instance of this.instancesOf(app)) changed.push(instance);
      }
    }
    if (changed.length > 0) this.changeEmitter.fire(changed);
  }

  /** The tree from the store, in the node objects handed out before where their keys remain. */
  private rebuild(): void {
    const built = buildTree(this.store.all());
    const previous = new Map(this.groupNodes);
    this.groupNodes.clear();
    this.appNodes.clear();
    this.parents.clear();
    const keep = <T extends NamespaceNode | AppNode>(fresh: T): T => {
      const old = previous.get(fresh.key);
      const node = old && old.kind === fresh.kind ? (Object.assign(old, fresh) as T) : fresh;
      this.groupNodes.set(node.key, node);
      return node;
    };
    const keepApp = (app: AppNode): AppNode => {
      const node = keep(app);
      const named = this.appNodes.get(node.name);
      if (named) named.push(node);
      else this.appNodes.set(node.name, [node]);
      return node;
    };
    this.roots = built.map((root) => {
      if (root.kind === 'app') return keepApp(root);
      root.apps = root.apps.map(keepApp);
      return keep(root);
    });
    this.rootsShape = this.store.shapeVersion;
    for (const key of this.instanceNodes.keys()) if (!this.store.get(Number(key.slice('id:'.length)))) this.instanceNodes.delete(key);
  }

  /** Points an app node at the store's current objects for its processes; false when they are not all there. */
  private update(app: AppNode): boolean {
    for (let index = 0; index < app.processes.length; index++) {
      const current = this.store.get(app.processes[index]!.id);
      if (!current || current.name !== app.name || current.namespace !== app.namespace) return false;
      app.processes[index] = current;
    }
    return true;
  }

  /** The instance rows of a group app, reusing the node objects handed out before. */
  private instancesOf(app: AppNode): InstanceNode[] {
    return app.processes.map((process) => {
      const key = `id:${process.id}`;
      let instance = this.instanceNodes.get(key);
      if (!instance) this.instanceNodes.set(key, (instance = { kind: 'instance', key, app, process }));
      instance.app = app;
      instance.process = process;
      return instance;
    });
  }

  getChildren(node?: TreeNode): TreeNode[] {
    if (!node) {
      if (!this.roots || this.rootsShape !== this.store.shapeVersion) this.rebuild();
      else if (![...this.appNodes.values()].every((apps) => apps.every((app) => this.update(app)))) this.rebuild();
      return this.roots!;
    }
    const nodes: TreeNode[] = node.kind === 'namespace' ? node.apps : node.kind === 'app' && isGroup(node) ? this.instancesOf(node) : [];
    for (const child of nodes) this.parents.set(child.key, node);
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
