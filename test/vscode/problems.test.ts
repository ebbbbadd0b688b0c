/** Crashes as Problems: at the line that threw (through a source map for TypeScript), with quick fixes, cleared by an up-time. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension/api';
import { cliOk, corral, deleteAll, setSetting, waitFor, workspaceFolder } from './support';

const MESSAGE = 'TypeError: process.handler is not a function';

function corralDiagnostics(file: string): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(vscode.Uri.file(file)).filter((diagnostic) => diagnostic.source === 'corral');
}

describe('problems', function () {
  let api: ExtensionApi;

  before(async () => {
    api = await corral();
  });

  afterEach(async () => {
    await setSetting('problems.enabled', undefined);
    await deleteAll(api);
  });

  it('puts a crash at the line that threw, with Restart, Show Logs and Debug, and the last error in the tooltip', async function () {
    this.timeout(90_000);
    const dir = workspaceFolder('problems-js', { 'crash.js': 'fixture:throw-at-line.js' });
    const script = path.join(dir, 'crash.js');
    await cliOk(['start', script, '--name', 'thrower', '--no-autorestart']);
    const [diagnostic] = await waitFor('a diagnostic in crash.js', () => corralDiagnostics(script).length > 0 && corralDiagnostics(script), 30_000, 50);
    assert.equal(diagnostic.message, `thrower crashed: ${MESSAGE}`);
    assert.equal(diagnostic.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(diagnostic.range.start.line, 8, 'line 9 of crash.js');
    assert.equal(diagnostic.range.start.character, 10);

    const id = api.store.byName('thrower')[0].id;
    // Asked of the provider itself: vscode.executeCodeActionProvider answered "Illegal argument" under code-server (not yet understood).
    const opened = await vscode.workspace.openTextDocument(script);
    const context: vscode.CodeActionContext = { diagnostics: [diagnostic], only: undefined, triggerKind: vscode.CodeActionTriggerKind.Invoke };
    const actions = api.problems.provideCodeActions(opened, diagnostic.range, context);
    const fixes = actions.filter((action) => action.diagnostics?.some((candidate) => candidate.source === 'corral'));
    assert.deepEqual(
      fixes.map((action) => [action.title, action.command?.command, action.command?.arguments]),
      [
        ['Restart thrower', 'corral.restart', [id]],
        ['Show Logs of thrower', 'corral.showLogs', ['thrower']],
        ['Debug thrower from the start', 'corral.debugFromStart', [id]],
      ],
    );

    const node = api.tree.findApp('thrower');
    assert.ok(node);
    const tooltip = api.tree.getTreeItem(node).tooltip as vscode.MarkdownString;
    assert.ok(tooltip.value.replace(/&nbsp;/g, ' ').includes(`thrower crashed: ${MESSAGE}`), tooltip.value);
    assert.ok(tooltip.value.includes(`[crash.js:9](${vscode.Uri.file(script).with({ fragment: 'L9,11' }).toString()})`), tooltip.value);

    // Editing the line that threw takes the problem away.
    const document = await vscode.workspace.openTextDocument(script);
    const edit = new vscode.WorkspaceEdit();
    edit.insert(document.uri, new vscode.Position(8, 2), '// ');
    assert.ok(await vscode.workspace.applyEdit(edit));
    await waitFor('the problem to go with the edit', () => corralDiagnostics(script).length === 0, 10_000);
    await vscode.window.showTextDocument(document);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('maps a crash of compiled TypeScript to the .ts file through its source map', async function () {
    this.timeout(90_000);
    const dir = workspaceFolder('problems-ts', { 'src/server.ts': 'fixture:throw-at-line.ts' });
    const source = path.join(dir, 'src', 'server.ts');
    const compiled = path.join(dir, 'dist', 'server.js');
    buildSync({ entryPoints: [source], outfile: compiled, format: 'cjs', platform: 'node', sourcemap: 'linked', logLevel: 'silent' });
    assert.ok(fs.existsSync(`${compiled}.map`));
    await cliOk(['start', compiled, '--name', 'typed', '--no-autorestart']);
    const [diagnostic] = await waitFor('a diagnostic in server.ts', () => corralDiagnostics(source).length > 0 && corralDiagnostics(source), 30_000, 50);
    assert.match(diagnostic.message, /^typed crashed: TypeError: handlers\[request\.path\] is not a function$/);
    assert.equal(diagnostic.range.start.line, 9, 'line 10 of server.ts');
    assert.equal(corralDiagnostics(compiled).length, 0, 'nothing on the compiled file');
  });

  it('clears the problem once a restart has stayed up for min_uptime', async function () {
    this.timeout(90_000);
    const dir = workspaceFolder('problems-restart', { 'crash.js': 'fixture:throw-at-line.js' });
    const script = path.join(dir, 'crash.js');
    const env = { STAY_UP_FILE: path.join(dir, 'stay-up') };
    await cliOk(['start', script, '--name', 'once', '--no-autorestart', '--min-uptime', '300'], { env });
    await waitFor('a diagnostic in crash.js', () => corralDiagnostics(script).length === 1, 30_000, 50);
    await cliOk(['restart', 'once'], { env });
    await waitFor('the problem to clear after the restart stayed up', () => corralDiagnostics(script).length === 0, 30_000, 50);
    assert.equal(api.store.byName('once')[0].status, 'online');
    assert.equal(api.problems.last('once'), undefined);
  });

  it('makes one problem of 20 crashes in a loop, and none once the app is deleted or the setting is off', async function () {
    this.timeout(120_000);
    const dir = workspaceFolder('problems-loop', { 'crash.js': 'fixture:throw-at-line.js' });
    const script = path.join(dir, 'crash.js');
    await cliOk(['start', script, '--name', 'looper', '--max-restarts', '25', '--min-uptime', '60000']);
    await waitFor('20 restarts', () => (api.store.byName('looper')[0]?.restarts ?? 0) >= 20 || api.store.byName('looper')[0]?.status === 'errored', 90_000, 50);
    await waitFor('a problem counting 20 crashes', () => (api.problems.last('looper')?.count ?? 0) >= 20, 30_000, 50);
    const diagnostics = corralDiagnostics(script);
    assert.equal(diagnostics.length, 1, diagnostics.map((diagnostic) => diagnostic.message).join('\n'));
    assert.equal(diagnostics[0].message, `looper crashed: ${MESSAGE}`);
    assert.match(String(diagnostics[0].code), /^crashed \d+ times$/);
    assert.equal(api.problems.all().length, 1);

    await setSetting('problems.enabled', false);
    await waitFor('no problems with the setting off', () => corralDiagnostics(script).length === 0, 10_000);
    await setSetting('problems.enabled', undefined);

    await deleteAll(api);
    assert.equal(api.problems.last('looper'), undefined);
  });

  it('forgets the problems of a deleted app', async function () {
    this.timeout(90_000);
    const dir = workspaceFolder('problems-delete', { 'crash.js': 'fixture:throw-at-line.js' });
    const script = path.join(dir, 'crash.js');
    await cliOk(['start', script, '--name', 'gone', '--no-autorestart']);
    await waitFor('a diagnostic in crash.js', () => corralDiagnostics(script).length === 1, 30_000, 50);
    await deleteAll(api);
    await waitFor('the problem to go with the app', () => corralDiagnostics(script).length === 0, 10_000);
  });
});
