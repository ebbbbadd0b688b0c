/**
 * The agent tools inside a real VS Code: registered in vscode.lm.tools, invoked through vscode.lm.invokeTool
 * (no language model needed; without a chat request's toolInvocationToken no confirmation is shown), and
 * the MCP server definition the extension offers, spawned as VS Code would and initialized.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { AGENT_TOOLS } from '../../src/client/agent-tools';
import type { ExtensionApi } from '../../src/extension/api';
import { McpSession } from '../support/mcp-session';
import { cliOk, corral, deleteAll, fixture, jlist, waitFor } from './support';

async function invoke(name: string, input: object): Promise<string> {
  const result = await vscode.lm.invokeTool(name, { toolInvocationToken: undefined, input });
  return result.content.map((part) => (part instanceof vscode.LanguageModelTextPart ? part.value : '')).join('');
}

describe('agent tools', function () {
  this.timeout(120_000);
  let api: ExtensionApi;

  before(async () => {
    api = await corral();
  });

  afterEach(async () => {
    await deleteAll(api);
  });

  it('are registered in vscode.lm.tools with their schemas', async () => {
    const names = await waitFor('the Corral tools in vscode.lm.tools', () => {
      const found = vscode.lm.tools.filter((tool) => tool.name.startsWith('corral_'));
      return found.length === AGENT_TOOLS.length && found;
    });
    for (const tool of AGENT_TOOLS) {
      const registered = names.find((candidate) => candidate.name === tool.name);
      assert.ok(registered, tool.name);
      assert.deepEqual(registered.inputSchema, tool.inputSchema);
      assert.deepEqual(registered.tags, ['corral']);
    }
  });

  it('list, logs and restart through vscode.lm.invokeTool', async () => {
    await cliOk(['start', fixture('idle.js'), '--name', 'agent-idle']);
    const [idle] = await jlist();
    await waitFor('agent-idle in the store', () => api.store.all().some((process) => process.name === 'agent-idle' && process.status === 'online'), 20_000);

    assert.match(await invoke('corral_list', {}), new RegExp(`id ${idle.id}, agent-idle, online, pid ${idle.pid}`));
    const logs = await waitFor('the start line in corral_logs', async () => {
      const text = await invoke('corral_logs', { target: 'agent-idle', lines: 10 });
      return text.includes(`idle ${idle.pid}`) && text;
    });
    assert.match(logs, /agent-idle \(id \d+\) stdout: 1 line/);

    const restarted = await invoke('corral_restart', { target: 'agent-idle' });
    assert.match(restarted, /^Restarted 1 process; now:/);
    const [after] = await jlist();
    assert.notEqual(after.pid, idle.pid);
    assert.equal(after.restarts, idle.restarts + 1);
  });

  it('a bad argument rejects with a message naming it', async () => {
    await assert.rejects(invoke('corral_logs', { target: 'anything', lines: 0 }), /lines must be a whole number from 1 to 500/);
  });

  it('offers an MCP server definition whose command runs and initializes', async () => {
    assert.ok(api.mcpServers, 'this VS Code has registerMcpServerDefinitionProvider');
    const [definition] = (await api.mcpServers.provideMcpServerDefinitions()) as vscode.McpStdioServerDefinition[];
    assert.equal(definition.label, 'Corral');
    assert.deepEqual(definition.args.slice(-1), ['mcp']);
    assert.equal(definition.env.CORRAL_HOME, api.connection.home);
    // Spawned as VS Code spawns it: the extension host's environment with the definition's on top.
    const session = new McpSession(definition.command, definition.args, {
      env: { ...process.env, ...(definition.env as Record<string, string>) },
      cwd: definition.cwd?.fsPath,
    });
    try {
      const init = await session.initialize();
      assert.equal((init.result?.serverInfo as { name: string }).name, 'corral');
      const tools = (await session.request('tools/list')).result?.tools as Array<{ name: string }>;
      assert.equal(tools.length, AGENT_TOOLS.length);
      // The same daemon as the window's: the list answers from it without starting another.
      assert.match(((await session.callTool('corral_list', {})).result?.content[0].text ?? '') as string, /^(No processes|\d+ process)/);
    } finally {
      await session.close();
    }
  });
});
