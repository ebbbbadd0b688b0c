/** Reaching into the daemon from outside: a process's Node inspector, and the HTTP API. */
import { CorralError, ErrorCode } from '../../shared/errors';
import { formatDuration, parseDuration } from '../../shared/units';
import type { CommandEntry } from '../command';
import { done, LONG_CALL_MS, withClient, type Context } from '../context';
import { oneProcess } from '../targets';

async function inspectCommand(ctx: Context): Promise<void> {
  const [target, ...extra] = ctx.positionals;
  if (!target || extra.length > 0) throw new CorralError(ErrorCode.BadArgument, 'inspect: usage: corral inspect <id|name> [--close-after 10m] [--brk]');
  const { id } = await oneProcess('inspect', target);
  const closeAfterMs = ctx.values['close-after'] === undefined ? undefined : parseDuration(ctx.values['close-after']);
  if (closeAfterMs === undefined && ctx.values['close-after'] !== undefined)
    throw new CorralError(ErrorCode.BadArgument, `--close-after: expected a duration such as 90s or 10m, got ${JSON.stringify(ctx.values['close-after'])}`);
  // --brk: Debug from Start (a restart with --inspect-brk; the app waits at its first line for the debugger).
  const fromStart = ctx.values.brk === true;
  const result = await withClient((client) =>
    client.call('inspect', { id, ...(closeAfterMs === undefined ? {} : { closeAfterMs }), ...(fromStart ? { fromStart } : {}) }, LONG_CALL_MS),
  );
  // A daemon from before the bound says nothing about it (undefined): then neither do we.
  const closes =
    result.closesAfterMs === undefined
      ? ''
      : result.closesAfterMs === null
        ? "\nit is the app's own inspector: Corral leaves it open"
        : `\nit closes when the debugger detaches, or in ${result.closesAfterMs < 1000 ? `${result.closesAfterMs}ms` : formatDuration(result.closesAfterMs)} if none attaches`;
  return done(
    ctx,
    `inspector of process ${target}${fromStart ? ' (restarted with --inspect-brk: it waits for the debugger at its first line)' : result.restarted ? ' (restarted with --inspect)' : ''}: ${result.url}\nattach with a "node" attach configuration: address ${result.host}, port ${result.port}${closes}`,
  );
}

async function webCommand(ctx: Context): Promise<void> {
  const stop = ctx.values.stop === true;
  const port = ctx.values.port === undefined ? undefined : Number(ctx.values.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535))
    throw new CorralError(ErrorCode.BadArgument, `--port: expected 0-65535, got ${JSON.stringify(ctx.values.port)}`);
  const host = typeof ctx.values.host === 'string' ? ctx.values.host : undefined;
  const { url, tokenFile } = await withClient((client) => client.call('web', stop ? { stop: true } : { host, port }));
  if (!url) return done(ctx, 'web API stopped');
  return done(
    ctx,
    `web API on ${url}: /, /processes, /metrics${tokenFile ? `\nrequests need the header "Authorization: Bearer <token>" with the token in ${tokenFile}` : ''}`,
  );
}

export const inspectWebCommands: CommandEntry[] = [
  {
    names: ['inspect'],
    aliases: ['debug'],
    usage: '<id|name> [--close-after 10m] [--brk]',
    summary: 'open the Node inspector of a process for a debugger (closed when it detaches)',
    run: inspectCommand,
  },
  { names: ['web'], usage: '[--port 9615] [--host 127.0.0.1] [--stop]', summary: 'HTTP API: /, /processes, /metrics (Prometheus)', run: webCommand },
];
