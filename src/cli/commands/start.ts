/** Starting apps: start (scripts, commands, ecosystem files, stdin, known apps), serve, ecosystem. */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { DaemonClient } from '../../client/client';
import { ecosystemFromText } from '../../client/ecosystem';
import { buildStartRequest, splitList, type StartRequest } from '../../client/start-request';
import { flagLabel } from '../../client/start-options';
import { ConfigError, dependencyProblems, normalizeApp, type AppConfig } from '../../shared/config';
import { CorralError, ErrorCode } from '../../shared/errors';
import type { ProcessInfo } from '../../shared/protocol';
import type { CommandEntry } from '../command';
import { connect, done, LONG_CALL_MS, printWarnings, summarize, withClient, type Context } from '../context';
import { ECOSYSTEM_TEMPLATE } from '../ecosystem-template';
import { matchLocal } from '../targets';
import { showList } from './info';
import { logsCommand } from './logs';

/**
 * `start a.js b.js`, `start eco.config.js`, `start "npm run dev"`, `start -` (an ecosystem as JSON on
 * stdin), `start <known app>`: every target is read first, so a bad one starts nothing.
 */
async function startCommand(ctx: Context): Promise<ProcessInfo[]> {
  const targets = ctx.positionals;
  if (targets.length === 0) throw new CorralError(ErrorCode.BadArgument, 'start: give a script, an ecosystem file, a name, an id or "all"');
  if (targets.length > 1 && ctx.values.name !== undefined)
    throw new CorralError(ErrorCode.BadArgument, '--name names one app: start the scripts one at a time to name each');
  const isKnown = async (candidate: string): Promise<boolean> => matchLocal(await (await connect()).call('list', {}), candidate).length > 0;
  const requests: Array<{ target: string; request: StartRequest }> = [];
  for (const target of targets) requests.push({ target, request: target === '-' ? stdinRequest(ctx) : await buildStartRequest(target, ctx, isKnown) });
  for (const { request } of requests) if (request.kind === 'apps') printWarnings(ctx, request.warnings);
  const client = await connect();
  const started: ProcessInfo[] = [];
  // An ecosystem start re-applies the file: apps already known take the new config (PM2 does the same).
  const fromFiles = requests.flatMap(({ request }) => (request.kind === 'apps' && request.fromEcosystem ? request.apps : []));
  const scripts = requests.flatMap(({ request }) => (request.kind === 'apps' && !request.fromEcosystem ? request.apps : []));
  if (fromFiles.length > 0) await checkDependsOn(client, requests, fromFiles);
  if (fromFiles.length > 0) started.push(...(await client.call('start', { apps: fromFiles, replace: true }, LONG_CALL_MS)));
  if (scripts.length > 0) started.push(...(await startScripts(ctx, client, scripts)));
  for (const { target, request } of requests) {
    if (request.kind !== 'existing') continue;
    try {
      started.push(...(await client.call('startExisting', { targets: [target] }, LONG_CALL_MS)));
    } catch (error) {
      if (error instanceof CorralError && error.code === ErrorCode.NotFound) {
        throw new CorralError(ErrorCode.NotFound, `start: "${target}" is neither a file nor a known app, id or namespace`);
      }
      throw error;
    }
  }
  return started;
}

/** depends_on naming neither an app being started nor one the daemon knows: an error naming the file, before anything starts. */
async function checkDependsOn(client: DaemonClient, requests: Array<{ target: string; request: StartRequest }>, fromFiles: AppConfig[]): Promise<void> {
  if (!fromFiles.some((app) => app.depends_on.length > 0)) return;
  const starting = new Map(fromFiles.map((app) => [app.name, app.depends_on]));
  const known = new Map(
    (await client.call('list', {})).filter((process) => !starting.has(process.name)).map((process) => [process.name, process.depends_on ?? []]),
  );
  const problems: string[] = [];
  for (const { target, request } of requests) {
    if (request.kind !== 'apps' || !request.fromEcosystem) continue;
    const own = new Set(request.apps.map((app) => app.name));
    const others = new Map([...known, ...[...starting].filter(([name]) => !own.has(name))]);
    problems.push(...dependencyProblems(request.apps, others, target));
  }
  if (problems.length > 0) throw new ConfigError(problems);
}

/**
 * PM2's -f/--force: a script that already runs under that name gets another copy (its instances grow
 * by the number asked for); without it, starting a running app is an error naming restart and -f.
 */
async function startScripts(ctx: Context, client: DaemonClient, apps: AppConfig[]): Promise<ProcessInfo[]> {
  if (ctx.values.force !== true) return client.call('start', { apps, replace: false }, LONG_CALL_MS);
  const list = await client.call('list', {});
  const started: ProcessInfo[] = [];
  const fresh: AppConfig[] = [];
  for (const app of apps) {
    const running = list.filter((process) => process.name === app.name);
    if (running.length === 0) {
      fresh.push(app);
      continue;
    }
    if (running[0].script !== app.script) {
      throw new CorralError(ErrorCode.AlreadyExists, `-f: the app "${app.name}" runs ${running[0].script}, not ${app.script}: give this one another --name`);
    }
    const before = new Set(running.map((process) => process.id));
    const scaled = await client.call('scale', { name: app.name, instances: `+${app.instances}` }, LONG_CALL_MS);
    started.push(...scaled.filter((process) => !before.has(process.id)));
  }
  if (fresh.length > 0) started.push(...(await client.call('start', { apps: fresh, replace: false }, LONG_CALL_MS)));
  return started;
}

/** `start -`: the apps of an ecosystem piped in as JSON; relative paths are taken from the shell's folder. */
function stdinRequest(ctx: Context): StartRequest {
  if (process.stdin.isTTY) throw new CorralError(ErrorCode.BadArgument, 'start -: pipe an ecosystem (JSON) into it, e.g. cat apps.json | corral start -');
  const envName = typeof ctx.values.env === 'string' ? ctx.values.env : undefined;
  const { apps, warnings } = ecosystemFromText(readFileSync(0, 'utf8'), '(stdin)', process.cwd(), { envName, only: splitList(ctx.values.only) });
  return { kind: 'apps', apps, warnings, fromEcosystem: true };
}

/**
 * PM2's `serve [path] [port]`: dist/serve.js as an app named static-page-server-<port> (or --name),
 * with --spa and basic auth (the credentials go in its env, never its argv).
 */
async function serveCommand(ctx: Context): Promise<ProcessInfo[]> {
  const [folder = '.', portArgument, ...extra] = ctx.positionals;
  const portText = portArgument ?? (typeof ctx.values.port === 'string' ? ctx.values.port : '8080');
  if (extra.length > 0) throw new CorralError(ErrorCode.BadArgument, `serve: unexpected argument "${extra[0]}" (usage: corral serve [path] [port])`);
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new CorralError(ErrorCode.BadArgument, `serve: port: expected 1-65535, got ${JSON.stringify(portText)}`);
  const root = resolve(folder);
  if (!statSync(root, { throwIfNoEntry: false })?.isDirectory()) throw new CorralError(ErrorCode.BadArgument, `serve: ${root} is not a folder`);
  const user = ctx.values['basic-auth-username'];
  const password = ctx.values['basic-auth-password'];
  if ((user === undefined) !== (password === undefined))
    throw new CorralError(ErrorCode.BadArgument, 'serve: give both --basic-auth-username and --basic-auth-password');
  const env: Record<string, string> = {};
  if (ctx.values.spa === true) env.CORRAL_SERVE_SPA = '1';
  if (typeof ctx.values.host === 'string') env.CORRAL_SERVE_HOST = ctx.values.host;
  if (typeof user === 'string' && typeof password === 'string') env.CORRAL_SERVE_AUTH = `${user}:${password}`;
  const name = typeof ctx.values.name === 'string' ? ctx.values.name : `static-page-server-${port}`;
  const { app } = normalizeApp(
    { name, script: join(__dirname, 'serve.js'), args: [root, String(port)], env, cwd: root },
    { source: '', baseDir: process.cwd(), baseEnv: {}, cpuCount: 1, fileExists: (file) => existsSync(file), label: flagLabel },
  );
  return withClient((client) => client.call('start', { apps: [app] }, LONG_CALL_MS));
}

export const startCommands: CommandEntry[] = [
  {
    names: ['start'],
    usage: '<script|ecosystem|name|id|all|->...',
    summary: 'start apps (options below; "-- args" go to the app)',
    run: async (ctx) => {
      const processes = await startCommand(ctx);
      const failed = processes.filter((process) => process.status === 'errored' || (process.status === 'stopped' && process.waiting));
      if (!ctx.values.silent) await showList(ctx);
      if (failed.length > 0) {
        const why = (process: ProcessInfo): string =>
          process.status === 'errored' ? `failed to start: ${process.last_reason_detail ?? 'unknown reason'}` : `not started: ${process.waiting}`;
        throw new CorralError(ErrorCode.Internal, failed.map((process) => `${process.name} (id ${process.id}) ${why(process)}`).join('\n'));
      }
      if (ctx.values.attach) await logsCommand(ctx, processes);
    },
  },
  {
    names: ['serve'],
    aliases: ['expose'],
    usage: '[path] [port] [--spa] [--basic-auth-username u --basic-auth-password p] [--host h]',
    summary: 'a static file server as an app (default: . on 8080)',
    run: async (ctx) => summarize(ctx, 'serving with', await serveCommand(ctx)),
  },
  {
    names: ['ecosystem'],
    aliases: ['init'],
    summary: 'write a sample ecosystem.config.js',
    run: (ctx) => {
      const file = resolve('ecosystem.config.js');
      if (existsSync(file)) throw new CorralError(ErrorCode.AlreadyExists, `ecosystem: ${file} already exists; not overwriting it`);
      writeFileSync(file, ECOSYSTEM_TEMPLATE, { flag: 'wx' });
      return done(ctx, `wrote ${file}`);
    },
  },
];
