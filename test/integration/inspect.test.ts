import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CdpSession } from '../support/cdp';
import { fixture, TestHome, until } from '../support/harness';

async function targets(host: string, port: number): Promise<Array<{ webSocketDebuggerUrl: string; type: string }>> {
  return (await fetch(`http://${host}:${port}/json/list`)).json() as Promise<Array<{ webSocketDebuggerUrl: string; type: string }>>;
}

/** Whether the inspector at `url` is still served (its port may be taken by another app's inspector later). */
async function open(url: string): Promise<boolean> {
  const { host } = new URL(url);
  try {
    const targets = (await (await fetch(`http://${host}/json/list`)).json()) as Array<{ webSocketDebuggerUrl: string }>;
    return targets.some((target) => target.webSocketDebuggerUrl === url);
  } catch {
    return false;
  }
}

/** A debugger session (a CDP client over the inspector's WebSocket) that proves it can run code. */
async function attach(url: string): Promise<CdpSession> {
  const session = await CdpSession.connect(url);
  const reply = (await session.call('Runtime.evaluate', { expression: '6 * 7' })) as { result: { value: number } };
  assert.equal(reply.result.value, 42);
  return session;
}

describe('inspect: a debugger can attach to a running app', () => {
  let home: TestHome;
  beforeEach(() => (home = new TestHome()));
  afterEach(() => home.cleanup());

  it('opens the inspector of a running fork app with SIGUSR1, without a restart', async () => {
    await home.ok(['start', fixture('idle.js'), '--name', 'debuggee']);
    const [before] = await home.jlist();
    const client = await home.connect();
    const result = await client.call('inspect', { id: before.id });
    assert.equal(result.restarted, false);
    const [target] = await targets(result.host, result.port);
    assert.equal(target.type, 'node');
    assert.equal(target.webSocketDebuggerUrl, result.url);
    const [after] = await home.jlist();
    assert.equal(after.pid, before.pid, 'same process');
    assert.equal((await client.call('inspect', { id: before.id })).url, result.url, 'asking again gives the same inspector');
  });

  it("restarts one instance with --inspect when SIGUSR1 is the app's own signal; works for a cluster worker", async function () {
    this.timeout(30_000);
    await home.ok(['start', fixture('on-signal.js'), '--name', 'busy-signals', '-i', '2'], { env: { PORT: '0' } });
    const [first, second] = await home.jlist();
    assert.equal(first.exec_mode, 'cluster');
    // Only once the app has installed its own SIGUSR1 handler does the signal stop opening the inspector.
    const fs = await import('node:fs');
    await until(() => fs.existsSync(second.out_log) && fs.readFileSync(second.out_log, 'utf8').includes('waiting for signals'), 'the app to be up');
    const client = await home.connect();
    const result = await client.call('inspect', { id: second.id });
    assert.equal(result.restarted, true);
    assert.equal(result.host, '127.0.0.1');
    assert.ok((await targets(result.host, result.port)).length >= 1);
    const [firstAfter, secondAfter] = await home.jlist();
    assert.equal(firstAfter.pid, first.pid, 'the other instance is untouched');
    assert.notEqual(secondAfter.pid, second.pid);
    const cli = await home.ok(['inspect', String(second.id)]);
    assert.match(cli.stdout, new RegExp(`port ${result.port}`));
    await assert.rejects(client.call('inspect', { id: 99 }), /no process with id 99/);
  });

  it('refuses a process that is not Node.js', async () => {
    const script = `${home.home}/loop.sh`;
    (await import('node:fs')).writeFileSync(script, 'sleep 30\n');
    await home.ok(['start', script, '--name', 'shell']);
    const result = await home.cli(['inspect', '0']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /is not a Node\.js process \(interpreter bash\)/);
  });

  const daemonLog = (): string => fs.readFileSync(path.join(home.home, 'daemon.log'), 'utf8');

  it('closes the inspector it opened once the debugger detaches; the app keeps running', async function () {
    this.timeout(30_000);
    await home.ok(['start', fixture('idle.js'), '--name', 'debuggee']);
    const [before] = await home.jlist();
    const client = await home.connect();
    const opened = await client.call('inspect', { id: before.id, closeAfterMs: 60_000 });
    const debuggerSession = await attach(opened.url);
    assert.ok(await open(opened.url), 'open while the debugger is attached');
    await debuggerSession.close();
    await until(async () => !(await open(opened.url)), 'the inspector to close after the detach');
    await until(() => /debuggee\[0\] inspector closed \(the debugger detached\)/.test(daemonLog()), 'the report in daemon.log');
    assert.equal(opened.closesAfterMs, 60_000);
    const [after] = await home.jlist();
    assert.equal(after.status, 'online');
    if (!opened.restarted) assert.equal(after.pid, before.pid, 'closed without a restart');
    // It can be opened again, and a new debugger attaches to it.
    const again = await client.call('inspect', { id: before.id });
    assert.equal(again.closesAfterMs, 10 * 60_000, 'the default bound');
    await (await attach(again.url)).close();
    await until(async () => !(await open(again.url)), 'the second inspector to close');
  });

  it('closes an inspector no debugger attached to after the bound; an attached debugger keeps it open past it', async function () {
    this.timeout(30_000);
    await home.ok(['start', fixture('idle.js'), '--name', 'unattended']);
    const [app] = await home.jlist();
    const cli = await home.ok(['inspect', String(app.id), '--close-after', '1s']);
    const url = /ws:\/\/\S+/.exec(cli.stdout)?.[0] as string;
    await until(async () => !(await open(url)), 'the unattended inspector to close', 10_000);
    assert.match(cli.stdout, /it closes when the debugger detaches, or in 1s if none attaches/);
    await until(() => /unattended\[0\] inspector closed \(no debugger attached within 1 s\)/.test(daemonLog()), 'the report in daemon.log');

    const client = await home.connect();
    const opened = await client.call('inspect', { id: app.id, closeAfterMs: 500 });
    const session = await attach(opened.url);
    // Proving that nothing happens takes time: three bounds pass with the debugger attached.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.ok(await open(opened.url), 'still open while attached');
    assert.equal(((await session.call('Runtime.evaluate', { expression: '1 + 1' })) as { result: { value: number } }).result.value, 2);
    await session.close();
    await until(async () => !(await open(opened.url)), 'the inspector to close after the detach');
  });

  it('an instance restarted with --inspect keeps running without it once the bound passes', async function () {
    this.timeout(30_000);
    await home.ok(['start', fixture('on-signal.js'), '--name', 'own-usr1']);
    const [app] = await home.jlist();
    await until(() => fs.existsSync(app.out_log) && fs.readFileSync(app.out_log, 'utf8').includes('waiting for signals'), 'the app to be up');
    const client = await home.connect();
    const opened = await client.call('inspect', { id: app.id, closeAfterMs: 1000 });
    assert.equal(opened.restarted, true);
    const [restarted] = await home.jlist();
    await until(async () => !(await open(opened.url)), 'the inspector to close', 10_000);
    const [after] = await home.jlist();
    assert.equal(after.pid, restarted.pid, 'closed in place, not by another restart');
    assert.equal(after.status, 'online');
  });

  it('an inspector that cannot be closed from outside is closed by a restart of that instance', async function () {
    this.timeout(30_000);
    await home.ok(['start', fixture('keep-inspector.js'), '--name', 'stubborn']);
    const [before] = await home.jlist();
    await until(() => fs.existsSync(before.out_log) && fs.readFileSync(before.out_log, 'utf8').includes('keeping its inspector'), 'the app to be up');
    const events = await home.events();
    const restartedEvent = events.next(
      (event) => event.name === 'stubborn' && event.status === 'online' && event.detail === 'restarted to close its inspector',
      'the restart that closes the inspector',
      20_000,
    );
    const client = await home.connect();
    const opened = await client.call('inspect', { id: before.id, closeAfterMs: 500 });
    const [opening] = await home.jlist();
    const restarted = await restartedEvent;
    assert.notEqual(restarted.pid, opening.pid, 'a new process');
    assert.ok(!(await open(opened.url)), 'the inspector is gone with the old process');
    const [after] = await home.jlist();
    assert.equal(after.pid, restarted.pid);
    assert.equal(after.status, 'online');
    assert.match(daemonLog(), /stubborn\[0\] inspector did not close from outside \(no debugger attached within 500 ms\); restarting the instance without it/);
  });

  it('refuses a bound that is not a sane number of milliseconds', async () => {
    await home.ok(['start', fixture('idle.js'), '--name', 'bounded']);
    const client = await home.connect();
    for (const closeAfterMs of [0, -1, 1.5, 'soon', 25 * 3_600_000]) {
      await assert.rejects(client.call('inspect', { id: 0, closeAfterMs: closeAfterMs as number }), /closeAfterMs must be a whole number/);
    }
    const cli = await home.cli(['inspect', '0', '--close-after', 'later']);
    assert.equal(cli.code, 1);
    assert.match(cli.stderr, /--close-after: expected a duration/);
  });
});
