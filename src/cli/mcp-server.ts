/**
 * `corral mcp`: the agent tools (client/agent-tools.ts) as a Model Context Protocol server on stdin and
 * stdout. Its own bundle (dist/mcp-server.js), loaded only by this command, so the SDK costs other
 * commands nothing. stdout carries protocol only; notes go to stderr. The daemon is reached as other
 * commands reach it (started when none answers), through one connection that is made again on the next
 * call after the daemon went away: a tool then answers with an error, the server keeps serving.
 */
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import {
  CallToolRequestSchema,
  ErrorCode as McpErrorCode,
  ListToolsRequestSchema,
  McpError,
  type CallToolResult,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { AGENT_TOOLS, findAgentTool, type ToolContext } from '../client/agent-tools';
import { safeText } from '../shared/terminal-text';
import { VERSION } from '../shared/version';
import { connect } from './context';

export interface McpServeOptions {
  /** Where script-path targets resolve (the server's working folder). */
  cwd: string;
  /** One line for stderr. */
  log: (text: string) => void;
}

const INSTRUCTIONS =
  'Corral is a process manager for Node.js apps (like PM2). corral_list shows what runs; corral_logs and corral_describe explain a process; ' +
  'corral_restart, corral_reload, corral_stop and corral_start change state (ask the user first). Environment variable values are never shown.';

/** The tools as tools/list gives them: MCP's hints say which ones change state. */
export function mcpTools(): Tool[] {
  return AGENT_TOOLS.map((tool) => ({
    name: tool.name,
    title: tool.title,
    description: tool.description,
    inputSchema: tool.inputSchema,
    annotations: {
      title: tool.title,
      readOnlyHint: !tool.changesState,
      destructiveHint: tool.changesState,
      idempotentHint: !tool.changesState,
      openWorldHint: false,
    },
  }));
}

/** Serves until stdin ends (the client went away). */
export async function serveMcp(options: McpServeOptions): Promise<void> {
  const context: ToolContext = {
    daemon: { call: (method, params, timeoutMs) => connect().then((client) => client.call(method, params, timeoutMs)) },
    cwd: options.cwd,
  };
  const server = new Server({ name: 'corral', title: 'Corral', version: VERSION }, { capabilities: { tools: {} }, instructions: INSTRUCTIONS });
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: mcpTools() }));
  server.setRequestHandler(CallToolRequestSchema, async (request): Promise<CallToolResult> => {
    const tool = findAgentTool(request.params.name);
    // An unknown tool is a protocol error (the spec's InvalidParams); bad arguments are a tool error the model can read and correct.
    if (!tool)
      throw new McpError(
        McpErrorCode.InvalidParams,
        `unknown tool ${JSON.stringify(safeText(request.params.name).slice(0, 100))} (tools: ${AGENT_TOOLS.map((known) => known.name).join(', ')})`,
      );
    try {
      const output = await tool.invoke(context, request.params.arguments);
      return { content: [{ type: 'text', text: output.text }], structuredContent: output.structured };
    } catch (error) {
      return { content: [{ type: 'text', text: `${tool.name}: ${error instanceof Error ? error.message : String(error)}` }], isError: true };
    }
  });
  // A malformed line is dropped by the transport (it cannot be answered without an id); the server lives on.
  server.onerror = (error) => options.log(`mcp: ${safeText(error.message)}`);
  const transport = new StdioServerTransport();
  const ended = new Promise<void>((resolve) => {
    process.stdin.once('end', resolve);
    process.stdin.once('close', resolve);
    transport.onclose = resolve;
  });
  await server.connect(transport);
  await ended;
  await server.close();
}
