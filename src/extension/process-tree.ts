/**
 * The Corral process view. It stays empty until the explorer issue connects it to the daemon; an empty
 * tree (rather than no provider at all) lets VS Code show the view's welcome text.
 */
import * as vscode from 'vscode';

export class ProcessTreeProvider implements vscode.TreeDataProvider<vscode.TreeItem> {
  getTreeItem(item: vscode.TreeItem): vscode.TreeItem {
    return item;
  }

  getChildren(): vscode.TreeItem[] {
    return [];
  }
}
