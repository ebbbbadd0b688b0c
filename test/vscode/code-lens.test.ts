/** CodeLenses on an entry file and in an ecosystem file, executed like a click. */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension/api';
import { corral, deleteAll, jlist, setSetting, waitFor, workspaceFolder } from './support';

async function lenses(uri: vscode.Uri): Promise<vscode.CodeLens[]> {
  // The second argument asks VS Code to resolve that many lenses, as the editor does for visible ones.
  return (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 20)) ?? [];
}

const titles = (list: vscode.CodeLens[]): string[] => list.map((lens) => lens.command?.title ?? '');

describe('CodeLens', function () {
  let api: ExtensionApi;

  before(async () => {
    api = await corral();
    await setSetting('cluster.instances', '2');
  });

  after(async () => {
    await setSetting('cluster.instances', undefined);
  });

  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await deleteAll(api);
  });

  it('offers Start and Start with cluster (N) on an entry file; the cluster lens starts N workers, then the lenses offer Reload and Stop', async function () {
    this.timeout(60_000);
    const dir = workspaceFolder('lensapp', { 'server.js': 'fixture:http.js' });
    const uri = vscode.Uri.file(path.join(dir, 'server.js'));
    await vscode.window.showTextDocument(uri);

    const before = await lenses(uri);
    assert.deepEqual(titles(before), ['$(play) Start', '$(server-process) Start with cluster (2)']);

    const cluster = before[1].command!;
    await vscode.commands.executeCommand(cluster.command, ...(cluster.arguments ?? []));
    const processes = (await jlist()).filter((process) => process.name === 'server');
    assert.equal(processes.length, 2);
    assert.ok(processes.every((process) => process.exec_mode === 'cluster' && process.status === 'online'));

    const after = await waitFor('the running lenses', async () => {
      const list = await lenses(uri);
      return titles(list).includes('$(sync) Reload') ? list : undefined;
    });
    assert.deepEqual(titles(after).slice(0, 3), ['$(sync) Reload', '$(debug-stop) Stop', '$(output) Logs']);
    assert.match(titles(after)[3], /^server: online · 2\/2 · /);
  });

  it('offers Start all and a Start per app in an ecosystem file, then Reload/Stop for the running app', async function () {
    this.timeout(60_000);
    const dir = workspaceFolder('eco', {
      'idle.js': 'fixture:idle.js',
      'ecosystem.config.js':
        "module.exports = {\n  apps: [\n    { name: 'eco-idle', script: './idle.js' },\n    { name: 'eco-other', script: './idle.js' },\n  ],\n};\n",
    });
    const uri = vscode.Uri.file(path.join(dir, 'ecosystem.config.js'));
    await vscode.window.showTextDocument(uri);
    const initial = await lenses(uri);
    assert.deepEqual(titles(initial), ['$(run-all) Start all', '$(play) Start', '$(play) Start']);
    assert.equal(initial[1].range.start.line, 2);

    const startOne = initial[1].command!;
    await vscode.commands.executeCommand(startOne.command, ...(startOne.arguments ?? []));
    assert.deepEqual(
      (await jlist()).map((process) => process.name),
      ['eco-idle'],
    );
    const running = await waitFor('lenses for the running app', async () => {
      const list = await lenses(uri);
      return titles(list).includes('$(sync) Reload') ? list : undefined;
    });
    assert.deepEqual(titles(running).slice(0, 4), ['$(run-all) Start all', '$(sync) Reload', '$(debug-stop) Stop', titles(running)[3]]);
    assert.match(titles(running)[3], /^eco-idle: /);
  });

  it('shows nothing on a file that is no entry, and nothing at all when corral.codeLens.enabled is off', async function () {
    const dir = workspaceFolder('plain', { 'util.js': 'module.exports = (a, b) => a + b;\n', 'server.js': 'fixture:http.js' });
    for (const file of ['util.js', 'server.js']) await vscode.workspace.openTextDocument(path.join(dir, file));
    assert.deepEqual(await lenses(vscode.Uri.file(path.join(dir, 'util.js'))), []);
    await setSetting('codeLens.enabled', false);
    try {
      assert.deepEqual(await lenses(vscode.Uri.file(path.join(dir, 'server.js'))), []);
    } finally {
      await setSetting('codeLens.enabled', undefined);
    }
  });
});
