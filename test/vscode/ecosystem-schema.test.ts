/** The ecosystem JSON schema, through VS Code's own JSON language support (jsonValidation). */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { waitFor, workspaceFolder } from './support';

describe('ecosystem JSON IntelliSense', function () {
  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('flags a mistyped option and a wrong type in ecosystem.config.json, and completes option names', async function () {
    this.timeout(60_000);
    const text = '{\n  "apps": [\n    { "name": "api", "script": "server.js", "instancs": 2, "autorestart": "yes" }\n  ]\n}\n';
    const dir = workspaceFolder('schema', { 'ecosystem.config.json': text });
    const uri = vscode.Uri.file(path.join(dir, 'ecosystem.config.json'));
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document);
    const diagnostics = await waitFor(
      'schema diagnostics',
      () => {
        const found = vscode.languages.getDiagnostics(uri);
        return found.length >= 2 ? found : undefined;
      },
      30_000,
      200,
    );
    const flagged = diagnostics.map((diagnostic) => document.getText(diagnostic.range));
    assert.ok(flagged.includes('"instancs"'), `flagged: ${flagged.join(', ')}`);
    assert.ok(flagged.includes('"yes"'), `flagged: ${flagged.join(', ')}`);

    // Completion inside the app object offers the option names with their descriptions.
    const position = document.positionAt(text.indexOf('"name"'));
    const completions = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', uri, position);
    const labels = completions.items.map((item) => (typeof item.label === 'string' ? item.label : item.label.label));
    for (const option of ['max_memory_restart', 'exec_mode', 'watch'])
      assert.ok(
        labels.some((label) => label.includes(option)),
        `${option} not offered: ${labels.slice(0, 20).join(', ')}`,
      );
  });
});
