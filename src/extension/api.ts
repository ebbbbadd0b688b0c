/**
 * What `activate()` returns (`vscode.extensions.getExtension('corral.corral').exports`): the live parts,
 * for other extensions and for the extension-host tests, which observe the real objects rather than
 * replacing any of them.
 */
import type * as vscode from 'vscode';
import type { DaemonConnection } from './connection';
import type { CrashNotifier } from './crash-notifier';
import type { EntryIndex } from './entry-index';
import type { LogChannels } from './log-channels';
import type { CorralMcpServers } from './mcp-provider';
import type { Problems } from './problems';
import type { ProcessStore } from './process-store';
import type { ProcessTreeProvider } from './process-tree';
import type { Prompts } from './prompts';
import type { CorralStatusBar } from './status-bar';
import type { TreeNode } from './tree-model';

export interface ExtensionApi {
  /** Time spent in activate(), in milliseconds. */
  activationMs: number;
  connection: DaemonConnection;
  store: ProcessStore;
  tree: ProcessTreeProvider;
  view: vscode.TreeView<TreeNode>;
  logs: LogChannels;
  statusBar: CorralStatusBar;
  prompts: Prompts;
  notifier: CrashNotifier;
  index: EntryIndex;
  /** The MCP server definition provider; undefined in an editor without the API. */
  mcpServers: CorralMcpServers | undefined;
  problems: Problems;
}
