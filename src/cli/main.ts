/** `corral`: PM2's commands and flags over the daemon client. The only place that calls process.exit. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { inspect } from 'node:util';
import { DaemonClient, socketAnswers } from '../client/client';
import { ecosystemFromText, isEcosystemFile, loadEcosystem } from '../client/ecosystem';
import { readLastLines } from '../client/log-tail';
import { processAlive } from '../client/process-alive';
import { parseCommandLine } from '../client/argv';
import { withPm2Shape } from '../client/pm2-shape';
import { buildStartRequest, ecosystemDefaults, splitList, type StartRequest } from '../client/start-request';
import { appOptionsFromFlags, flagLabel } from '../client/start-options';
import { expandTargetPatterns, needsList } from '../client/target-patterns';
import { ConfigError, normalizeApp, type AppConfig } from '../shared/config';
import { CorralError, ErrorCode } from '../shared/errors';
import { homePaths, resolveHome } from '../shared/paths';
import { prepareHome } from '../shared/home';
import { DUMP_VERSION, writeDump } from '../shared/dump';
import type { LogEvent, ProcessInfo } from '../shared/protocol';
import { formatDuration, parseDuration } from '../shared/units';
import { formatDate } from '../shared/timestamp';
import { VERSION } from '../shared/version';
import { safeJson, safeOutput, safeText } from '../shared/terminal-text';
import { paint, renderDescription, renderMonit, renderProcessTable, type Style } from './format';
import { ECOSYSTEM_TEMPLATE } from './ecosystem-template';
import { exportCompose, exportKubernetes, exportSystemdUnits, startupUnit } from './exports';

const LONG_CALL_MS = 10 * 60_000; // stops wait for kill_timeout, which users may set high

const HELP = `corral ${VERSION}: a Node.js process manager

Usage: corral <command> [options]

  start <script|ecosystem|name|id|all|->...  start apps (options below; "-- args" go to the app)
  stop|restart|delete|reload <target>...  a target: name, id, namespace, all, ecosystem file,
                                         script path or /regex/ over names (restart|reload of a
                                         file re-read it and apply what changed; app flags such as
                                         --max-memory-restart and "-- args" given to restart|reload
                                         change those apps first; -a/--update-env; --attach)
  startOrRestart|startOrReload|startOrGracefulReload <ecosystem>   start what is new, re-apply the rest
  reset <target>...                      restart counters back to 0
  serve [path] [port] [--spa] [--basic-auth-username u --basic-auth-password p] [--host h]
                                         a static file server as an app (default: . on 8080)
  pid [name], id <name>                  the pids (one per line) / the ids of an app
  scale <name> <n|+n|-n>                 change the number of instances
  list, ls, status [--sort field[:desc]] [-m/--mini-list]   the process table
  jlist                                  the process list as JSON
  describe, show <name|id>               everything about a process (env names only)
  env <id>                               the env values of one process (asked for explicitly)
  logs [name|id] [--lines N] [--nostream] [--raw] [--json] [--err|--out]
       [--timestamp [format]] [--highlight text] [--format]
  monit                                  live CPU and memory of every process (q to quit)
  flush [name|id]                        empty log files
  reloadLogs                             reopen log files (after an external rotation)
  sendSignal <signal> <name|id>          send a signal to a process
  send <id> <line>                       write a line to a process's stdin
  attach <id> [separator]                its output here, your lines to its stdin (Ctrl-C detaches)
  ecosystem                              write a sample ecosystem.config.js
  save                                   write the process list to dump.json (autosave keeps it current)
  resurrect                              start every saved app that is not running
  cleardump                              empty dump.json (the list before stays in dump.json.bak)
  update                                 replace the running daemon with this version's, apps and restart counts kept
  inspect <id|name> [--close-after 10m]       open the Node inspector of a process for a debugger (closed when it detaches)
  web [--port 9615] [--host 127.0.0.1] [--stop]   HTTP API: /, /processes, /metrics (Prometheus)
  startup systemd [--write] [-u user --hp home] [--service-name n] [--wait-ip], unstartup
                                         a systemd unit that restores the saved list at boot
  export <kubernetes|systemd|compose> <ecosystem> [-o file]   the apps for an orchestrator
  set|get|unset|install|module:*         PM2 module settings: not needed (pm2-logrotate's job is built in)
  monitor|unmonitor, link|plus|open...   PM2.io only: a note (monitor) or exit 1 (the hosted service)
  ping                                   start the daemon if needed and check it answers
  kill                                   stop every app and the daemon

Start options (PM2's names):
  -n, --name <name>            -i, --instances <n|max|-n>   --namespace <ns>
  --interpreter <cmd|none>     --node-args "<args>"          --cwd <dir>
  --env <name>                 -w, --watch                    --ignore-watch <path>
  --max-memory-restart <size>  --cron-restart "<cron>"       --no-autorestart
  --restart-delay <ms>         --exp-backoff-restart-delay <ms>
  --max-restarts <n>           --min-uptime <ms>              --max-restarts-window <ms>
  -k, --kill-timeout <ms>      --no-autostart (registered stopped)
  --filter-env [prefixes]      (none, or not these, of this shell's env)   --uid/--gid (must be yours)
  --attach (stream the logs after start/restart/reload)   --watch-delay <s|Nms>
  --wait-ready                 --listen-timeout <ms>          --shutdown-with-message
  --stop-exit-codes <codes>    --merge-logs  --time  --log-date-format <fmt>
  -o, --output <file>          -e, --error <file>             -p, --pid <file>
  -l, --log [file]  (out and err in one more file; default <name>.log)   --log-type json
  --disable-logs (no log files)
  --log-max-size <size|0>      --log-retain <n>               --log-compress
  --monitor-tree               --only <a,b> (ecosystem)       -f, --force (another copy of a running script)
  --no-vizion (no git metadata); accepted with a note, no effect: --source-map-support,
  --disable-source-map-support, -x/--execute-command, --no-pmx, --no-automation, --no-treekill, --trace,
  --v8, --event-loop-inspector, --deep-monitoring, --parallel <n>; --no-daemon: use corral-runtime

Environment: CORRAL_HOME (default ~/.corral)`;

interface Context {
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
function connect(): Promise<DaemonClient> {
  if (!shared) {
    shared = DaemonClient.connect();
    shared.then((client) => client.onDisconnect(() => (shared = undefined)), () => (shared = undefined));
  }
  return shared;
}

function requireTargets(ctx: Context, command: string): string[] {
  if (ctx.positionals.length === 0) throw new CorralError(ErrorCode.BadArgument, `${command}: give a name, id, namespace, "all" or an ecosystem file`);
  return ctx.positionals;
}

/**
 * Ecosystem files among the targets become the names of their apps; regexes and script paths become
 * the ids of the processes they match (target-patterns.ts).
 */
async function expandTargets(ctx: Context, targets: string[]): Promise<string[]> {
  const expanded: string[] = [];
  for (const target of targets) {
    if (isEcosystemFile(target) && fs.existsSync(target)) {
      const { apps } = await loadEcosystem(target, { only: splitList(ctx.values.only) });
      expanded.push(...apps.map((app) => app.name));
    } else expanded.push(target);
  }
  if (!expanded.some(needsList)) return expanded;
  return expandTargetPatterns(expanded, await withClient((client) => client.call('list', {})), process.cwd());
}

function isEcosystemTarget(target: string): boolean {
  return isEcosystemFile(target) && fs.existsSync(target);
}

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
  else if (Array.isArray(options.watch)) options.watch = (options.watch as string[]).map((item) => path.resolve(item));
  if (ctx.passthrough.length > 0) options.args = ctx.passthrough;
  for (const key of ['name', 'instances']) {
    if (key in options) throw new CorralError(ErrorCode.BadArgument, `${flagLabel(key)}: cannot change on a restart (${key === 'instances' ? 'use corral scale' : 'delete and start the app again'})`);
  }
  if (Object.keys(options).length === 0) return undefined;
  // Paths are the shell's, as at start.
  for (const key of ['out_file', 'error_file', 'pid_file', 'log_file', 'cwd']) {
    if (typeof options[key] === 'string' && options[key] !== 'NULL' && options[key] !== '/dev/null') options[key] = path.resolve(options[key] as string);
  }
  normalizeApp({ script: process.execPath, ...options }, { source: '', baseDir: process.cwd(), baseEnv: {}, cpuCount: 1, fileExists: () => true, label: flagLabel });
  return options;
}

/** `--update-env`: this shell's env, for restart and reload. */
function callerEnv(ctx: Context): Record<string, string> | undefined {
  if (ctx.values['update-env'] !== true) return undefined;
  return Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined));
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
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new CorralError(ErrorCode.BadArgument, `serve: port: expected 1-65535, got ${JSON.stringify(portText)}`);
  const root = path.resolve(folder);
  if (!fs.statSync(root, { throwIfNoEntry: false })?.isDirectory()) throw new CorralError(ErrorCode.BadArgument, `serve: ${root} is not a folder`);
  const user = ctx.values['basic-auth-username'];
  const password = ctx.values['basic-auth-password'];
  if ((user === undefined) !== (password === undefined)) throw new CorralError(ErrorCode.BadArgument, 'serve: give both --basic-auth-username and --basic-auth-password');
  const env: Record<string, string> = {};
  if (ctx.values.spa === true) env.CORRAL_SERVE_SPA = '1';
  if (typeof ctx.values.host === 'string') env.CORRAL_SERVE_HOST = ctx.values.host;
  if (typeof user === 'string' && typeof password === 'string') env.CORRAL_SERVE_AUTH = `${user}:${password}`;
  const name = typeof ctx.values.name === 'string' ? ctx.values.name : `static-page-server-${port}`;
  const { app } = normalizeApp(
    { name, script: path.join(__dirname, 'serve.js'), args: [root, String(port)], env, cwd: root },
    { source: '', baseDir: process.cwd(), baseEnv: {}, cpuCount: 1, fileExists: (file) => fs.existsSync(file), label: flagLabel },
  );
  return withClient((client) => client.call('start', { apps: [app] }, LONG_CALL_MS));
}

/**
 * PM2's module settings (`pm2 set pm2-logrotate:max_size 10M`, `pm2 install pm2-logrotate`): what
 * pm2-logrotate does is built in (per app: log_max_size, log_retain, log_compress), so its keys are
 * accepted with a note and exit 0, and a deploy script written for PM2 goes on. Anything else has no
 * counterpart: exit 1, saying so.
 */
function moduleCommand(ctx: Context, command: string): void {
  const [key] = ctx.positionals;
  if (command === 'logrotate' || (key && /^pm2-logrotate(:|$)/.test(key))) {
    ctx.err(`${paint(ctx.style, 'yellow', 'note')} ${[command, key].filter(Boolean).join(' ')}: log rotation is built into Corral; set log_max_size, log_retain and log_compress per app (ecosystem file or --log-max-size)`);
    return;
  }
  throw new CorralError(ErrorCode.BadArgument, `${command}: Corral has no modules or settings store${key ? ` (${key})` : ''}; app options go in the ecosystem file, daemon settings are CORRAL_* environment variables`);
}

/** PM2 exits 1 when an action reached no process (`restart all` of an empty list). */
function requireSome(command: string, targets: string[], processes: ProcessInfo[]): void {
  if (processes.length === 0) throw new CorralError(ErrorCode.NotFound, `${command}: no process matched ${targets.map((target) => JSON.stringify(target)).join(' ')}`);
}

function printWarnings(ctx: Context, warnings: string[]): void {
  // Warnings name files and apps that came from elsewhere: no control character reaches the terminal.
  // eslint-disable-next-line no-control-regex
  for (const warning of warnings) ctx.err(`${paint(ctx.style, 'yellow', 'warning')} ${warning.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?')}`);
}

/**
 * `start a.js b.js`, `start eco.config.js`, `start "npm run dev"`, `start -` (an ecosystem as JSON on
 * stdin), `start <known app>`: every target is read first, so a bad one starts nothing.
 */
async function startCommand(ctx: Context): Promise<ProcessInfo[]> {
  const targets = ctx.positionals;
  if (targets.length === 0) throw new CorralError(ErrorCode.BadArgument, 'start: give a script, an ecosystem file, a name, an id or "all"');
  if (targets.length > 1 && ctx.values.name !== undefined) throw new CorralError(ErrorCode.BadArgument, '--name names one app: start the scripts one at a time to name each');
  const isKnown = async (candidate: string): Promise<boolean> => matchLocal(await (await connect()).call('list', {}), candidate).length > 0;
  const requests: Array<{ target: string; request: StartRequest }> = [];
  for (const target of targets) requests.push({ target, request: target === '-' ? stdinRequest(ctx) : await buildStartRequest(target, ctx, isKnown) });
  for (const { request } of requests) if (request.kind === 'apps') printWarnings(ctx, request.warnings);
  const client = await connect();
  const started: ProcessInfo[] = [];
  // An ecosystem start re-applies the file: apps already known take the new config (PM2 does the same).
  const fromFiles = requests.flatMap(({ request }) => (request.kind === 'apps' && request.fromEcosystem ? request.apps : []));
  const scripts = requests.flatMap(({ request }) => (request.kind === 'apps' && !request.fromEcosystem ? request.apps : []));
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
  const { apps, warnings } = ecosystemFromText(fs.readFileSync(0, 'utf8'), '(stdin)', process.cwd(), { envName, only: splitList(ctx.values.only) });
  return { kind: 'apps', apps, warnings, fromEcosystem: true };
}

function summarize(ctx: Context, verb: string, processes: ProcessInfo[]): void {
  if (ctx.values.silent) return;
  for (const process of processes) ctx.out(`${paint(ctx.style, 'green', '✓')} ${verb} ${safeText(process.name)} (id ${process.id})`);
}

/** After an action: what it did, the list, and with PM2's --attach the live logs of those processes. */
async function finish(ctx: Context, verb: string, processes: ProcessInfo[], attachable = true): Promise<void> {
  summarize(ctx, verb, processes);
  if (!ctx.values.silent) await showList(ctx);
  if (ctx.values.attach && attachable && processes.length > 0) await logsCommand(ctx, processes);
}

function withClient<T>(run: (client: DaemonClient) => Promise<T>): Promise<T> {
  return connect().then(run);
}

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
    throw new CorralError(ErrorCode.BadArgument, `--sort: expected <field>[:asc|desc] with field one of ${Object.keys(SORT_FIELDS).join(', ')}, got ${JSON.stringify(ctx.values.sort)}`);
  }
  const sign = direction === 'desc' ? -1 : 1;
  return [...list].sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    return sign * (typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y))) || a.id - b.id;
  });
}

async function showList(ctx: Context): Promise<void> {
  const list = sortList(ctx, await withClient((client) => client.call('list', {})));
  // PM2's -m/--mini-list: one line per process, for scripts and narrow terminals.
  if (ctx.values['mini-list']) return ctx.out(list.map((process) => `${process.id} ${safeText(process.name)} ${process.status} ${process.pid ?? '-'}`).join('\n'));
  ctx.out(renderProcessTable(list, ctx.style));
}

function matchLocal(list: ProcessInfo[], target: string | undefined): ProcessInfo[] {
  if (target === undefined || target === 'all') return list;
  if (/^\d+$/.test(target)) {
    const byId = list.filter((process) => process.id === Number(target));
    if (byId.length > 0) return byId;
  }
  const byName = list.filter((process) => process.name === target);
  return byName.length > 0 ? byName : list.filter((process) => process.namespace === target);
}

/** `logs [target]`; with `chosen` (PM2's --attach after start/restart/reload), the live lines of those processes. */
async function logsCommand(ctx: Context, chosen?: ProcessInfo[]): Promise<void> {
  const target = chosen ? undefined : ctx.positionals[0];
  const lines = ctx.values.lines === undefined ? (chosen ? 0 : 15) : Number(ctx.values.lines);
  if (!Number.isInteger(lines) || lines < 0) throw new CorralError(ErrorCode.BadArgument, `--lines: expected a whole number of 0 or more, got ${JSON.stringify(ctx.values.lines)}`);
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
  const stamp = (at: number | null): string => (stampFormat === null || at === null ? '' : `${paint(ctx.style, 'grey', formatDate(new Date(at), String(stampFormat)))} `);
  const keyValue = ctx.values.format === true;
  const asKeyValue = (process: { id: number; name: string }, stream: 'out' | 'err', message: string, at: number | null): string =>
    `${at === null ? '' : `timestamp=${new Date(at).toISOString()} `}app=${process.name} id=${process.id} type=${stream} message=${message}`;
  // PM2's --highlight <text>: every occurrence stands out (on a terminal).
  const highlight = typeof ctx.values.highlight === 'string' && ctx.values.highlight !== '' ? ctx.values.highlight : null;
  const marked = (line: string): string => (highlight && ctx.style.color ? line.split(highlight).join(`\u001b[7m${highlight}\u001b[27m`) : line);
  const width = Math.max(0, ...processes.map((process) => `${process.id}|${safeText(process.name)}`.length));
  const prefix = (process: { id: number; name: string }): string => (raw ? '' : `${paint(ctx.style, 'cyan', `${process.id}|${safeText(process.name)}`.padEnd(width))} | `);
  // Log lines keep their colours; other escape sequences are shown, not obeyed. --raw into a pipe or a
  // file is for programs: the lines exactly as the app wrote them.
  const writeLine = raw && !process.stdout.isTTY ? ctx.outRaw : ctx.out;
  const writeJson = ctx.outRaw;
  const seen = new Set<string>();
  for (const process of processes) {
    for (const [file, wanted, color] of [[process.out_log, wantOut, 'grey'], [process.err_log, wantErr, 'red']] as const) {
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
  const print = (stream: 'out' | 'err') => (event: LogEvent): void => {
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

/** `send` and `attach` reach one process: an id, or the name of an app with one instance. */
async function oneProcess(command: string, target: string | undefined): Promise<ProcessInfo> {
  if (!target) throw new CorralError(ErrorCode.BadArgument, `${command}: give a process id`);
  const list = await withClient((client) => client.call('list', {}));
  const matched = /^\d+$/.test(target) ? list.filter((process) => process.id === Number(target)) : list.filter((process) => process.name === target);
  if (matched.length === 0) throw new CorralError(ErrorCode.NotFound, `${command}: no process with ${/^\d+$/.test(target) ? 'id' : 'name'} ${JSON.stringify(target)}`);
  if (matched.length > 1) throw new CorralError(ErrorCode.BadArgument, `${command}: ${JSON.stringify(target)} has ${matched.length} instances: give one id (${matched.map((process) => process.id).join(', ')})`);
  return matched[0];
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
  const show = (stream: 'out' | 'err') => (event: LogEvent): void => {
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

/** Stops every app and the daemon, and waits until its pid is gone. */
async function endDaemon(client: DaemonClient): Promise<{ pid: number; stopped: number; problems: string[] }> {
  const pid = client.daemon.pid;
  let stopped = 0;
  let problems: string[] = [];
  try {
    ({ stopped, problems = [] } = await client.call('kill', {}, LONG_CALL_MS));
  } catch (error) {
    if (!(error instanceof CorralError && error.code === ErrorCode.DaemonUnavailable)) throw error;
  } finally {
    client.close();
  }
  const deadline = Date.now() + 10_000;
  while (processAlive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  if (processAlive(pid)) throw new CorralError(ErrorCode.Timeout, `the daemon (pid ${pid}) did not exit`);
  return { pid, stopped, problems };
}

async function killCommand(ctx: Context): Promise<void> {
  const paths = homePaths(resolveHome());
  if (!(await socketAnswers(paths.rpcSocket))) {
    ctx.out('No daemon is running.');
    return;
  }
  const { pid, stopped, problems } = await endDaemon(await DaemonClient.connect({ spawn: false }));
  // Everything stopped, so the kill did its job; what could not be saved is said, not fatal.
  printWarnings(ctx, problems);
  ctx.out(`${paint(ctx.style, 'green', '✓')} stopped ${stopped} process${stopped === 1 ? '' : 'es'} and the daemon (pid ${pid})`);
}

/**
 * PM2's `update`: the running daemon (of any version: it is asked only to save and to end) is
 * replaced by this installation's, and the saved list comes back with its restart counts. Apps are
 * down in between, as in PM2. Nothing is stopped when the list cannot be saved first.
 */
async function updateCommand(ctx: Context): Promise<void> {
  const paths = homePaths(resolveHome());
  if (!(await socketAnswers(paths.rpcSocket))) {
    ctx.out(`No daemon is running: the next command starts Corral ${VERSION}.`);
    return;
  }
  const old = await DaemonClient.connect({ spawn: false, anyProtocol: true });
  const before = old.daemon;
  try {
    await old.call('save', {});
  } catch (error) {
    old.close();
    throw new CorralError(ErrorCode.Io, `update: nothing was stopped, because the list could not be saved first: ${(error as Error).message}`, { cause: error });
  }
  const { problems } = await endDaemon(old);
  printWarnings(ctx, problems);
  const client = await connect();
  const { processes, warnings } = await client.call('resurrect', {}, LONG_CALL_MS);
  printWarnings(ctx, warnings);
  const after = client.daemon;
  ctx.out(`${paint(ctx.style, 'green', '✓')} updated the daemon: ${safeText(before.version)} (pid ${before.pid}) -> ${after.version} (pid ${after.pid}), ${processes.length} process${processes.length === 1 ? '' : 'es'} back`);
  if (!ctx.values.silent) await showList(ctx);
}

/** PM2's `cleardump`: the saved list becomes empty, through the daemon when one runs. */
async function clearDumpCommand(ctx: Context): Promise<void> {
  const paths = homePaths(resolveHome());
  let file = paths.dump;
  if (await socketAnswers(paths.rpcSocket)) ({ file } = await withClient((client) => client.call('clearDump', {})));
  else {
    prepareHome(paths, false);
    writeDump(file, { version: DUMP_VERSION, savedAt: Date.now(), apps: [] });
  }
  ctx.out(`${paint(ctx.style, 'green', '✓')} emptied ${safeText(file)} (the list before is in ${safeText(file)}.bak; autosave writes the live list again at the next change)`);
}

/** A live table of CPU and memory from the daemon's metrics ticks; q or Ctrl-C quits. */
async function monitCommand(ctx: Context): Promise<void> {
  const client = await connect();
  const subscription = await client.subscribe();
  const history = new Map<number, number[]>();
  for (const description of await client.call('describe', { targets: ['all'] }).catch(() => [])) {
    history.set(description.id, description.samples.map((sample) => sample.memory));
  }
  const tty = process.stdout.isTTY === true;
  const draw = async (): Promise<void> => {
    const list = await client.call('list', {});
    const screen = renderMonit(list, history, ctx.style, new Date());
    process.stdout.write(tty ? `\u001b[H\u001b[2J${screen}\n` : `${screen}\n\n`);
  };
  if (tty) process.stdout.write('\u001b[?1049h\u001b[?25l'); // alternate screen, hidden cursor
  await draw();
  subscription.on('metrics', (event) => {
    for (const sample of event.processes) {
      const values = history.get(sample.id) ?? [];
      values.push(sample.memory);
      if (values.length > 60) values.shift();
      history.set(sample.id, values);
    }
    void draw().catch(() => undefined);
  });
  subscription.on('process:event', () => void draw().catch(() => undefined));
  await new Promise<void>((resolve) => {
    if (process.stdin.isTTY) {
      process.stdin.setRawMode(true);
      process.stdin.resume();
      process.stdin.on('data', (key: Buffer) => {
        const text = key.toString();
        if (text === 'q' || text === 'Q' || text === '\u0003' || text === '\u001b') resolve();
      });
    }
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
    client.onDisconnect(() => resolve());
    subscription.on('daemon:exit', () => resolve());
  });
  if (tty) process.stdout.write('\u001b[?25h\u001b[?1049l');
  if (process.stdin.isTTY) process.stdin.setRawMode(false);
  subscription.dispose();
  client.close();
}

/** `startup systemd [--write]` prints or installs a user unit; `unstartup` removes it. */
/**
 * `startup systemd [--write]`: a user unit for this user's home. With PM2's `-u <user> --hp <home>`
 * (and `--service-name`), a system unit that runs the daemon as that user for <home>/.corral, which
 * only root can install. Other init systems: see the README.
 */
function startupCommand(ctx: Context, install: boolean): void {
  const verb = install ? 'startup' : 'unstartup';
  const [system = 'systemd', ...extra] = ctx.positionals;
  if (system !== 'systemd' || extra.length > 0) throw new CorralError(ErrorCode.BadArgument, `${verb}: only "systemd" is supported (got ${JSON.stringify([system, ...extra].join(' '))})`);
  const user = typeof ctx.values.user === 'string' ? ctx.values.user : undefined;
  const userHome = typeof ctx.values.hp === 'string' ? ctx.values.hp : undefined;
  const service = typeof ctx.values['service-name'] === 'string' ? ctx.values['service-name'] : 'corral';
  if (!/^[A-Za-z0-9_.@-]{1,200}$/.test(service)) throw new CorralError(ErrorCode.BadArgument, `--service-name: expected letters, digits, "_", ".", "@" or "-", got ${JSON.stringify(service)}`);
  if (user !== undefined && !/^[A-Za-z_][A-Za-z0-9_.-]{0,31}\$?$/.test(user)) throw new CorralError(ErrorCode.BadArgument, `-u/--user: not a user name: ${JSON.stringify(user)}`);
  if (userHome !== undefined && !path.isAbsolute(userHome)) throw new CorralError(ErrorCode.BadArgument, `--hp: expected an absolute path, got ${JSON.stringify(userHome)}`);
  const systemWide = user !== undefined || userHome !== undefined;
  if (systemWide && (user === undefined || userHome === undefined)) throw new CorralError(ErrorCode.BadArgument, `${verb}: give both -u <user> and --hp <home> for a system unit (or neither for your own user unit)`);
  const unitDir = systemWide ? '/etc/systemd/system' : path.join(process.env.XDG_CONFIG_HOME ?? path.join(os.homedir(), '.config'), 'systemd', 'user');
  const unitFile = path.join(unitDir, `${service}.service`);
  const systemctl = systemWide ? 'systemctl' : 'systemctl --user';
  if (!install) {
    const existed = fs.existsSync(unitFile);
    fs.rmSync(unitFile, { force: true });
    ctx.out(existed ? `removed ${unitFile}; run: ${systemctl} disable ${service}` : `no unit at ${unitFile}`);
    return;
  }
  const unit = startupUnit({
    nodePath: process.execPath,
    daemonScript: path.join(__dirname, 'daemon.js'),
    cliScript: __filename,
    home: userHome ? path.join(userHome, '.corral') : resolveHome(),
    user: !systemWide,
    runAs: user,
    waitIp: ctx.values['wait-ip'] === true,
  });
  // PM2's -w is --write; Corral's is --watch (a documented difference), but `startup -w` installs as in PM2.
  if (ctx.values.write !== true && ctx.values.watch !== true) {
    ctx.out(unit);
    ctx.err(`(the same command with --write installs this as ${unitFile}${systemWide ? ', as root' : ''})`);
    return;
  }
  if (systemWide && process.getuid?.() !== 0) throw new CorralError(ErrorCode.BadArgument, `startup: ${unitDir} needs root: run the same command with sudo`);
  fs.mkdirSync(unitDir, { recursive: true });
  fs.writeFileSync(unitFile, unit);
  ctx.out(
    systemWide
      ? `wrote ${unitFile}\nnow run: systemctl daemon-reload && systemctl enable --now ${service}`
      : `wrote ${unitFile}\nnow run: systemctl --user daemon-reload && systemctl --user enable --now ${service}\n(to start at boot without a login: loginctl enable-linger $USER)`,
  );
}

/** `export kubernetes|systemd|compose <ecosystem> [-o file|dir]`. */
async function exportCommand(ctx: Context): Promise<void> {
  const [kind, file, ...extra] = ctx.positionals;
  if (!kind || !file || extra.length > 0 || !['kubernetes', 'k8s', 'systemd', 'compose'].includes(kind)) {
    throw new CorralError(ErrorCode.BadArgument, 'export: usage: corral export <kubernetes|systemd|compose> <ecosystem file> [-o file]');
  }
  // Only the env the file itself sets: the shell's environment is not part of an app's definition.
  const envName = typeof ctx.values.env === 'string' ? ctx.values.env : undefined;
  const { apps, warnings } = await loadEcosystem(file, { envName, only: splitList(ctx.values.only), baseEnv: {} });
  printWarnings(ctx, warnings);
  const output = typeof ctx.values.output === 'string' ? ctx.values.output : undefined;
  if (kind === 'systemd') {
    const units = exportSystemdUnits(apps, process.execPath);
    if (!output) return ctx.out(units.map((unit) => `# ${unit.file}\n${unit.text}`).join('\n'));
    fs.mkdirSync(output, { recursive: true });
    for (const unit of units) fs.writeFileSync(path.join(output, unit.file), unit.text);
    return ctx.out(`wrote ${units.map((unit) => path.join(output, unit.file)).join(', ')}`);
  }
  const text = kind === 'compose' ? exportCompose(apps) : exportKubernetes(apps);
  if (!output) return ctx.out(text.trimEnd());
  fs.writeFileSync(output, text);
  ctx.out(`wrote ${output}`);
}

async function run(argv: string[]): Promise<void> {
  const parsed = parseCommandLine(argv);
  const ctx: Context = {
    ...parsed,
    style: { color: process.stdout.isTTY === true && !process.env.NO_COLOR && parsed.values['no-color'] !== true },
    out: (text) => process.stdout.write(`${safeOutput(text)}\n`),
    err: (text) => process.stderr.write(`${safeOutput(text)}\n`),
    outRaw: (text) => process.stdout.write(`${text}\n`),
  };
  const [command, ...rest] = parsed.positionals;
  ctx.positionals = rest;
  if ((ctx.values.version || ctx.values.V) && !command) return ctx.out(VERSION);
  if (ctx.values['no-daemon']) {
    throw new CorralError(ErrorCode.BadArgument, '--no-daemon: run the apps in the foreground with corral-runtime instead (corral-runtime start ecosystem.config.js), as pm2-runtime does');
  }
  if (ctx.values.write && command === 'start') {
    throw new CorralError(ErrorCode.BadArgument, '--write: Corral does not write <name>-pm2.json; corral ecosystem writes a sample file, and an ecosystem file is the saved form of an app');
  }
  if (ctx.values.parallel !== undefined && !/^\d+$/.test(String(ctx.values.parallel))) {
    throw new CorralError(ErrorCode.BadArgument, `--parallel: expected a number, got ${JSON.stringify(ctx.values.parallel)}`);
  }
  if (ctx.values.parallel !== undefined) ctx.err(`${paint(ctx.style, 'yellow', 'note')} --parallel: accepted, no effect (Corral restarts every app named at once; a cluster app's reload goes one worker at a time)`);
  if (ctx.values.help || !command || command === 'help') return ctx.out(HELP);

  switch (command) {
    case 'start': {
      const processes = await startCommand(ctx);
      const failed = processes.filter((process) => process.status === 'errored');
      if (!ctx.values.silent) await showList(ctx);
      if (failed.length > 0) {
        throw new CorralError(ErrorCode.Internal, failed.map((process) => `${process.name} (id ${process.id}) failed to start: ${process.last_reason_detail ?? 'unknown reason'}`).join('\n'));
      }
      if (ctx.values.attach) await logsCommand(ctx, processes);
      return;
    }
    case 'startOrRestart':
    case 'startOrReload':
    case 'startOrGracefulReload': {
      const [file, ...extra] = ctx.positionals;
      if (!file || extra.length > 0 || !isEcosystemFile(file)) throw new CorralError(ErrorCode.BadArgument, `${command}: give one ecosystem file`);
      const processes = await reapplyFiles(ctx, [file], command === 'startOrRestart' ? 'restart' : 'reload');
      return finish(ctx, command === 'startOrRestart' ? 'started or restarted' : 'started or reloaded', processes);
    }
    case 'stop':
    case 'restart':
    case 'delete':
    case 'del': {
      if (command === 'restart' && ctx.positionals.some(isEcosystemTarget)) {
        return finish(ctx, 'restarted', await reapplyFiles(ctx, ctx.positionals, 'restart'));
      }
      const targets = await expandTargets(ctx, requireTargets(ctx, command));
      const method = command === 'del' ? 'delete' : command;
      const updateEnv = method === 'restart' ? callerEnv(ctx) : undefined;
      // `restart --watch` toggles watching; `restart --watch=src` (or --watch <folder>) watches those paths.
      const toggleWatch = method === 'restart' && ctx.values.watch === true && ctx.values['watch-paths'] === undefined;
      const options = method === 'restart' ? commandLineOptions(ctx) : undefined;
      const processes = await withClient((client) =>
        client.call(method, { targets, ...(updateEnv ? { updateEnv } : {}), ...(toggleWatch ? { toggleWatch } : {}), ...(options ? { options } : {}) }, LONG_CALL_MS),
      );
      requireSome(method, targets, processes);
      return finish(ctx, { stop: 'stopped', restart: 'restarted', delete: 'deleted' }[method], processes, method !== 'delete');
    }
    case 'reload': {
      if (ctx.positionals.some(isEcosystemTarget)) {
        return finish(ctx, 'reloaded', await reapplyFiles(ctx, ctx.positionals, 'reload'));
      }
      const targets = await expandTargets(ctx, requireTargets(ctx, command));
      const updateEnv = callerEnv(ctx);
      const options = commandLineOptions(ctx);
      const processes = await withClient((client) => client.call('reload', { targets, ...(updateEnv ? { updateEnv } : {}), ...(options ? { options } : {}) }, LONG_CALL_MS));
      requireSome('reload', targets, processes);
      return finish(ctx, 'reloaded', processes);
    }
    case 'serve':
    case 'expose': {
      const processes = await serveCommand(ctx);
      summarize(ctx, 'serving with', processes);
      return;
    }
    case 'reset': {
      const targets = await expandTargets(ctx, requireTargets(ctx, command));
      const processes = await withClient((client) => client.call('reset', { targets }));
      requireSome('reset', targets, processes);
      summarize(ctx, 'reset the counters of', processes);
      return;
    }
    case 'pid': {
      // PM2 prints the pids of the app (of every process without a name), one per line; nothing running: nothing.
      const list = await withClient((client) => client.call('list', {}));
      const [target] = ctx.positionals;
      const matched = target === undefined ? list : matchLocal(list, target);
      return ctx.out(matched.flatMap((process) => (process.pid === null ? [] : [String(process.pid)])).join('\n'));
    }
    case 'id': {
      const [target] = ctx.positionals;
      if (!target) throw new CorralError(ErrorCode.BadArgument, 'id: give an app name');
      const list = await withClient((client) => client.call('list', {}));
      // PM2's form: the ids as a list, [] when none.
      return ctx.out(inspect(list.filter((process) => process.name === target).map((process) => process.id)));
    }
    case 'send':
      return sendCommand(ctx);
    case 'attach':
      return attachCommand(ctx);
    case 'set':
    case 'get':
    case 'unset':
    case 'install':
    case 'uninstall':
    case 'multiset':
    case 'conf':
    case 'config':
    case 'logrotate':
    case 'module:install':
    case 'module:uninstall':
    case 'module:update':
    case 'module:generate':
    case 'module:publish':
    case 'publish':
    case 'package':
      return moduleCommand(ctx, command);
    case 'monitor':
    case 'unmonitor':
      // PM2.io's per-app switch: nothing to turn on or off here, and a script calling it goes on.
      ctx.err(`${paint(ctx.style, 'yellow', 'note')} ${command}: PM2.io monitoring only; nothing to do in Corral (corral monit shows live figures)`);
      return;
    case 'link':
    case 'unlink':
    case 'plus':
    case 'register':
    case 'login':
    case 'logout':
    case 'open':
      throw new CorralError(ErrorCode.Unsupported, `${command}: PM2.io (PM2 Plus) only; Corral has no hosted service (corral web serves the HTTP API and Prometheus metrics)`);
    case 'scale': {
      const [name, instances, ...extra] = ctx.positionals;
      if (!name || instances === undefined || extra.length > 0) throw new CorralError(ErrorCode.BadArgument, 'scale: usage: corral scale <name> <n | +n | -n>');
      await withClient((client) => client.call('scale', { name, instances }, LONG_CALL_MS));
      if (!ctx.values.silent) await showList(ctx);
      return;
    }
    case 'list':
    case 'ls':
    case 'l':
    case 'ps':
    case 'status':
      return showList(ctx);
    case 'jlist':
      return ctx.outRaw(safeJson((await withClient((client) => client.call('list', {}))).map(withPm2Shape)));
    case 'prettylist':
      // PM2's pretty form: the same list as an inspected JavaScript value.
      return ctx.out(inspect((await withClient((client) => client.call('list', {}))).map(withPm2Shape), { depth: null, colors: ctx.style.color, breakLength: 120 }));
    case 'describe':
    case 'desc':
    case 'show':
    case 'info': {
      const targets = requireTargets(ctx, command);
      const descriptions = await withClient((client) => client.call('describe', { targets }));
      if (ctx.values.json) return ctx.outRaw(safeJson(descriptions));
      return ctx.out(descriptions.map((description) => renderDescription(description, ctx.style)).join('\n\n'));
    }
    case 'logs':
    case 'log':
      return logsCommand(ctx);
    case 'monit':
    case 'imonit':
    case 'dashboard':
    case 'dash':
      return monitCommand(ctx);
    case 'flush': {
      const targets = ctx.positionals.length > 0 ? ctx.positionals : undefined;
      const { files } = await withClient((client) => client.call('flush', targets ? { targets } : {}));
      return ctx.out(`${paint(ctx.style, 'green', '✓')} flushed ${files.length} log file${files.length === 1 ? '' : 's'}`);
    }
    case 'reloadLogs':
    case 'reloadlogs': {
      const { files } = await withClient((client) => client.call('reloadLogs', {}));
      return ctx.out(`${paint(ctx.style, 'green', '✓')} reopened ${files} log file${files === 1 ? '' : 's'}`);
    }
    case 'sendSignal':
    case 'sendsignal': {
      const [signal, ...targets] = ctx.positionals;
      if (!signal || targets.length === 0) throw new CorralError(ErrorCode.BadArgument, 'sendSignal: usage: corral sendSignal <signal> <name|id>');
      const processes = await withClient((client) => client.call('sendSignal', { signal, targets }));
      return summarize(ctx, `sent ${signal} to`, processes);
    }
    case 'ping': {
      const info = await withClient(async (client) => client.daemon);
      return ctx.outRaw(safeJson({ msg: 'pong', pid: info.pid, version: info.version, home: info.home }));
    }
    case 'env': {
      const [target, ...extra] = ctx.positionals;
      if (!target || extra.length > 0) throw new CorralError(ErrorCode.BadArgument, 'env: usage: corral env <id>');
      const { env } = await withClient((client) => client.call('env', { target }));
      return ctx.out(Object.keys(env).sort().map((key) => `${key}=${env[key]}`).join('\n'));
    }
    case 'inspect':
    case 'debug': {
      const [target, ...extra] = ctx.positionals;
      if (!target || extra.length > 0) throw new CorralError(ErrorCode.BadArgument, 'inspect: usage: corral inspect <id|name> [--close-after 10m]');
      const { id } = await oneProcess('inspect', target);
      const closeAfterMs = ctx.values['close-after'] === undefined ? undefined : parseDuration(ctx.values['close-after']);
      if (closeAfterMs === undefined && ctx.values['close-after'] !== undefined) throw new CorralError(ErrorCode.BadArgument, `--close-after: expected a duration such as 90s or 10m, got ${JSON.stringify(ctx.values['close-after'])}`);
      const result = await withClient((client) => client.call('inspect', { id, ...(closeAfterMs === undefined ? {} : { closeAfterMs }) }, LONG_CALL_MS));
      // A daemon from before the bound says nothing about it (undefined): then neither do we.
      const closes = result.closesAfterMs === undefined ? ''
        : result.closesAfterMs === null ? '\nit is the app\'s own inspector: Corral leaves it open'
          : `\nit closes when the debugger detaches, or in ${result.closesAfterMs < 1000 ? `${result.closesAfterMs}ms` : formatDuration(result.closesAfterMs)} if none attaches`;
      return ctx.out(`${paint(ctx.style, 'green', '✓')} inspector of process ${target}${result.restarted ? ' (restarted with --inspect)' : ''}: ${result.url}\nattach with a "node" attach configuration: address ${result.host}, port ${result.port}${closes}`);
    }
    case 'web': {
      const stop = ctx.values.stop === true;
      const port = ctx.values.port === undefined ? undefined : Number(ctx.values.port);
      if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new CorralError(ErrorCode.BadArgument, `--port: expected 0-65535, got ${JSON.stringify(ctx.values.port)}`);
      const host = typeof ctx.values.host === 'string' ? ctx.values.host : undefined;
      const { url, tokenFile } = await withClient((client) => client.call('web', stop ? { stop: true } : { host, port }));
      if (!url) return ctx.out(`${paint(ctx.style, 'green', '✓')} web API stopped`);
      return ctx.out(`${paint(ctx.style, 'green', '✓')} web API on ${url}: /, /processes, /metrics${tokenFile ? `\nrequests need the header "Authorization: Bearer <token>" with the token in ${tokenFile}` : ''}`);
    }
    case 'startup':
    case 'unstartup':
      return startupCommand(ctx, command === 'startup');
    case 'export':
      return exportCommand(ctx);
    case 'save':
    case 'dump': {
      const { file, apps } = await withClient((client) => client.call('save', {}));
      return ctx.out(`${paint(ctx.style, 'green', '✓')} saved ${apps} app${apps === 1 ? '' : 's'} to ${file}`);
    }
    case 'resurrect': {
      const { processes, warnings } = await withClient((client) => client.call('resurrect', {}, LONG_CALL_MS));
      printWarnings(ctx, warnings);
      if (!ctx.values.silent) ctx.out(`${paint(ctx.style, 'green', '✓')} resurrected ${processes.length} process${processes.length === 1 ? '' : 'es'}`);
      if (!ctx.values.silent) await showList(ctx);
      return;
    }
    case 'kill':
      return killCommand(ctx);
    case 'update':
    case 'updatePM2':
      return updateCommand(ctx);
    case 'cleardump':
      return clearDumpCommand(ctx);
    case 'ecosystem':
    case 'init': {
      const file = path.resolve('ecosystem.config.js');
      if (fs.existsSync(file)) throw new CorralError(ErrorCode.AlreadyExists, `ecosystem: ${file} already exists; not overwriting it`);
      fs.writeFileSync(file, ECOSYSTEM_TEMPLATE, { flag: 'wx' });
      return ctx.out(`${paint(ctx.style, 'green', '✓')} wrote ${file}`);
    }
    default:
      throw new CorralError(ErrorCode.BadArgument, `unknown command "${command}" (see corral --help)`);
  }
}

process.noDeprecation = true; // pm2-axon's framing still calls Buffer()
/** Exit once stdout and stderr are flushed: on a pipe, process.exit() would cut a long jlist short. */
function exitWhenFlushed(code: number): void {
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

run(process.argv.slice(2)).then(
  () => exitWhenFlushed(0),
  (error: unknown) => {
    const message = error instanceof ConfigError ? error.problems.join('\n') : error instanceof Error ? error.message : String(error);
    // Messages carry names, paths and the daemon's words: shown, never obeyed by the terminal.
    process.stderr.write(`${safeOutput(message).split('\n').map((line) => `corral: ${line}`).join('\n')}\n`);
    exitWhenFlushed(1);
  },
);
