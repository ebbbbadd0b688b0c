/** One row of the CLI's command table (commands/index.ts): what dispatch accepts and what --help shows. */
import type { Context } from './context';

export interface CommandEntry {
  /** The commands of this row: one, or several that share a handler and a help line (`startOrRestart|startOrReload`). */
  names: readonly [string, ...string[]];
  /** Other spellings of the same command, PM2's (`ls` for list): dispatched, and listed in --help after the names. */
  aliases?: readonly string[];
  /** The arguments after the name, as --help shows them. */
  usage?: string;
  /** One line for --help. */
  summary: string;
  /** More lines for --help, under the summary. */
  details?: readonly string[];
  /** `command` is the word typed: one of the names or aliases. */
  run(ctx: Context, command: string): Promise<void> | void;
}

/** Every word that dispatches to this entry. */
export function commandWords(entry: CommandEntry): string[] {
  return [...entry.names, ...(entry.aliases ?? [])];
}
