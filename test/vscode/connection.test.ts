/** The daemon killed from outside: the view says so, and fills again after "Start Daemon" or a CLI command. */
import * as assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension/api';
import { cliOk, corral, deleteAll, fixture, setSetting, treeRows, waitFor } from './support';

function daemonPid(api: ExtensionApi): number {
  const state = api.connection.state;
  assert.equal(state.kind, 'connected');
  return state.kind === 'connected' ? state.daemon.pid : 0;
}

describe('daemon connection', function () {
  let api: ExtensionApi;

  before(async () => {
    api = await corral();
  });

  after(async () => {
    // Leave a daemon for the suites after this one.
    await vscode.commands.executeCommand('corral.startDaemon');
    await deleteAll(await corral());
  });

  async function killDaemon(): Promise<void> {
    process.kill(daemonPid(api), 'SIGKILL');
    await waitFor('the disconnected state', () => api.connection.state.kind === 'disconnected', 10_000);
    assert.equal(api.view.description, 'disconnected');
    assert.deepEqual(api.tree.getChildren(), []);
    assert.match(api.statusBar.item.text, /debug-disconnect/);
  }

  it('shows the daemon gone, and the list again after "Start Daemon"', async function () {
    this.timeout(60_000);
    await cliOk(['start', fixture('idle.js'), '--name', 'survivor']);
    await waitFor('survivor in the tree', () => treeRows(api).some((row) => row.label === 'survivor'));
    // The daemon autosaves its list a moment after a change; a kill right after a start could beat it.
    await cliOk(['save']);
    const before = daemonPid(api);
    await killDaemon();

    await vscode.commands.executeCommand('corral.startDaemon');
    assert.equal(api.connection.state.kind, 'connected');
    assert.notEqual(daemonPid(api), before);
    // The new daemon brings back the list the killed one left (an unclean end).
    await waitFor('survivor back in the tree', () => treeRows(api).some((row) => row.label === 'survivor'), 15_000);
    assert.equal(api.view.description, undefined);
  });

  it('"Kill Daemon" stops every app and the daemon; the view offers "Start Daemon", which starts an empty one', async function () {
    this.timeout(60_000);
    await vscode.commands.executeCommand('corral.killDaemon', true);
    await waitFor('the disconnected state', () => api.connection.state.kind === 'disconnected', 10_000);
    assert.deepEqual(api.tree.getChildren(), []);
    await vscode.commands.executeCommand('corral.startDaemon');
    assert.equal(api.connection.state.kind, 'connected');
    await api.store.reload();
    // A kill is a clean end: nothing comes back until "Resurrect".
    assert.deepEqual(api.store.all(), []);
    await vscode.commands.executeCommand('corral.resurrect');
    await waitFor('survivor resurrected', () => treeRows(api).some((row) => row.label === 'survivor'), 15_000);
  });

  it('"Restart Daemon" replaces the daemon through its own kill and brings the list back (no signal to a pid from a file)', async function () {
    this.timeout(60_000);
    await waitFor('survivor in the tree', () => treeRows(api).some((row) => row.label === 'survivor'), 15_000);
    const before = daemonPid(api);
    await vscode.commands.executeCommand('corral.restartDaemon');
    assert.equal(api.connection.state.kind, 'connected');
    assert.notEqual(daemonPid(api), before);
    await waitFor(
      'survivor online under the new daemon',
      () => api.store.all().some((process) => process.name === 'survivor' && process.status === 'online'),
      15_000,
    );
  });

  it('reattaches by itself when the CLI starts the daemon', async function () {
    this.timeout(60_000);
    await killDaemon();
    await cliOk(['ping']);
    await waitFor('the extension to reattach', () => api.connection.state.kind === 'connected', 5_000);
    await waitFor('survivor back in the tree', () => treeRows(api).some((row) => row.label === 'survivor'), 15_000);
  });

  it('names corral.nodePath (with ~ expanded) when it does not exist, instead of a failed spawn', async function () {
    this.timeout(60_000);
    await killDaemon();
    try {
      await setSetting('nodePath', '~/no-such-node/bin/node');
      await vscode.commands.executeCommand('corral.startDaemon');
      const state = api.connection.state;
      assert.equal(state.kind, 'disconnected');
      const expanded = path.join(os.homedir(), 'no-such-node', 'bin', 'node');
      assert.equal(state.kind === 'disconnected' && state.message, `the corral.nodePath setting "${expanded}" does not exist or is not a file`);
    } finally {
      await setSetting('nodePath', undefined);
    }
    await vscode.commands.executeCommand('corral.startDaemon');
    assert.equal(api.connection.state.kind, 'connected');
  });
});
