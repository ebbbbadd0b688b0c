/** VS Code entry: activation only wires things together. The full explorer arrives with its own issue. */
import * as vscode from 'vscode';
import { VERSION } from '../shared/version';
import { ProcessTreeProvider } from './process-tree';

export function activate(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.window.registerTreeDataProvider('corral.processes', new ProcessTreeProvider()),
    vscode.commands.registerCommand('corral.showVersion', () => {
      void vscode.window.showInformationMessage(`Corral ${VERSION}`);
      return VERSION;
    }),
  );
}

export function deactivate(): void {
  // Nothing to release yet: every disposable is in context.subscriptions.
}
