/** The extension loaded from the working tree into a real extension host: activation, contributions, commands. */
import * as assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { VERSION } from '../../src/shared/version';

const EXTENSION_ID = 'corral.corral';

function corralExtension(): vscode.Extension<unknown> {
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is not loaded in this extension host`);
  return extension;
}

describe('Corral extension', () => {
  it('activates from the working tree', async () => {
    const extension = corralExtension();
    await extension.activate();
    assert.equal(extension.isActive, true);
  });

  it('runs Corral: Show Version and returns the package version', async () => {
    const version = await vscode.commands.executeCommand<string>('corral.showVersion');
    assert.equal(version, VERSION);
    assert.equal(version, corralExtension().packageJSON.version);
  });

  it('contributes the Corral view container and its process view', async () => {
    // VS Code registers these commands only for a container and view it knows; unknown ones reject.
    await vscode.commands.executeCommand('workbench.view.extension.corral');
    await vscode.commands.executeCommand('corral.processes.focus');
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('corral.showVersion'));
  });

  it('runs with a private CORRAL_HOME, never the real ~/.corral', () => {
    const home = process.env.CORRAL_HOME;
    assert.ok(home, 'CORRAL_HOME is not set in the extension host');
    assert.notEqual(path.resolve(home), path.join(os.homedir(), '.corral'));
  });
});
