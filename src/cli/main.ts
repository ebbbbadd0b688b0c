/** `corral`: PM2's commands and flags over the daemon client. The only place that calls process.exit. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DaemonClient, socketAnswers } from '../client/client';
import { isEcosystemFile, loadEcosystem } from '../client/ecosystem';
import { readLastLines } from '../client/log-tail';
import { processAlive } from '../client/process-alive';
import { parseCommandLine } from '../client/argv';
import { buildStartRequest, splitList } from '../client/start-request';
import { ConfigError } from '../shared/config';
import { CorralError, ErrorCode } from '../shared/errors';
import { homePaths, resolveHome } from '../shared/paths';
import type { LogEvent, ProcessInfo } from '../shared/protocol';
import { formatDuration, parseDuration } from '../shared/units';
import { VERSION } from '../shared/version';
import { paint, renderDescription, renderMonit, renderProcessTable, type Style } from './format';
import { ECOSYSTEM_TEMPLATE } from './ecosystem-template';
import { exportCompose, exportKubernetes, exportSystemdUnits, startupUnit } from './exports';

const LONG_CALL_MS = 10 * 60_000; // stops wait for kill_timeout, which users may set high

const HELP = `corral ${VERSION}: a Node.js process manager

Usage: corral <command> [options]

  start <script|ecosystem|name|id|all>  start an app (options below; "-- args" go to the app)
  stop|restart|delete|reload <name|id|namespace|all|ecosystem>...
  scale <name> <n|+n|-n>                 change the number of instances
  list, ls, status                       the process table
  jlist                                  the process list as JSON
  describe, show <name|id>               everything about a process (env names only)
  env <id>                               the env values of one process (asked for explicitly)
  logs [name|id] [--lines N] [--nostream] [--raw] [--json] [--err|--out]
  monit                                  live CPU and memory of every process (q to quit)
  flush [name|id]                        empty log files
  reloadLogs                             reopen log files (after an external rotation)
  sendSignal <signal> <name|id>          send a signal to a process
  ecosystem                              write a sample ecosystem.config.js
  save                                   write the process list to dump.json (autosave keeps it current)
  resurrect                              start every saved app that is not running
  inspect <id> [--close-after 10m]       open the Node inspector of a process for a debugger (closed when it detaches)
  web [--port 9615] [--host 127.0.0.1] [--stop]   HTTP API: /, /processes, /metrics (Prometheus)
  startup systemd [--write], unstartup   a systemd user unit that restores the saved list at boot
  export <kubernetes|systemd|compose> <ecosystem> [-o file]   the apps for an orchestrator
  ping                                   start the daemon if needed and check it answers
  kill                                   stop every app and the daemon

Start options (PM2's names):
  -n, --name <name>            -i, --instances <n|max|-n>   --namespace <ns>
  --interpreter <cmd|none>     --node-args "<args>"          --cwd <dir>
  --env <name>                 -w, --watch                    --ignore-watch <path>
  --max-memory-restart <size>  --cron-restart "<cron>"       --no-autorestart
  --restart-delay <ms>         --exp-backoff-restart-delay <ms>
  --max-restarts <n>           --min-uptime <ms>              --kill-timeout <ms>
  --wait-ready                 --listen-timeout <ms>          --shutdown-with-message
  --stop-exit-codes <codes>    --merge-logs  --time  --log-date-format <fmt>
  -o, --output <file>          -e, --error <file>             -p, --pid <file>
  --log-max-size <size|0>      --log-retain <n>               --log-compress
  --monitor-tree               --only <a,b> (ecosystem)       -f, --force (replace a running app)

Environment: CORRAL_HOME (default ~/.corral)`;

interface Context {
  values: Record<string, unknown>;
  positionals: string[];
  passthrough: string[];
  style: Style;
  out: (text: string) => void;
  err: (text: string) => void;
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

/** Ecosystem files among the targets become the names of their apps. */
async function expandTargets(ctx: Context, targets: string[]): Promise<string[]> {
  const expanded: string[] = [];
  for (const target of targets) {
    if (isEcosystemFile(target) && fs.existsSync(target)) {
      const { apps } = await loadEcosystem(target, { only: splitList(ctx.values.only) });
      expanded.push(...apps.map((app) => app.name));
    } else expanded.push(target);
  }
  return expanded;
}

function printWarnings(ctx: Context, warnings: string[]): void {
  // Warnings name files and apps that came from elsewhere: no control character reaches the terminal.
  for (const warning of warnings) ctx.err(`${paint(ctx.style, 'yellow', 'warning')} ${warning.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?')}`);
}

async function startCommand(ctx: Context): Promise<ProcessInfo[]> {
  const [target, ...extra] = ctx.positionals;
  if (!target) throw new CorralError(ErrorCode.BadArgument, 'start: give a script, an ecosystem file, a name, an id or "all"');
  if (extra.length > 0) throw new CorralError(ErrorCode.BadArgument, `start: unexpected argument "${extra[0]}" (app arguments go after --)`);
  const request = await buildStartRequest(target, ctx);
  if (request.kind === 'apps') printWarnings(ctx, request.warnings);
  const client = await connect();
  try {
    // An ecosystem start re-applies the file: apps already known take the new config (PM2 does the same).
    if (request.kind === 'apps') return await client.call('start', { apps: request.apps, replace: request.fromEcosystem || ctx.values.force === true }, LONG_CALL_MS);
    return await client.call('startExisting', { targets: [target] }, LONG_CALL_MS);
  } catch (error) {
    if (request.kind === 'existing' && error instanceof CorralError && error.code === ErrorCode.NotFound) {
      throw new CorralError(ErrorCode.NotFound, `start: "${target}" is neither a file nor a known app, id or namespace`);
    }
    throw error;
  }
}

function summarize(ctx: Context, verb: string, processes: ProcessInfo[]): void {
  if (ctx.values.silent) return;
  for (const process of processes) ctx.out(`${paint(ctx.style, 'green', '✓')} ${verb} ${process.name} (id ${process.id})`);
}

function withClient<T>(run: (client: DaemonClient) => Promise<T>): Promise<T> {
  return connect().then(run);
}

async function showList(ctx: Context): Promise<void> {
  const list = await withClient((client) => client.call('list', {}));
  ctx.out(renderProcessTable(list, ctx.style));
}

function matchLocal(list: ProcessInfo[], target: string | undefined): ProcessInfo[] {
  if (target === undefined || target === 'all') return list;
  if (/^\d+$/.test(target)) return list.filter((process) => process.id === Number(target));
  const byName = list.filter((process) => process.name === target);
  return byName.length > 0 ? byName : list.filter((process) => process.namespace === target);
}

async function logsCommand(ctx: Context): Promise<void> {
  const target = ctx.positionals[0];
  const lines = ctx.values.lines === undefined ? 15 : Number(ctx.values.lines);
  if (!Number.isInteger(lines) || lines < 0) throw new CorralError(ErrorCode.BadArgument, `--lines: expected a whole number of 0 or more, got ${JSON.stringify(ctx.values.lines)}`);
  const wantOut = ctx.values.err !== true || ctx.values.out === true;
  const wantErr = ctx.values.out !== true || ctx.values.err === true;
  const raw = ctx.values.raw === true;
  const client = await connect();
  const list = await client.call('list', {});
  const processes = matchLocal(list, target);
  if (target !== undefined && processes.length === 0) {
    client.close();
    throw new CorralError(ErrorCode.NotFound, /^\d+$/.test(target) ? `no process with id ${target}` : `no process or namespace named "${target}"`);
  }
  const json = ctx.values.json === true;
  const asJson = (process: { id: number; name: string }, stream: 'out' | 'err', message: string, time: string | null): string =>
    JSON.stringify({ app: process.name, id: process.id, stream, time, message });
  const width = Math.max(0, ...processes.map((process) => `${process.id}|${process.name}`.length));
  const prefix = (process: { id: number; name: string }): string => (raw ? '' : `${paint(ctx.style, 'cyan', `${process.id}|${process.name}`.padEnd(width))} | `);
  const seen = new Set<string>();
  for (const process of processes) {
    for (const [file, wanted, color] of [[process.out_log, wantOut, 'grey'], [process.err_log, wantErr, 'red']] as const) {
      if (!wanted || seen.has(file) || file === '/dev/null' || lines === 0) continue;
      seen.add(file);
      const tail = await readLastLines(file, lines);
      if (json) {
        for (const line of tail) ctx.out(asJson(process, color === 'red' ? 'err' : 'out', line, null));
        continue;
      }
      if (!raw) ctx.out(paint(ctx.style, 'grey', `${file} last ${lines} lines:`));
      for (const line of tail) ctx.out(raw ? line : `${prefix(process)}${color === 'red' ? paint(ctx.style, 'red', line) : line}`);
    }
  }
  if (ctx.values.nostream === true) {
    client.close();
    return;
  }
  const ids = target === undefined ? null : new Set(processes.map((process) => process.id));
  const subscription = await client.subscribe();
  const print = (stream: 'out' | 'err') => (event: LogEvent): void => {
    if (ids && !ids.has(event.id)) return;
    if (json) {
      const time = new Date(event.at).toISOString();
      for (const line of event.lines) ctx.out(asJson(event, stream, line, time));
      return;
    }
    for (const line of event.lines) {
      const text = raw ? line : `${prefix(event)}${stream === 'err' ? paint(ctx.style, 'red', line) : line}`;
      (stream === 'err' && raw ? ctx.err : ctx.out)(text);
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

async function killCommand(ctx: Context): Promise<void> {
  const paths = homePaths(resolveHome());
  if (!(await socketAnswers(paths.rpcSocket))) {
    ctx.out('No daemon is running.');
    return;
  }
  const client = await DaemonClient.connect({ spawn: false });
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
  // Everything stopped, so the kill did its job; what could not be saved is said, not fatal.
  printWarnings(ctx, problems);
  ctx.out(`${paint(ctx.style, 'green', '✓')} stopped ${stopped} process${stopped === 1 ? '' : 'es'} and the daemon (pid ${pid})`);
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
function startupCommand(ctx: Context, install: boolean): void {
  const [system = 'systemd', ...extra] = ctx.positionals;
  if (system !== 'systemd' || extra.length > 0) throw new CorralError(ErrorCode.BadArgument, `${install ? 'startup' : 'unstartup'}: only "systemd" is supported (got ${JSON.stringify([system, ...extra].join(' '))})`);
  const unitDir = path.join(process.env.XDG_CONFIG_HOME ?? path.join(os.homedir(), '.config'), 'systemd', 'user');
  const unitFile = path.join(unitDir, 'corral.service');
  if (!install) {
    const existed = fs.existsSync(unitFile);
    fs.rmSync(unitFile, { force: true });
    ctx.out(existed ? `removed ${unitFile}; run: systemctl --user disable corral` : `no unit at ${unitFile}`);
    return;
  }
  const unit = startupUnit({ nodePath: process.execPath, daemonScript: path.join(__dirname, 'daemon.js'), cliScript: __filename, home: resolveHome(), user: true });
  if (ctx.values.write !== true) {
    ctx.out(unit);
    ctx.err(`(corral startup systemd --write installs this as ${unitFile})`);
    return;
  }
  fs.mkdirSync(unitDir, { recursive: true });
  fs.writeFileSync(unitFile, unit);
  ctx.out(`wrote ${unitFile}\nnow run: systemctl --user daemon-reload && systemctl --user enable --now corral\n(to start at boot without a login: loginctl enable-linger $USER)`);
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
    style: { color: process.stdout.isTTY === true && !process.env.NO_COLOR },
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
  };
  const [command, ...rest] = parsed.positionals;
  ctx.positionals = rest;
  if (ctx.values.version && !command) return ctx.out(VERSION);
  if (ctx.values.help || !command || command === 'help') return ctx.out(HELP);

  switch (command) {
    case 'start': {
      const processes = await startCommand(ctx);
      if (ctx.values.silent) return;
      const failed = processes.filter((process) => process.status === 'errored');
      await showList(ctx);
      if (failed.length > 0) {
        throw new CorralError(ErrorCode.Internal, failed.map((process) => `${process.name} (id ${process.id}) failed to start: ${process.last_reason_detail ?? 'unknown reason'}`).join('\n'));
      }
      return;
    }
    case 'stop':
    case 'restart':
    case 'delete':
    case 'del': {
      const targets = await expandTargets(ctx, requireTargets(ctx, command));
      const method = command === 'del' ? 'delete' : command;
      const updateEnv = method === 'restart' && ctx.values['update-env'] === true ? (Object.fromEntries(Object.entries(process.env).filter(([, value]) => value !== undefined)) as Record<string, string>) : undefined;
      const processes = await withClient((client) => client.call(method, { targets, ...(updateEnv ? { updateEnv } : {}) }, LONG_CALL_MS));
      summarize(ctx, { stop: 'stopped', restart: 'restarted', delete: 'deleted' }[method], processes);
      if (!ctx.values.silent) await showList(ctx);
      return;
    }
    case 'reload': {
      const targets = await expandTargets(ctx, requireTargets(ctx, command));
      const processes = await withClient((client) => client.call('reload', { targets }, LONG_CALL_MS));
      summarize(ctx, 'reloaded', processes);
      if (!ctx.values.silent) await showList(ctx);
      return;
    }
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
      return ctx.out(JSON.stringify(await withClient((client) => client.call('list', {}))));
    case 'prettylist':
      return ctx.out(JSON.stringify(await withClient((client) => client.call('list', {})), null, 2));
    case 'describe':
    case 'desc':
    case 'show':
    case 'info': {
      const targets = requireTargets(ctx, command);
      const descriptions = await withClient((client) => client.call('describe', { targets }));
      return ctx.out(ctx.values.json ? JSON.stringify(descriptions) : descriptions.map((description) => renderDescription(description, ctx.style)).join('\n\n'));
    }
    case 'logs':
    case 'log':
      return logsCommand(ctx);
    case 'monit':
    case 'monitor':
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
      return ctx.out(JSON.stringify({ msg: 'pong', pid: info.pid, version: info.version, home: info.home }));
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
      if (!target || !/^\d+$/.test(target) || extra.length > 0) throw new CorralError(ErrorCode.BadArgument, 'inspect: usage: corral inspect <id> [--close-after 10m]');
      const closeAfterMs = ctx.values['close-after'] === undefined ? undefined : parseDuration(ctx.values['close-after']);
      if (closeAfterMs === undefined && ctx.values['close-after'] !== undefined) throw new CorralError(ErrorCode.BadArgument, `--close-after: expected a duration such as 90s or 10m, got ${JSON.stringify(ctx.values['close-after'])}`);
      const result = await withClient((client) => client.call('inspect', { id: Number(target), ...(closeAfterMs === undefined ? {} : { closeAfterMs }) }, LONG_CALL_MS));
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
    process.stderr.write(`${message.split('\n').map((line) => `corral: ${line}`).join('\n')}\n`);
    exitWhenFlushed(1);
  },
);
