/**
 * VS Code entry: activation only wires the parts together and returns at once; the daemon connection
 * (attach, or start the bundled daemon) runs in the background and the view follows its state.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ExtensionApi } from './api';
import { CorralCodeLensProvider } from './code-lens';
import { PROCESSES_VIEW } from './command-ids';
import { registerCommands, reportError } from './commands';
import { bundledDaemonScript, DaemonConnection } from './connection';
import { CrashNotifier } from './crash-notifier';
import { EntryIndex } from './entry-index';
import { LogChannels } from './log-channels';
import { registerLanguageModelTools } from './lm-tools';
import { registerMcpServers } from './mcp-provider';
import { Problems } from './problems';
import { ProcessStore } from './process-store';
import { ProcessTreeProvider } from './process-tree';
import { Prompts } from './prompts';
import { SaveRestarts } from './save-restarts';
import { onDidChangeSetting, settings } from './settings';
import { Starter } from './starter';
import { CorralStatusBar } from './status-bar';
import { ConnectionView } from './connection-view';

let connection: DaemonConnection | undefined;

export function activate(context: vscode.ExtensionContext): ExtensionApi {
  const started = performance.now();
  connection = new DaemonConnection({ home: settings.home, nodePath: settings.nodePath, daemonScript: bundledDaemonScript(context.extensionPath) });
  const store = new ProcessStore(connection);
  const problems = new Problems(connection, store, settings.problemsEnabled);
  const tree = new ProcessTreeProvider(store, problems);
  const view = vscode.window.createTreeView(PROCESSES_VIEW, { treeDataProvider: tree, showCollapseAll: true });
  const logs = new LogChannels(connection, store, settings.backfillLines);
  const index = new EntryIndex();
  const prompts = new Prompts();
  const starter = new Starter(connection);
  const statusBar = new CorralStatusBar(connection, store, settings.statusBarEnabled);
  const lenses = new CorralCodeLensProvider(index, store, { enabled: settings.codeLensEnabled, clusterInstances: settings.clusterInstances });
  const notifier = new CrashNotifier(store, settings.notifications);
  const saves = new SaveRestarts(
    connection,
    store,
    settings.restartOnSave,
    () => path.join(connection!.home, 'logs'),
    (error) => void reportError(error),
  );
  const connectionView = new ConnectionView(connection, store, view);

  context.subscriptions.push(
    connection,
    store,
    tree,
    view,
    view.onDidChangeVisibility((event) => tree.setVisible(event.visible)),
    logs,
    index,
    prompts,
    statusBar,
    lenses,
    vscode.languages.registerCodeLensProvider(
      [
        { scheme: 'file', language: 'javascript' },
        { scheme: 'file', language: 'typescript' },
        { scheme: 'file', language: 'json' },
        { scheme: 'file', language: 'jsonc' },
        { scheme: 'file', language: 'yaml' },
      ],
      lenses,
    ),
    notifier,
    saves,
    connectionView,
    ...registerCommands({ connection, store, tree, logs, index, starter, prompts }),
    onDidChangeSetting(['home'], () => void connection!.reconnect(true).catch((error) => void reportError(error))),
    onDidChangeSetting(['statusBar.enabled'], () => statusBar.update()),
    onDidChangeSetting(['codeLens.enabled', 'cluster.instances'], () => lenses.refresh()),
    problems,
    onDidChangeSetting(['problems.enabled'], () => problems.settingChanged()),
  );
  tree.setVisible(view.visible);
  // Agent mode's tools and the MCP server definition, where this editor has the APIs (1.95+, 1.101+).
  const toolCwd = (): string => vscode.workspace.workspaceFolders?.find((folder) => folder.uri.scheme === 'file')?.uri.fsPath ?? process.cwd();
  context.subscriptions.push(...registerLanguageModelTools(() => ({ daemon: connection!, cwd: toolCwd() })));
  const mcpServers = registerMcpServers(context.extensionPath);
  if (mcpServers) context.subscriptions.push(...mcpServers.disposables);

  // Attach, or start the bundled daemon; a failure is shown in the view, which offers "Start Daemon".
  void connection.connect(true).catch((error: Error) => console.error(`corral: ${error.message}`));

  const activationMs = performance.now() - started;
  return { activationMs, connection, store, tree, view, logs, statusBar, prompts, notifier, index, mcpServers: mcpServers?.provider, problems };
}

export function deactivate(): Promise<void> | undefined {
  return connection?.dispose();
}
