/**
 * Offers `corral mcp` to VS Code's MCP list (contributes.mcpServerDefinitionProviders), so MCP clients
 * inside the editor get the agent tools without hand-written config. The server is this extension's own
 * CLI bundle, run on the Node that would run the daemon (corral.nodePath, else VS Code's runtime as
 * plain Node), against the window's home.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { VERSION } from '../shared/version';
import { onDidChangeSetting, settings } from './settings';

export const MCP_PROVIDER_ID = 'corral.mcp';

export interface McpServerCommand {
  command: string;
  args: string[];
  env: Record<string, string>;
}

/** The command line of the server: pure, for the definition and for tests that spawn it. */
export function mcpServerCommand(options: { extensionPath: string; home: string; nodePath: string | undefined; electron: boolean }): McpServerCommand {
  return {
    command: options.nodePath ?? process.execPath,
    args: [path.join(options.extensionPath, 'dist', 'cli.js'), 'mcp'],
    // Under the desktop app process.execPath is Electron: this makes it a plain Node (as for the daemon).
    env: { CORRAL_HOME: options.home, ...(options.nodePath === undefined && options.electron ? { ELECTRON_RUN_AS_NODE: '1' } : {}) },
  };
}

export class CorralMcpServers implements vscode.McpServerDefinitionProvider<vscode.McpStdioServerDefinition>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeMcpServerDefinitions = this.changed.event;
  private readonly settingsWatch = onDidChangeSetting(['home', 'nodePath'], () => this.changed.fire());

  constructor(private readonly extensionPath: string) {}

  command(): McpServerCommand {
    return mcpServerCommand({
      extensionPath: this.extensionPath,
      home: settings.home(),
      nodePath: settings.nodePath(),
      electron: process.versions.electron !== undefined,
    });
  }

  provideMcpServerDefinitions(): vscode.McpStdioServerDefinition[] {
    const { command, args, env } = this.command();
    const definition = new vscode.McpStdioServerDefinition('Corral', command, args, env, VERSION);
    // Script-path targets (`server.js`) resolve against the first workspace folder, as the CLI's cwd.
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    if (folder?.scheme === 'file') definition.cwd = folder;
    return [definition];
  }

  dispose(): void {
    this.settingsWatch.dispose();
    this.changed.dispose();
  }
}

/** Registers the provider where the editor has the API; undefined where it has not. */
export function registerMcpServers(extensionPath: string): { provider: CorralMcpServers; disposables: vscode.Disposable[] } | undefined {
  const lm = (vscode as { lm?: Partial<Pick<typeof vscode.lm, 'registerMcpServerDefinitionProvider'>> }).lm;
  if (typeof lm?.registerMcpServerDefinitionProvider !== 'function' || typeof vscode.McpStdioServerDefinition !== 'function') return undefined;
  const provider = new CorralMcpServers(extensionPath);
  return { provider, disposables: [provider, lm.registerMcpServerDefinitionProvider(MCP_PROVIDER_ID, provider)] };
}
