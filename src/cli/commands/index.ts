/**
 * The CLI's command table: dispatch (findCommand) and --help (renderHelp) both read it, so a command
 * is added in its family's file and nowhere else.
 */
import { commandWords, type CommandEntry } from '../command';
import { renderHelp, type CommandGroup } from '../help';
import { actionCommands } from './actions';
import { importCommands } from './import';
import { infoCommands } from './info';
import { inspectWebCommands } from './inspect-web';
import { logCommands } from './logs';
import { mcpCommands } from './mcp';
import { moduleCommands } from './modules';
import { monitCommands } from './monit';
import { persistenceCommands } from './persistence';
import { startCommands } from './start';
import { startupExportCommands } from './startup-export';

const helpCommand: CommandEntry = {
  names: ['help'],
  summary: 'this text (also -h, --help, or no command)',
  run: (ctx) => ctx.out(helpText()),
};

/** In the order --help shows them. */
export const COMMAND_GROUPS: readonly CommandGroup[] = [
  { title: 'Start apps', commands: [...startCommands, ...importCommands] },
  { title: 'Act on processes', commands: actionCommands },
  { title: 'What runs', commands: [...infoCommands, ...monitCommands] },
  { title: 'Logs and input', commands: logCommands },
  { title: 'The daemon and its saved list', commands: persistenceCommands },
  { title: 'Debugging and the HTTP API', commands: inspectWebCommands },
  { title: 'At boot, and elsewhere', commands: startupExportCommands },
  { title: 'Agents', commands: mcpCommands },
  { title: 'PM2 commands with no counterpart here', commands: moduleCommands },
  { title: 'Help', commands: [helpCommand] },
];

export const COMMAND_TABLE: readonly CommandEntry[] = COMMAND_GROUPS.flatMap((group) => group.commands);

let byWord: Map<string, CommandEntry> | undefined;

/** The entry a command word (a name or an alias) dispatches to. */
export function findCommand(word: string): CommandEntry | undefined {
  byWord ??= new Map(COMMAND_TABLE.flatMap((entry) => commandWords(entry).map((name) => [name, entry] as const)));
  return byWord.get(word);
}

export function helpText(): string {
  return renderHelp(COMMAND_GROUPS);
}
