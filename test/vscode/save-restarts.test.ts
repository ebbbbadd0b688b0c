/** A save in the editor restarts a watched app exactly once (the daemon merges it with its own watcher); an ignored file does not. */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension/api';
import type { ProcessEvent } from '../../src/shared/protocol';
import { cliOk, corral, deleteAll, setSetting, treeRows, waitFor, workspaceFolder } from './support';

async function editAndSave(file: string): Promise<void> {
  const document = await vscode.workspace.openTextDocument(file);
  const edit = new vscode.WorkspaceEdit();
  edit.insert(document.uri, new vscode.Position(document.lineCount, 0), `// saved at ${Date.now()}\n`);
  assert.ok(await vscode.workspace.applyEdit(edit));
  assert.ok(await document.save());
}

describe('restarts on save', function () {
  let api: ExtensionApi;
  let events: ProcessEvent[];
  let subscription: vscode.Disposable | undefined;

  before(async () => {
    api = await corral();
  });

  beforeEach(() => {
    events = [];
    subscription = api.connection.on('process:event', (event) => events.push(event));
  });

  afterEach(async () => {
    subscription?.dispose();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await deleteAll(api);
  });

  it('restarts a watched app exactly once per save, and not for a file in ignore_watch', async function () {
    this.timeout(60_000);
    const dir = workspaceFolder('watched', { 'app.js': 'fixture:idle.js', 'ignored/note.js': '// not watched\n' });
    await cliOk(['start', path.join(dir, 'app.js'), '--name', 'watched', '--watch', '--ignore-watch', 'ignored', '--cwd', dir]);
    await waitFor('watched online in the store', () => api.store.byName('watched')[0]?.status === 'online');

    await editAndSave(path.join(dir, 'app.js'));
    await waitFor('a watch restart', () => events.some((event) => event.name === 'watched' && event.reason === 'watch'), 10_000);
    // Both the editor's report and chokidar's event fall in one debounce: wait well past it for a second restart.
    await waitFor('the app online again', () => api.store.byName('watched')[0]?.status === 'online');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const restarts = events.filter((event) => event.name === 'watched' && event.reason === 'watch' && event.status === 'launching');
    assert.equal(restarts.length, 1, `restarts: ${JSON.stringify(restarts)}`);
    // Every event of the app in the message: a second relaunch for another reason (an exit) shows here.
    const story = (): string =>
      JSON.stringify(
        events
          .filter((event) => event.name === 'watched')
          .map(({ status, reason, detail, exit_code, restarts }) => ({ status, reason, detail, exit_code, restarts })),
      );
    assert.equal(api.store.byName('watched')[0].restarts, 1, `events of watched: ${story()}`);
    assert.deepEqual(restarts[0].files, [path.join(dir, 'app.js')]);
    // The tree names the file that caused it.
    assert.ok(
      treeRows(api)
        .find((row) => row.label === 'watched')
        ?.description.includes('app.js'),
    );

    events.length = 0;
    await editAndSave(path.join(dir, 'ignored', 'note.js'));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.deepEqual(
      events.filter((event) => event.name === 'watched'),
      [],
    );
    assert.equal(api.store.byName('watched')[0].restarts, 1);
  });

  it('reports the save to the daemon when its own watcher misses the change (one restart, from the editor)', async function () {
    this.timeout(60_000);
    // Polling every ten minutes stands for a mount where file events never arrive.
    const dir = workspaceFolder('blind', {
      'app.js': 'fixture:idle.js',
      'ecosystem.config.json': JSON.stringify({
        apps: [{ name: 'blind', script: './app.js', watch: true, watch_options: { usePolling: true, interval: 600_000, binaryInterval: 600_000 } }],
      }),
    });
    await cliOk(['start', path.join(dir, 'ecosystem.config.json')]);
    await waitFor('blind online in the store', () => api.store.byName('blind')[0]?.status === 'online');

    await editAndSave(path.join(dir, 'app.js'));
    await waitFor('the restart the save asked for', () => events.some((event) => event.name === 'blind' && event.reason === 'watch'), 10_000);
    await waitFor('the app online again', () => api.store.byName('blind')[0]?.status === 'online' && api.store.byName('blind')[0].restarts === 1);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(events.filter((event) => event.name === 'blind' && event.reason === 'watch' && event.status === 'launching').length, 1);
  });

  it('with corral.restartOnSave "always", also restarts an app without watch whose folder holds the file', async function () {
    this.timeout(60_000);
    const dir = workspaceFolder('unwatched', { 'app.js': 'fixture:idle.js', 'lib.js': 'module.exports = 1;\n' });
    await cliOk(['start', path.join(dir, 'app.js'), '--name', 'unwatched', '--cwd', dir]);
    await waitFor('unwatched online in the store', () => api.store.byName('unwatched')[0]?.status === 'online');
    await setSetting('restartOnSave', 'off');
    try {
      await editAndSave(path.join(dir, 'lib.js'));
      await new Promise((resolve) => setTimeout(resolve, 1000));
      assert.equal(api.store.byName('unwatched')[0].restarts, 0);
      await setSetting('restartOnSave', 'always');
      await editAndSave(path.join(dir, 'lib.js'));
      await waitFor('one restart', () => api.store.byName('unwatched')[0]?.restarts === 1 && api.store.byName('unwatched')[0].status === 'online', 10_000);
    } finally {
      await setSetting('restartOnSave', undefined);
    }
  });
});
