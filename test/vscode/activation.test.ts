/** The extension loaded from the working tree into a real extension host: activation, its cost, contributions. */
import * as assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { COMMANDS } from '../../src/extension/command-ids';
import { VERSION } from '../../src/shared/version';
import { recordMeasurement } from '../support/measure';
import { corral, corralExtension } from './support';

describe('Corral extension', () => {
  it('activates, then attaches to (or starts) the daemon', async () => {
    const extension = corralExtension();
    assert.equal(extension.isActive, false, 'nothing should have activated Corral before this test (empty workspace, view closed)');
    const started = performance.now();
    const api = await extension.activate();
    const total = performance.now() - started;
    assert.equal(extension.isActive, true);
    // activate() itself, and the whole activation as the host sees it (loading the bundle included).
    // Timings go to the benchmark (npm run bench), not into assertions.
    console.log(`      activate(): ${api.activationMs.toFixed(1)} ms; load + activate: ${total.toFixed(1)} ms`);
    recordMeasurement('extActivate', api.activationMs);
    recordMeasurement('extLoadActivate', total);
    await corral();
    assert.equal(api.connection.state.kind, 'connected');
  });

  it('runs Corral: Show Version and returns the package version', async () => {
    const version = await vscode.commands.executeCommand<string>('corral.showVersion');
    assert.equal(version, VERSION);
    assert.equal(version, corralExtension().packageJSON.version);
  });

  it('contributes the Corral view container, its process view and the palette commands', async () => {
    // VS Code registers these commands only for a container and view it knows; unknown ones reject.
    await vscode.commands.executeCommand('workbench.view.extension.corral');
    await vscode.commands.executeCommand('corral.processes.focus');
    const commands = new Set(await vscode.commands.getCommands(true));
    for (const id of [
      'start',
      'startEcosystem',
      'stop',
      'restart',
      'reload',
      'delete',
      'showLogs',
      'scale',
      'flushLogs',
      'save',
      'resurrect',
      'killDaemon',
      'startDaemon',
    ]) {
      assert.ok(commands.has(`corral.${id}`), `corral.${id} is not registered`);
    }
    const declared = (corralExtension().packageJSON.contributes.commands as Array<{ command: string; category?: string }>).filter((command) =>
      command.command.startsWith('corral.'),
    );
    assert.ok(declared.every((command) => command.category === 'Corral'));
  });

  it('registers every command of COMMANDS (package.json lists the same ids: test/unit/extension/command-ids.test.ts)', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepEqual(
      Object.values(COMMANDS).filter((id) => !registered.has(id)),
      [],
    );
  });

  it('runs with a private CORRAL_HOME, never the real ~/.corral', async () => {
    const home = process.env.CORRAL_HOME;
    assert.ok(home, 'CORRAL_HOME is not set in the extension host');
    assert.notEqual(path.resolve(home), path.join(os.homedir(), '.corral'));
    const api = await corral();
    assert.equal(api.connection.home, path.resolve(home));
  });
});
