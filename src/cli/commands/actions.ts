/**
 * Acting on processes that exist: stop, restart, delete, reload, startOrRestart|startOrReload|
 * startOrGracefulReload, reset, scale, sendSignal.
 */
import { resolve } from 'node:path';
import { isEcosystemFile, loadEcosystem } from '../../client/ecosystem';
import { ecosystemDefaults, splitList } from '../../client/start-request';
import { appOptionsFromFlags, flagLabel } from '../../client/start-options';
import { normalizeApp, type AppConfig } from '../../shared/config';
import { CorralError, ErrorCode } from '../../shared/errors';
import type { ProcessInfo } from '../../shared/protocol';
import type { CommandEntry } from '../command';
import { connect, LONG_CALL_MS, printWarnings, summarize, withClient, type Context } from '../context';
import { expandTargets, isEcosystemTarget, requireSome, requireTargets } from '../targets';
import { showList } from './info';
import { logsCommand } from './logs';

/**
 * `restart|reload <file>` and `startOrRestart|startOrReload|startOrGracefulReload <file>`, as PM2: the
 * file is read again and what changed (env, env_<name> with --env, else the plain env again, args,
 * node_args, instances...) reaches the apps, restarted or reloaded one instance at a time; apps of
 * the file not yet running start. Other targets beside the files are restarted or reloaded as usual.
 */
async function reapplyFiles(ctx: Context, targets: string[], mode: 'restart' | 'reload'): Promise<ProcessInfo[]> {
  const envName = typeof ctx.values.env === 'string' ? ctx.values.env : undefined;
  const apps: AppConfig[] = [];
  for (const file of targets.filter(isEcosystemTarget)) {
    const loaded = await loadEcosystem(file, { envName, only: splitList(ctx.values.only), defaults: ecosystemDefaults(ctx.values) });
    printWarnings(ctx, loaded.warnings);
    apps.push(...loaded.apps);
  }
  const client = await connect();
  const processes = await client.call('start', { apps, replace: true, mode }, LONG_CALL_MS);
  const others = targets.filter((target) => !isEcosystemTarget(target));
  if (others.length > 0) processes.push(...(await client.call(mode, { targets: await expandTargets(ctx, others) }, LONG_CALL_MS)));
  return processes;
}

/**
 * PM2's `restart api --max-memory-restart 300M -- new args`: the app options given on the command
 * line (checked here, with flag names in messages), applied by the daemon before the restart.
 */
function commandLineOptions(ctx: Context): Record<string, unknown> | undefined {
  const options = appOptionsFromFlags(ctx.values);
  // `restart --watch` toggles watching instead; a list of paths (--watch=src) is an option like any other.
  if (options.watch === true) delete options.watch;
  else if (Array.isArray(options.watch)) options.watch = (options.watch as string[]).map((item) => resolve(item));
  if (ctx.passthrough.length > 0) options.args = ctx.passthrough;
  for (const key of ['name', 'instances']) {
    if (key in options)
      throw new CorralError(
        ErrorCode.BadArgument,
        `${flagLabel(key)}: cannot change on a restart (${key === 'instances' ? 'use corral scale' : 'delete and start the app again'})`,
      );
  }
  if (Object.keys(options).length === 0) return undefined;
  // Paths are the shell's, as at start.
  for (const key of ['out_file', 'error_file', 'pid_file', 'log_file', 'cwd']) {
    if (typeof options[key] === 'string' && options[key] !== 'NULL' && options[key] !== '/dev/null') options[key] = resolve(options[key] as string);
  }
  normalizeApp(
    { script: process.execPath, ...options },
    { source: '', baseDir: process.cwd(), baseEnv: {}, cpuCount: 1, fileExists: () => true, label: flagLabel },
  );
  return options;
}

/** `--update-env`: this shell's env, for restart and reload. */
function callerEnv(ctx: Context): Record<string, string> | undefined {
  if (ctx.values['update-env'] !== true) return undefined;
  return Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

/** After an action: what it did, the list, and with PM2's --attach the live logs of those processes. */
async function finish(ctx: Context, verb: string, processes: ProcessInfo[], attachable = true): Promise<void> {
  summarize(ctx, verb, processes);
  if (!ctx.values.silent) await showList(ctx);
  if (ctx.values.attach && attachable && processes.length > 0) await logsCommand(ctx, processes);
}

/** stop, restart and delete of targets (restart of an ecosystem file re-reads it). */
async function stopRestartDelete(ctx: Context, command: string): Promise<void> {
  if (command === 'restart' && ctx.positionals.some(isEcosystemTarget)) {
    return finish(ctx, 'restarted', await reapplyFiles(ctx, ctx.positionals, 'restart'));
  }
  const targets = await expandTargets(ctx, requireTargets(ctx, command));
  const method = command === 'del' ? 'delete' : (command as 'stop' | 'restart' | 'delete');
  const updateEnv = method === 'restart' ? callerEnv(ctx) : undefined;
  // `restart --watch` toggles watching; `restart --watch=src` (or --watch <folder>) watches those paths.
  const toggleWatch = method === 'restart' && ctx.values.watch === true && ctx.values['watch-paths'] === undefined;
  const options = method === 'restart' ? commandLineOptions(ctx) : undefined;
  const processes = await withClient((client) =>
    client.call(
      method,
      { targets, ...(updateEnv ? { updateEnv } : {}), ...(toggleWatch ? { toggleWatch } : {}), ...(options ? { options } : {}) },
      LONG_CALL_MS,
    ),
  );
  requireSome(method, targets, processes);
  return finish(ctx, { stop: 'stopped', restart: 'restarted', delete: 'deleted' }[method], processes, method !== 'delete');
}

async function reloadCommand(ctx: Context, command: string): Promise<void> {
  if (ctx.positionals.some(isEcosystemTarget)) {
    return finish(ctx, 'reloaded', await reapplyFiles(ctx, ctx.positionals, 'reload'));
  }
  const targets = await expandTargets(ctx, requireTargets(ctx, command));
  const updateEnv = callerEnv(ctx);
  const options = commandLineOptions(ctx);
  const processes = await withClient((client) =>
    client.call('reload', { targets, ...(updateEnv ? { updateEnv } : {}), ...(options ? { options } : {}) }, LONG_CALL_MS),
  );
  requireSome('reload', targets, processes);
  return finish(ctx, 'reloaded', processes);
}

/** What restart and reload take besides targets. */
const CHANGING_FLAGS = [
  'app flags (--max-memory-restart 300M...) and "-- args" change the apps first',
  "-a/--update-env: this shell's env; --attach: their logs afterwards",
];

export const actionCommands: CommandEntry[] = [
  { names: ['stop'], usage: '<target>...', summary: 'stop processes (they stay in the list)', run: stopRestartDelete },
  {
    names: ['restart'],
    usage: '<target>...',
    summary: 'restart processes (an ecosystem file is read again: what changed applies)',
    details: [...CHANGING_FLAGS, '--watch toggles watching; --watch=<paths> watches those'],
    run: stopRestartDelete,
  },
  { names: ['delete'], aliases: ['del'], usage: '<target>...', summary: 'stop processes and remove them from the list', run: stopRestartDelete },
  {
    names: ['reload'],
    usage: '<target>...',
    summary: 'cluster apps one instance at a time, no downtime; fork apps restart',
    details: ['an ecosystem file is read again, as with restart', ...CHANGING_FLAGS],
    run: reloadCommand,
  },
  {
    names: ['startOrRestart', 'startOrReload', 'startOrGracefulReload'],
    usage: '<ecosystem>',
    summary: 'start what is new, re-apply the rest',
    run: async (ctx, command) => {
      const [file, ...extra] = ctx.positionals;
      if (!file || extra.length > 0 || !isEcosystemFile(file)) throw new CorralError(ErrorCode.BadArgument, `${command}: give one ecosystem file`);
      const processes = await reapplyFiles(ctx, [file], command === 'startOrRestart' ? 'restart' : 'reload');
      return finish(ctx, command === 'startOrRestart' ? 'started or restarted' : 'started or reloaded', processes);
    },
  },
  {
    names: ['reset'],
    usage: '<target>...',
    summary: 'restart counters back to 0',
    run: async (ctx, command) => {
      const targets = await expandTargets(ctx, requireTargets(ctx, command));
      const processes = await withClient((client) => client.call('reset', { targets }));
      requireSome('reset', targets, processes);
      summarize(ctx, 'reset the counters of', processes);
    },
  },
  {
    names: ['scale'],
    usage: '<name> <n|+n|-n>',
    summary: 'change the number of instances',
    run: async (ctx) => {
      const [name, instances, ...extra] = ctx.positionals;
      if (!name || instances === undefined || extra.length > 0) throw new CorralError(ErrorCode.BadArgument, 'scale: usage: corral scale <name> <n | +n | -n>');
      await withClient((client) => client.call('scale', { name, instances }, LONG_CALL_MS));
      if (!ctx.values.silent) await showList(ctx);
    },
  },
  {
    names: ['sendSignal'],
    aliases: ['sendsignal'],
    usage: '<signal> <name|id>',
    summary: 'send a signal to a process',
    run: async (ctx) => {
      const [signal, ...targets] = ctx.positionals;
      if (!signal || targets.length === 0) throw new CorralError(ErrorCode.BadArgument, 'sendSignal: usage: corral sendSignal <signal> <name|id>');
      const processes = await withClient((client) => client.call('sendSignal', { signal, targets }));
      return summarize(ctx, `sent ${signal} to`, processes);
    },
  },
];
