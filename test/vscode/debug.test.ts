/** "Debug": the daemon opens the app's inspector and a `node` attach session stops on the test's breakpoint. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension/api';
import { cliOk, corral, deleteAll, fixture, waitFor } from './support';

describe('debug attach', function () {
  let api: ExtensionApi;

  before(async () => {
    api = await corral();
  });

  afterEach(async () => {
    await vscode.debug.stopDebugging();
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
    await deleteAll(api);
  });

  it('js-debug, which the Debug action needs, is installed in this VS Code', () => {
    assert.ok(vscode.extensions.getExtension('ms-vscode.js-debug'), 'ms-vscode.js-debug is not available: the breakpoint test cannot run');
  });

  it('attaches to a running fork app from its tree item and stops on a breakpoint', async function () {
    this.timeout(90_000);
    if (!vscode.extensions.getExtension('ms-vscode.js-debug')) this.skip();
    const file = fixture('debug-target.js');
    const line = fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .findIndex((text) => text.includes('breakpoint here'));
    await cliOk(['start', file, '--name', 'debuggee']);
    await waitFor(
      'debuggee online in the tree',
      () => api.store.byName('debuggee')[0]?.status === 'online' && api.store.byName('debuggee')[0].pid !== null,
      15_000,
      50,
    );

    const breakpoint = new vscode.SourceBreakpoint(new vscode.Location(vscode.Uri.file(file), new vscode.Position(line, 0)));
    vscode.debug.addBreakpoints([breakpoint]);

    const stopped = new Promise<string>((resolve) => {
      const tracker = vscode.debug.registerDebugAdapterTrackerFactory('*', {
        createDebugAdapterTracker: () => ({
          onDidSendMessage: (message: { type?: string; event?: string; body?: { reason?: string } }) => {
            if (message.type === 'event' && message.event === 'stopped' && message.body?.reason === 'breakpoint') {
              tracker.dispose();
              resolve(message.body?.reason ?? 'unknown');
            }
          },
        }),
      });
    });

    const item = api.tree.getChildren().find((node) => node.kind === 'app' && node.name === 'debuggee');
    assert.ok(item, 'the tree has a row for debuggee');
    const session = await vscode.commands.executeCommand<vscode.DebugSession>('corral.item.debug', item);
    assert.ok(session, 'the Debug action returns the attach session');
    assert.equal(session.name, `Corral: debuggee [${api.store.byName('debuggee')[0].id}]`);
    assert.equal(session.configuration.request, 'attach');

    const reason = await Promise.race([
      stopped,
      new Promise<string>((_, reject) => setTimeout(() => reject(new Error('the breakpoint was not hit within 45 s')), 45_000)),
    ]);
    assert.equal(reason, 'breakpoint');
    const frame = await waitFor(
      'an active stack frame',
      () => vscode.debug.activeStackItem instanceof vscode.DebugStackFrame && vscode.debug.activeStackItem,
      10_000,
      50,
    ).catch(() => undefined);
    // js-debug stops in a child session of the attach session it was given.
    if (frame) assert.ok(frame.session === session || frame.session.parentSession === session, `stopped in session "${frame.session.name}"`);
  });
});
