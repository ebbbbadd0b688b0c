/**
 * `corral mcp` from the built CLI against a real daemon: newline-delimited JSON-RPC over its stdin and
 * stdout, written by hand (test/support/mcp-session.ts), as any MCP client would.
 */
import * as assert from 'node:assert/strict';
import { AGENT_TOOLS } from '../../src/client/agent-tools';
import { CLI, fixture, ROOT, TestHome, until } from '../support/harness';
import { McpSession } from '../support/mcp-session';

const SECRET = 'mcp-secret-value-4711';

describe('corral mcp', function () {
  this.timeout(90_000);
  let home: TestHome;
  let session: McpSession | undefined;

  beforeEach(() => (home = new TestHome()));
  afterEach(async () => {
    await session?.close();
    session = undefined;
    await home.cleanup();
  });

  function serve(): McpSession {
    session = new McpSession(process.execPath, [CLI, 'mcp'], { env: { ...process.env, CORRAL_HOME: home.home, NO_COLOR: '1' }, cwd: ROOT });
    return session;
  }

  it('initializes, lists the tools, and answers list, logs, describe and restart', async () => {
    await home.ok(['start', fixture('idle.js'), '--name', 'idle'], { env: { SECRET_TOKEN: SECRET } });
    const [idle] = await home.jlist();
    const mcp = serve();

    const init = await mcp.initialize();
    assert.equal(init.error, undefined);
    assert.equal((init.result!.serverInfo as { name: string }).name, 'corral');
    assert.ok((init.result!.capabilities as Record<string, unknown>).tools);

    const listed = await mcp.request('tools/list');
    const tools = listed.result!.tools as Array<{ name: string; inputSchema: unknown; annotations: { readOnlyHint: boolean } }>;
    assert.deepEqual(
      tools.map((tool) => tool.name),
      AGENT_TOOLS.map((tool) => tool.name),
    );
    assert.equal(tools.find((tool) => tool.name === 'corral_restart')!.annotations.readOnlyHint, false);
    assert.equal(tools.find((tool) => tool.name === 'corral_list')!.annotations.readOnlyHint, true);

    const list = await mcp.toolText('corral_list', {});
    assert.match(list.text, new RegExp(`id ${idle.id}, idle, online, pid ${idle.pid}`));
    assert.equal((list.structured.processes as Array<{ name: string }>)[0].name, 'idle');

    // The fixture prints one line at start; the daemon may still be reading it when the tool first asks.
    const logs = await until(async () => {
      const answer = await mcp.toolText('corral_logs', { target: 'idle', lines: 5, stream: 'out' });
      return answer.text.includes(`idle ${idle.pid}`) && answer;
    }, 'the start line in corral_logs');
    assert.match(logs.text, /idle \(id 0\) stdout: 1 line\n\(that is all the daemon keeps in memory; older output is in .*idle-out\.log\)/);
    assert.doesNotMatch(logs.text, /stderr/);

    const described = await mcp.toolText('corral_describe', { target: 'idle' });
    assert.match(described.text, /SECRET_TOKEN/);
    assert.equal(described.text.includes(SECRET), false, 'an env value reached describe');
    assert.equal(JSON.stringify(described.structured).includes(SECRET), false, 'an env value reached structuredContent');

    const events = await home.events();
    const online = events.status('idle', 'online', 30_000);
    const restarted = await mcp.toolText('corral_restart', { target: 'idle' });
    await online;
    assert.match(restarted.text, /^Restarted 1 process; now:\n- id 0, idle, online, pid \d+/);
    const [after] = await home.jlist();
    assert.notEqual(after.pid, idle.pid);
    assert.equal(after.restarts, idle.restarts + 1);

    // stdout carried protocol only.
    for (const line of mcp.lines) assert.equal(JSON.parse(line).jsonrpc, '2.0');
  });

  it('bad arguments get a tool error naming the argument; an unknown tool and a malformed line do not end the server', async () => {
    await home.ok(['start', fixture('idle.js'), '--name', 'idle']);
    const mcp = serve();
    await mcp.initialize();

    const lines = await mcp.callTool('corral_logs', { target: 'idle', lines: 0 });
    assert.equal(lines.result?.isError, true);
    assert.equal(lines.result?.content[0].text, 'corral_logs: lines must be a whole number from 1 to 500');
    const stream = await mcp.callTool('corral_logs', { target: 'idle', stream: 'both please' });
    assert.match(stream.result!.content[0].text, /^corral_logs: stream must be/);
    const missing = await mcp.callTool('corral_restart', {});
    assert.match(missing.result!.content[0].text, /^corral_restart: target must be/);
    const extra = await mcp.callTool('corral_list', { target: 'idle', colour: 'red' });
    assert.match(extra.result!.content[0].text, /^corral_list: colour: unknown argument/);
    const nobody = await mcp.callTool('corral_stop', { target: 'nobody' });
    assert.equal(nobody.result?.isError, true);
    assert.match(nobody.result!.content[0].text, /no process matches "nobody"/);

    const unknown = await mcp.callTool('corral_frobnicate', {});
    assert.equal(unknown.error?.code, -32602);
    assert.match(unknown.error!.message, /unknown tool "corral_frobnicate"/);

    mcp.writeLine('{"jsonrpc": "2.0", "id": 99, "method": ');
    mcp.writeLine('not json at all');
    const ping = await mcp.request('ping');
    assert.deepEqual(ping.result, {});
    assert.match(mcp.stderr, /mcp: .*JSON/);

    // Still serving tools, with nothing stopped by the bad calls.
    assert.match((await mcp.toolText('corral_list')).text, /idle, online/);
  });

  it('survives the daemon going away and reconnects on a later call; exits when stdin ends', async () => {
    await home.ok(['start', fixture('idle.js'), '--name', 'idle']);
    const mcp = serve();
    await mcp.initialize();
    assert.match((await mcp.toolText('corral_list')).text, /idle, online/);

    await home.ok(['kill']);
    // The first call after may see the old connection go (an error) or already start a new daemon, as any corral command does.
    const during = await mcp.callTool('corral_list', {});
    assert.equal(during.error, undefined);
    const after = await until(
      async () => {
        const answer = await mcp.callTool('corral_list', {});
        return !answer.result?.isError && answer.result;
      },
      'corral_list to answer from a new daemon',
      30_000,
    );
    // `kill` is a clean end: the new daemon starts with an empty list.
    assert.match(after.content[0].text, /^No processes under Corral\./);

    mcp.child.stdin.end();
    assert.deepEqual(await mcp.exited, { code: 0, signal: null });
  });
});
