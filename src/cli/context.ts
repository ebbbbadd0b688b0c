/** What every `corral` command runs with: the parsed line, the output functions and one daemon connection. */
import { DaemonClient } from '../client/client';
import type { ProcessInfo } from '../shared/protocol';
import { safeText } from '../shared/terminal-text';
import { paint, type Style } from './format';

export const LONG_CALL_MS = 10 * 60_000; // stops wait for kill_timeout, which users may set high

export interface Context {
  values: Record<string, unknown>;
  positionals: string[];
  passthrough: string[];
  style: Style;
  /** Our own text with data in it: everything but colours, newlines and tabs gets escaped (terminal-text.ts). */
  out: (text: string) => void;
  err: (text: string) => void;
  /** Already safe (safeJson), or meant to pass unchanged (`logs --raw` into a pipe or file). */
  outRaw: (text: string) => void;
}

/**
 * One connection per command: a command that changes something and then shows the list asks both
 * over the same socket. It is closed when the process exits.
 */
let shared: Promise<DaemonClient> | undefined;
export function connect(): Promise<DaemonClient> {
  if (!shared) {
    shared = DaemonClient.connect();
    shared.then(
      (client) => client.onDisconnect(() => (shared = undefined)),
      () => (shared = undefined),
    );
  }
  return shared;
}

export function withClient<T>(run: (client: DaemonClient) => Promise<T>): Promise<T> {
  return connect().then(run);
}

export function printWarnings(ctx: Context, warnings: string[]): void {
  // Warnings name files and apps that came from elsewhere: no control character reaches the terminal.
  // eslint-disable-next-line no-control-regex
  for (const warning of warnings) ctx.err(`${paint(ctx.style, 'yellow', 'warning')} ${warning.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?')}`);
}

export function summarize(ctx: Context, verb: string, processes: ProcessInfo[]): void {
  if (ctx.values.silent) return;
  for (const process of processes) ctx.out(`${paint(ctx.style, 'green', '✓')} ${verb} ${safeText(process.name)} (id ${process.id})`);
}

/** `✓ <text>` in green: how a command says it did what was asked. */
export function done(ctx: Context, text: string): void {
  ctx.out(`${paint(ctx.style, 'green', '✓')} ${text}`);
}

/** `note <text>` on stderr: accepted, but it changes nothing here. */
export function note(ctx: Context, text: string): void {
  ctx.err(`${paint(ctx.style, 'yellow', 'note')} ${text}`);
}
