/** "Debug": the daemon opens the app's inspector and a `node` attach session stops on the test's breakpoint. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension/api';
import type { ProcessInfo } from '../../src/shared/protocol';
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

describe('debug from start', function () {
  let api: ExtensionApi;

  before(async () => {
    api = await corral();
  });

  afterEach(async () => {
    await vscode.debug.stopDebugging();
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
    await deleteAll(api);
  });

  interface Stop {
    session: vscode.DebugSession;
    threadId: number;
  }

  /** The first `stopped` event with reason "breakpoint" any debug adapter sends, and the session it came from. */
  function nextBreakpointStop(): { stopped: Promise<Stop>; dispose(): void } {
    let resolveStop!: (stop: Stop) => void;
    const stopped = new Promise<Stop>((resolve) => (resolveStop = resolve));
    const tracker = vscode.debug.registerDebugAdapterTrackerFactory('*', {
      createDebugAdapterTracker: (session) => ({
        onDidSendMessage: (message: { type?: string; event?: string; body?: { reason?: string; threadId?: number } }) => {
          if (message.type === 'event' && message.event === 'stopped' && message.body?.reason === 'breakpoint')
            resolveStop({ session, threadId: message.body.threadId ?? 0 });
        },
      }),
    });
    return { stopped, dispose: () => tracker.dispose() };
  }

  /** Whether an inspector answers on 127.0.0.1:port. */
  async function inspectorAnswers(port: number): Promise<boolean> {
    try {
      return (await fetch(`http://127.0.0.1:${port}/json/list`)).ok;
    } catch {
      return false;
    }
  }

  /**
   * Debug from Start on one instance with a breakpoint on the first line of the app: the session stops
   * there, the stack shows that line; after the session the inspector is gone and the app runs on.
   */
  async function debugFirstLine(name: string, argument: (process: ProcessInfo) => unknown): Promise<void> {
    const file = fixture('debug-from-start.js');
    const [process] = api.store.byName(name).slice(-1);
    // The store updates its entries in place: keep what was true before.
    const { id, pid: before, out_log: outLog } = process;
    vscode.debug.addBreakpoints([new vscode.SourceBreakpoint(new vscode.Location(vscode.Uri.file(file), new vscode.Position(0, 0)))]);
    const watch = nextBreakpointStop();
    try {
      const session = await vscode.commands.executeCommand<vscode.DebugSession | undefined>('corral.debugFromStart', argument(process));
      assert.ok(session, 'Debug from Start returns the attach session');
      assert.equal(session.configuration.request, 'attach');
      const port = session.configuration.port as number;
      const stop = await Promise.race([
        watch.stopped,
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the breakpoint on line 1 was not hit within 60 s')), 60_000)),
      ]);
      const trace = (await stop.session.customRequest('stackTrace', { threadId: stop.threadId })) as {
        stackFrames: Array<{ line: number; source?: { path?: string } }>;
      };
      const [top] = trace.stackFrames;
      // Under code-server the adapter names the file by its vscode-remote:// URI.
      const where = top.source?.path ?? '';
      assert.equal(/^[\w-]+:\/\//.test(where) ? vscode.Uri.parse(where).fsPath : where, file, 'stopped in the fixture');
      assert.equal(top.line, 1, 'on its first line');
      // Restarted for the debugger: a new pid.
      const held = await waitFor('the held instance in the tree', () => api.store.get(id)?.pid !== before && api.store.get(id)?.pid, 15_000, 50);

      await vscode.debug.stopDebugging(session);
      await waitFor('the inspector to close', async () => !(await inspectorAnswers(port)), 30_000, 100);
      await waitFor('the app to run on without the debugger', () => fs.readFileSync(outLog, 'utf8').includes(`started ${held}\n`), 20_000, 50);
      const after = api.store.get(id);
      assert.equal(after?.pid, held, 'the same process, running on');
      assert.equal(after?.status, 'online');
    } finally {
      watch.dispose();
    }
  }

  it('a fork app: stops on a breakpoint on its first line; the inspector closes with the session, the app runs on', async function () {
    this.timeout(150_000);
    if (!vscode.extensions.getExtension('ms-vscode.js-debug')) this.skip();
    await cliOk(['start', fixture('debug-from-start.js'), '--name', 'early']);
    await waitFor('early online in the tree', () => api.store.byName('early')[0]?.status === 'online', 15_000, 50);
    // The argument another part of the extension (a crash's quick fix) passes: a process id.
    await debugFirstLine('early', (process) => process.id);
  });

  it('a cluster instance from its tree item: stops on the first line of the app, past the container', async function () {
    this.timeout(150_000);
    if (!vscode.extensions.getExtension('ms-vscode.js-debug')) this.skip();
    await cliOk(['start', fixture('debug-from-start.js'), '--name', 'workers', '-i', '2']);
    await waitFor(
      'both workers online in the tree',
      () => api.store.byName('workers').filter((process) => process.status === 'online').length === 2,
      20_000,
      50,
    );
    await debugFirstLine('workers', (process) => {
      const app = api.tree.getChildren().find((node) => node.kind === 'app' && node.name === 'workers');
      const item = app && api.tree.getChildren(app).find((node) => node.kind === 'instance' && node.process.id === process.id);
      assert.ok(item, 'the tree has a row for the instance');
      return item;
    });
  });
});
