/** What runs: list (and its PM2 spellings), jlist, prettylist, describe, pid, id, env, ping. */
import { inspect } from 'node:util';
import { withPm2Shape } from '../../client/pm2-shape';
import { CorralError, ErrorCode } from '../../shared/errors';
import type { ProcessInfo } from '../../shared/protocol';
import { safeJson, safeText } from '../../shared/terminal-text';
import type { CommandEntry } from '../command';
import { withClient, type Context } from '../context';
import { renderDescription, renderProcessTable } from '../format';
import { matchLocal, requireTargets } from '../targets';

const SORT_FIELDS: Record<string, (process: ProcessInfo) => number | string> = {
  id: (process) => process.id,
  name: (process) => process.name,
  pid: (process) => process.pid ?? -1,
  cpu: (process) => process.cpu,
  memory: (process) => process.memory,
  mem: (process) => process.memory,
  uptime: (process) => process.uptime,
  restarts: (process) => process.restarts,
  restart: (process) => process.restarts,
  status: (process) => process.status,
};

/** PM2's `--sort <field>[:asc|desc]` for the list. */
function sortList(ctx: Context, list: ProcessInfo[]): ProcessInfo[] {
  if (ctx.values.sort === undefined) return list;
  const [field, direction = 'asc', ...extra] = String(ctx.values.sort).split(':');
  const key = SORT_FIELDS[field];
  if (!key || !['asc', 'desc'].includes(direction) || extra.length > 0) {
    throw new CorralError(
      ErrorCode.BadArgument,
      `--sort: expected <field>[:asc|desc] with field one of ${Object.keys(SORT_FIELDS).join(', ')}, got ${JSON.stringify(ctx.values.sort)}`,
    );
  }
  const sign = direction === 'desc' ? -1 : 1;
  return [...list].sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    return sign * (typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y))) || a.id - b.id;
  });
}

/** The process table, which most commands print after they acted. */
export async function showList(ctx: Context): Promise<void> {
  const list = sortList(ctx, await withClient((client) => client.call('list', {})));
  // PM2's -m/--mini-list: one line per process, for scripts and narrow terminals.
  if (ctx.values['mini-list'])
    return ctx.out(list.map((process) => `${process.id} ${safeText(process.name)} ${process.status} ${process.pid ?? '-'}`).join('\n'));
  ctx.out(renderProcessTable(list, ctx.style));
}

export const infoCommands: CommandEntry[] = [
  {
    names: ['list'],
    aliases: ['ls', 'l', 'ps', 'status'],
    usage: '[--sort field[:desc]] [-m/--mini-list]',
    summary: 'the process table',
    run: showList,
  },
  {
    names: ['jlist'],
    summary: 'the process list as JSON',
    run: async (ctx) => ctx.outRaw(safeJson((await withClient((client) => client.call('list', {}))).map(withPm2Shape))),
  },
  {
    names: ['prettylist'],
    summary: 'the process list as a JavaScript value, indented',
    // PM2's pretty form: the same list as an inspected JavaScript value.
    run: async (ctx) =>
      ctx.out(inspect((await withClient((client) => client.call('list', {}))).map(withPm2Shape), { depth: null, colors: ctx.style.color, breakLength: 120 })),
  },
  {
    names: ['describe'],
    aliases: ['desc', 'show', 'info'],
    usage: '<name|id> [--json]',
    summary: 'everything about a process (env names only)',
    run: async (ctx, command) => {
      const targets = requireTargets(ctx, command);
      const descriptions = await withClient((client) => client.call('describe', { targets }));
      if (ctx.values.json) return ctx.outRaw(safeJson(descriptions));
      return ctx.out(descriptions.map((description) => renderDescription(description, ctx.style)).join('\n\n'));
    },
  },
  {
    names: ['pid'],
    usage: '[name]',
    summary: 'the pids of an app (of every process without a name), one per line',
    run: async (ctx) => {
      // PM2 prints the pids of the app (of every process without a name), one per line; nothing running: nothing.
      const list = await withClient((client) => client.call('list', {}));
      const [target] = ctx.positionals;
      const matched = target === undefined ? list : matchLocal(list, target);
      return ctx.out(matched.flatMap((process) => (process.pid === null ? [] : [String(process.pid)])).join('\n'));
    },
  },
  {
    names: ['id'],
    usage: '<name>',
    summary: 'the ids of an app',
    run: async (ctx) => {
      const [target] = ctx.positionals;
      if (!target) throw new CorralError(ErrorCode.BadArgument, 'id: give an app name');
      const list = await withClient((client) => client.call('list', {}));
      // PM2's form: the ids as a list, [] when none.
      return ctx.out(inspect(list.filter((process) => process.name === target).map((process) => process.id)));
    },
  },
  {
    names: ['env'],
    usage: '<id>',
    summary: 'the env values of one process (asked for explicitly)',
    run: async (ctx) => {
      const [target, ...extra] = ctx.positionals;
      if (!target || extra.length > 0) throw new CorralError(ErrorCode.BadArgument, 'env: usage: corral env <id>');
      const { env } = await withClient((client) => client.call('env', { target }));
      return ctx.out(
        Object.keys(env)
          .sort()
          .map((key) => `${key}=${env[key]}`)
          .join('\n'),
      );
    },
  },
  {
    names: ['ping'],
    summary: 'start the daemon if needed and check it answers',
    run: async (ctx) => {
      const info = await withClient(async (client) => client.daemon);
      return ctx.outRaw(safeJson({ msg: 'pong', pid: info.pid, version: info.version, home: info.home }));
    },
  },
];
