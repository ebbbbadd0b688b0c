/**
 * The agent tools (client/agent-tools.ts) as VS Code language model tools, for the editor's agent mode.
 * Each is declared in package.json (contributes.languageModelTools, checked against AGENT_TOOLS by a unit
 * test) and registered here; state-changing ones ask through prepareInvocation's confirmation. An editor
 * without the API (a fork, or an old build despite engines) gets no tools and activates all the same.
 */
import * as vscode from 'vscode';
import { AGENT_TOOLS, type AgentTool, type ToolContext } from '../client/agent-tools';

/** The parts of `vscode.lm` used here, each possibly missing at run time. */
type LanguageModels = Partial<Pick<typeof vscode.lm, 'registerTool'>>;

export function registerLanguageModelTools(context: ToolContext | (() => ToolContext)): vscode.Disposable[] {
  const lm = (vscode as { lm?: LanguageModels }).lm;
  if (typeof lm?.registerTool !== 'function' || typeof vscode.LanguageModelToolResult !== 'function') return [];
  const contextNow = typeof context === 'function' ? context : () => context;
  return AGENT_TOOLS.map((tool) => lm.registerTool!(tool.name, languageModelTool(tool, contextNow)));
}

function languageModelTool(tool: AgentTool, context: () => ToolContext): vscode.LanguageModelTool<unknown> {
  return {
    prepareInvocation: (options) => ({
      invocationMessage: tool.progress(options.input),
      ...(tool.changesState ? { confirmationMessages: tool.confirmation(options.input) } : {}),
    }),
    invoke: async (options) => {
      // A thrown error reaches the model as the tool's answer: its message names the bad argument or what failed.
      const output = await tool.invoke(context(), options.input);
      return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(output.text)]);
    },
  };
}
