import * as assert from 'node:assert/strict';
import { fixture, TestHome, until } from '../support/harness';

async function targets(host: string, port: number): Promise<Array<{ webSocketDebuggerUrl: string; type: string }>> {
  return (await fetch(`http://${host}:${port}/json/list`)).json() as Promise<Array<{ webSocketDebuggerUrl: string; type: string }>>;
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

  it('restarts one instance with --inspect when SIGUSR1 is the app\'s own signal; works for a cluster worker', async function () {
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
});
