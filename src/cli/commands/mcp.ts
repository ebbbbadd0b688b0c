/** `corral mcp`: the agent tools over the Model Context Protocol (mcp-server.ts, a bundle of its own). */
import { CorralError, ErrorCode } from '../../shared/errors';
import type * as McpServer from '../mcp-server';
import type { CommandEntry } from '../command';

export const mcpCommands: CommandEntry[] = [
  {
    names: ['mcp'],
    summary: 'a Model Context Protocol server on stdin/stdout: list, logs, describe, restart, reload, stop, start',
    details: ['for MCP clients (editors, agent CLIs): configure the command "corral" with the argument "mcp"; CORRAL_HOME picks the daemon'],
    run: (ctx) => {
      if (ctx.positionals.length > 0) throw new CorralError(ErrorCode.BadArgument, `mcp: takes no arguments, got ${JSON.stringify(ctx.positionals[0])}`);
      // The SDK is loaded here only (esbuild keeps ../mcp-server out of dist/cli.js): other commands start as fast as before.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { serveMcp } = require('../mcp-server') as typeof McpServer;
      return serveMcp({ cwd: process.cwd(), log: (text) => ctx.err(text) });
    },
  },
];
