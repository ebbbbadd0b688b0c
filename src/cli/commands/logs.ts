/** Output and input of running processes: logs, flush, reloadLogs, send, attach. */
import { readLastLines } from '../../client/log-tail';
import { CorralError, ErrorCode } from '../../shared/errors';
import type { LogEvent, ProcessInfo } from '../../shared/protocol';
import { formatDate } from '../../shared/timestamp';
import { safeJson, safeOutput, safeText } from '../../shared/terminal-text';
import type { CommandEntry } from '../command';
import { connect, done, summarize, withClient, type Context } from '../context';
import { paint } from '../format';
import { matchLocal, oneProcess } from '../targets';

/** `logs [target]`; with `chosen` (PM2's --attach after start/restart/reload), the live lines of those processes. */
export async function logsCommand(ctx: Context, chosen?: ProcessInfo[]): Promise<void> {
  const target = chosen ? undefined : ctx.positionals[0];
  const lines = ctx.values.lines === undefined ? (chosen ? 0 : 15) : Number(ctx.values.lines);
  if (!Number.isInteger(lines) || lines < 0)
    throw new CorralError(ErrorCode.BadArgument, `--lines: expected a whole number of 0 or more, got ${JSON.stringify(ctx.values.lines)}`);
  const wantOut = ctx.values.err !== true || ctx.values.out === true;
  const wantErr = ctx.values.out !== true || ctx.values.err === true;
  const raw = ctx.values.raw === true;
  const client = await connect();
  const list = await client.call('list', {});
  const processes = chosen ? list.filter((process) => chosen.some((wanted) => wanted.id === process.id)) : matchLocal(list, target);
  if (target !== undefined && processes.length === 0) {
    client.close();
    throw new CorralError(ErrorCode.NotFound, /^\d+$/.test(target) ? `no process with id ${target}` : `no process or namespace named "${target}"`);
  }
  const json = ctx.values.json === true;
  const asJson = (process: { id: number; name: string }, stream: 'out' | 'err', message: string, time: string | null): string =>
    safeJson({ app: process.name, id: process.id, stream, time, message });
  // PM2's --timestamp [format] (live lines carry the time they arrived; lines read back from files
  // have none) and --format (key=value per line).
  const stampFormat = ctx.values.timestamp === undefined ? null : ctx.values.timestamp || 'YYYY-MM-DD-HH:mm:ss';
  const stamp = (at: number | null): string =>
    stampFormat === null || at === null ? '' : `${paint(ctx.style, 'grey', formatDate(new Date(at), String(stampFormat)))} `;
  const keyValue = ctx.values.format === true;
  const asKeyValue = (process: { id: number; name: string }, stream: 'out' | 'err', message: string, at: number | null): string =>
    `${at === null ? '' : `timestamp=${new Date(at).toISOString()} `}app=${process.name} id=${process.id} type=${stream} message=${message}`;
  // PM2's --highlight <text>: every occurrence stands out (on a terminal).
  const highlight = typeof ctx.values.highlight === 'string' && ctx.values.highlight !== '' ? ctx.values.highlight : null;
  const marked = (line: string): string => (highlight && ctx.style.color ? line.split(highlight).join(`\u001b[7m${highlight}\u001b[27m`) : line);
  const width = Math.max(0, ...processes.map((process) => `${process.id}|${safeText(process.name)}`.length));
  const prefix = (process: { id: number; name: string }): string =>
    raw ? '' : `${paint(ctx.style, 'cyan', `${process.id}|${safeText(process.name)}`.padEnd(width))} | `;
  // Log lines keep their colours; other escape sequences are shown, not obeyed. --raw into a pipe or a
  // file is for programs: the lines exactly as the app wrote them.
  const writeLine = raw && !process.stdout.isTTY ? ctx.outRaw : ctx.out;
  const writeJson = ctx.outRaw;
  const seen = new Set<string>();
  for (const process of processes) {
    for (const [file, wanted, color] of [
      [process.out_log, wantOut, 'grey'],
      [process.err_log, wantErr, 'red'],
    ] as const) {
      if (!wanted || seen.has(file) || file === '/dev/null' || lines === 0) continue;
      seen.add(file);
      const tail = await readLastLines(file, lines);
      if (json) {
        for (const line of tail) writeJson(asJson(process, color === 'red' ? 'err' : 'out', line, null));
        continue;
      }
      if (keyValue) {
        for (const line of tail) ctx.out(asKeyValue(process, color === 'red' ? 'err' : 'out', line, null));
        continue;
      }
      if (!raw) ctx.out(paint(ctx.style, 'grey', `${file} last ${lines} lines:`));
      for (const line of tail) writeLine(raw ? line : `${prefix(process)}${color === 'red' ? paint(ctx.style, 'red', marked(line)) : marked(line)}`);
    }
  }
  if (ctx.values.nostream === true) {
    client.close();
    return;
  }
  const ids = target === undefined && !chosen ? null : new Set(processes.map((process) => process.id));
  const subscription = await client.subscribe();
  const print =
    (stream: 'out' | 'err') =>
    (event: LogEvent): void => {
      if (ids && !ids.has(event.id)) return;
      if (json) {
        const time = new Date(event.at).toISOString();
        for (const line of event.lines) writeJson(asJson(event, stream, line, time));
        return;
      }
      if (keyValue) {
        for (const line of event.lines) ctx.out(asKeyValue(event, stream, line, event.at));
        return;
      }
      for (const line of event.lines) {
        const text = raw ? line : `${stamp(event.at)}${prefix(event)}${stream === 'err' ? paint(ctx.style, 'red', marked(line)) : marked(line)}`;
        if (stream === 'err' && raw) process.stderr.write(`${process.stderr.isTTY ? safeOutput(text) : text}\n`);
        else writeLine(text);
      }
    };
  if (wantOut) subscription.on('log:out', print('out'));
  if (wantErr) subscription.on('log:err', print('err'));
  await new Promise<void>((resolve) => {
    subscription.on('daemon:exit', () => resolve());
    client.onDisconnect(() => resolve());
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  subscription.dispose();
  client.close();
}

/** PM2's `send <id> <line>`: the words, joined by spaces, and a newline go to the process's stdin. */
async function sendCommand(ctx: Context): Promise<void> {
  const [target, ...words] = ctx.positionals;
  const text = [...words, ...ctx.passthrough];
  if (!target || text.length === 0) throw new CorralError(ErrorCode.BadArgument, 'send: usage: corral send <id> <line>');
  const process = await oneProcess('send', target);
  await withClient((client) => client.call('writeStdin', { id: process.id, data: `${text.join(' ')}\n` }));
  summarize(ctx, 'sent a line to', [process]);
}

/**
 * PM2's `attach <id> [separator]`: the process's output streams here, and every line typed (or piped)
 * goes to its stdin followed by the separator (a newline by default). Ctrl-C detaches; the process
 * goes on. Restarts keep the id, so the attachment survives them.
 */
async function attachCommand(ctx: Context): Promise<void> {
  const [target, separator = '\n', ...extra] = ctx.positionals;
  if (extra.length > 0) throw new CorralError(ErrorCode.BadArgument, 'attach: usage: corral attach <id> [separator]');
  const attached = await oneProcess('attach', target);
  const client = await connect();
  const subscription = await client.subscribe();
  const show =
    (stream: 'out' | 'err') =>
    (event: LogEvent): void => {
      if (event.id !== attached.id) return;
      for (const line of event.lines) (stream === 'out' ? ctx.out : ctx.err)(line);
    };
  subscription.on('log:out', show('out'));
  subscription.on('log:err', show('err'));
  ctx.err(paint(ctx.style, 'grey', `attached to ${safeText(attached.name)} (id ${attached.id}): lines go to its stdin; Ctrl-C detaches`));
  const { createInterface } = await import('node:readline');
  const input = createInterface({ input: process.stdin, terminal: false });
  let failure: Error | null = null;
  let sending = Promise.resolve();
  input.on('line', (line) => {
    // One write after another, in the order typed.
    sending = sending.then(async () => {
      if (failure) return;
      await client.call('writeStdin', { id: attached.id, data: `${line}${separator}` }).catch((error: Error) => {
        failure = error;
        input.close();
      });
    });
  });
  await new Promise<void>((resolve) => {
    subscription.on('daemon:exit', () => resolve());
    client.onDisconnect(() => resolve());
    subscription.on('process:deleted', (event) => {
      if (event.id === attached.id) resolve();
    });
    input.on('close', () => void sending.then(() => failure && resolve()));
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  input.close();
  subscription.dispose();
  client.close();
  if (failure) throw failure;
}

export const logCommands: CommandEntry[] = [
  {
    names: ['logs'],
    aliases: ['log'],
    usage: '[name|id] [--lines N] [--nostream] [--raw] [--json] [--err|--out]',
    summary: 'the last lines of the log files, then the live output (Ctrl-C stops)',
    details: ['--timestamp [format]: the time of each live line; --highlight <text>; --format: key=value lines'],
    run: (ctx) => logsCommand(ctx),
  },
  {
    names: ['flush'],
    usage: '[name|id]',
    summary: 'empty log files',
    run: async (ctx) => {
      const targets = ctx.positionals.length > 0 ? ctx.positionals : undefined;
      const { files } = await withClient((client) => client.call('flush', targets ? { targets } : {}));
      return done(ctx, `flushed ${files.length} log file${files.length === 1 ? '' : 's'}`);
    },
  },
  {
    names: ['reloadLogs'],
    aliases: ['reloadlogs'],
    summary: 'reopen log files (after an external rotation)',
    run: async (ctx) => {
      const { files } = await withClient((client) => client.call('reloadLogs', {}));
      return done(ctx, `reopened ${files} log file${files === 1 ? '' : 's'}`);
    },
  },
  { names: ['send'], usage: '<id> <line>', summary: "write a line to a process's stdin", run: sendCommand },
  { names: ['attach'], usage: '<id> [separator]', summary: 'its output here, your lines to its stdin (Ctrl-C detaches)', run: attachCommand },
];
