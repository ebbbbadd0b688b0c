/**
 * Corral from code, as PM2 users write it with `require('pm2')`: `connect`, `start`, `stop`,
 * `restart`, `reload`, `delete`, `list`, `describe`, `launchBus`, `disconnect`. Every function returns
 * a promise and also takes a Node-style callback last, so PM2-style code runs unchanged:
 *
 *   const corral = require('corral');
 *   corral.connect((error) => corral.start({ script: 'api.js', name: 'api' }, (error, apps) => corral.disconnect()));
 *   // or: import { connect, start, disconnect } from 'corral'; await connect(); await start('api.js'); disconnect();
 *
 * A thin layer over the CLI's client: the same daemon, the same validation (a bad option is an error
 * naming the field, nothing starts), processes in Corral's shape with PM2's keys beside (pm_id, monit,
 * pm2_env), never env values.
 */
import { existsSync, statSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { DaemonClient, type ConnectOptions, type EventSubscription } from '../client/client';
import { isEcosystemFile, loadEcosystem } from '../client/ecosystem';
import { withPm2Shape, type Pm2ShapedProcess } from '../client/pm2-shape';
import { which } from '../client/which';
import { ConfigError, normalizeApp, type AppConfig } from '../shared/config';
import { CorralError, ErrorCode } from '../shared/errors';
import { resolveHome } from '../shared/paths';
import type { LogEvent, ProcessDescription, ProcessEvent } from '../shared/protocol';

export type { Pm2ShapedProcess as Process, ProcessDescription, ConnectOptions };
export type Callback<T> = (error: Error | null, result?: T) => void;
/** An app as in an ecosystem file (PM2's option names). */
export type AppOptions = Record<string, unknown>;
export interface StartOptions {
  /** `env_<name>` of an ecosystem file, as `--env`. */
  env?: string;
  /** Just these apps of an ecosystem file, as `--only`. */
  only?: string[];
  /** Re-apply to apps that already run (an ecosystem start always does). */
  replace?: boolean;
}

const LONG_CALL_MS = 10 * 60_000;
let client: Promise<DaemonClient> | undefined;

/** Resolves `work`, and hands the outcome to `callback` too when one is given. */
function settle<T>(work: Promise<T>, callback?: Callback<T>): Promise<T> {
  if (callback)
    work.then(
      (result) => callback(null, result),
      (error: Error) => callback(error),
    );
  // With a callback the caller handles errors there: the returned promise must not also go unhandled.
  if (callback) work.catch(() => undefined);
  return work;
}

function lastCallback<T>(args: unknown[]): Callback<T> | undefined {
  const last = args[args.length - 1];
  return typeof last === 'function' ? (last as Callback<T>) : undefined;
}

function connected(): Promise<DaemonClient> {
  if (!client) client = DaemonClient.connect();
  return client;
}

/** Connects to the daemon of CORRAL_HOME (or `options.home`), starting it when none runs. */
export function connect(options?: ConnectOptions | Callback<void>, callback?: Callback<void>): Promise<void> {
  const given = typeof options === 'object' && options !== null ? options : {};
  const done = typeof options === 'function' ? options : callback;
  const previous = client;
  client = DaemonClient.connect(given);
  void previous?.then(
    (old) => old.close(),
    () => undefined,
  );
  const current = client;
  current.then(
    (opened) => opened.onDisconnect(() => client === current && (client = undefined)),
    () => client === current && (client = undefined),
  );
  return settle(
    current.then(() => undefined),
    done,
  );
}

/** Closes the connection; the daemon and its apps keep running. */
export function disconnect(callback?: Callback<void>): Promise<void> {
  const closing = client;
  client = undefined;
  return settle(
    closing
      ? closing.then(
          (opened) => opened.close(),
          () => undefined,
        )
      : Promise.resolve(),
    callback,
  );
}

function appsFrom(raw: AppOptions | AppOptions[], baseDir: string): AppConfig[] {
  const list = Array.isArray(raw) ? raw : [raw];
  const problems: string[] = [];
  const apps: AppConfig[] = [];
  list.forEach((app, index) => {
    try {
      apps.push(
        normalizeApp(app, {
          source: '',
          index: Array.isArray(raw) ? index : undefined,
          baseDir,
          baseEnv: process.env,
          cpuCount: availableParallelism?.() ?? cpus().length,
          fileExists: (file) => existsSync(file) && statSync(file).isFile(),
          which: (command) => which(command),
        }).app,
      );
    } catch (error) {
      if (error instanceof ConfigError) problems.push(...error.problems);
      else throw error;
    }
  });
  if (problems.length > 0) throw new ConfigError(problems);
  return apps;
}

/**
 * `start('api.js')`, `start('api.js', { name: 'api', instances: 2 })`, `start({ script, name, ... })`,
 * `start([...apps])` or `start('ecosystem.config.js', { env: 'production' })`.
 */
export function start(
  target: string | AppOptions | AppOptions[],
  ...rest: Array<AppOptions | StartOptions | Callback<Pm2ShapedProcess[]>>
): Promise<Pm2ShapedProcess[]> {
  const callback = lastCallback<Pm2ShapedProcess[]>(rest);
  const options = (typeof rest[0] === 'object' && rest[0] !== null ? rest[0] : {}) as AppOptions & StartOptions;
  const work = (async () => {
    let apps: AppConfig[];
    let replace = options.replace === true;
    if (typeof target === 'string' && isEcosystemFile(target)) {
      apps = (await loadEcosystem(target, { envName: typeof options.env === 'string' ? options.env : undefined, only: options.only })).apps;
      replace = true;
    } else if (typeof target === 'string') {
      // PM2's start(script, options): app options, where `env` is the app's env object.
      const appOptions: AppOptions = { ...options };
      delete appOptions.only;
      delete appOptions.replace;
      if (typeof appOptions.env === 'string') delete appOptions.env;
      apps = appsFrom({ script: target, ...appOptions }, process.cwd());
    } else if (target !== null && typeof target === 'object') {
      apps = appsFrom(target, process.cwd());
    } else {
      throw new CorralError(ErrorCode.BadArgument, 'start: give a script, an ecosystem file, an app object or a list of them');
    }
    const started = await (await connected()).call('start', { apps, replace }, LONG_CALL_MS);
    return started.map(withPm2Shape);
  })();
  return settle(work, callback);
}

type Target = string | number | Array<string | number>;

function targetsOf(target: Target): string[] {
  const list = (Array.isArray(target) ? target : [target]).map(String);
  if (list.length === 0 || list.some((item) => item === '')) throw new CorralError(ErrorCode.BadArgument, 'expected a name, an id, a namespace or "all"');
  return list;
}

function act(method: 'stop' | 'restart' | 'reload' | 'delete') {
  return (target: Target, ...rest: Array<{ updateEnv?: boolean } | Callback<Pm2ShapedProcess[]>>): Promise<Pm2ShapedProcess[]> => {
    const callback = lastCallback<Pm2ShapedProcess[]>(rest);
    const options = typeof rest[0] === 'object' && rest[0] !== null ? (rest[0] as { updateEnv?: boolean }) : {};
    const work = (async () => {
      const targets = targetsOf(target);
      const updateEnv =
        options.updateEnv && (method === 'restart' || method === 'reload')
          ? Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined))
          : undefined;
      const processes = await (await connected()).call(method, { targets, ...(updateEnv ? { updateEnv } : {}) }, LONG_CALL_MS);
      return processes.map(withPm2Shape);
    })();
    return settle(work, callback);
  };
}

export const stop = act('stop');
export const restart = act('restart');
export const reload = act('reload');
const remove = act('delete');
export { remove as delete };

/** Every process, in PM2's shape beside Corral's. */
export function list(callback?: Callback<Pm2ShapedProcess[]>): Promise<Pm2ShapedProcess[]> {
  return settle(
    connected()
      .then((opened) => opened.call('list', {}))
      .then((processes) => processes.map(withPm2Shape)),
    callback,
  );
}

export function describe(target: Target, callback?: Callback<ProcessDescription[]>): Promise<ProcessDescription[]> {
  return settle((async () => (await connected()).call('describe', { targets: targetsOf(target) }))(), callback);
}

/** What PM2's bus carries: a log line with its process, or a state change named as PM2 names it. */
export interface LogPacket {
  process: { name: string; pm_id: number };
  data: string;
  at: number;
}
export interface ProcessPacket {
  /** online, exit, stop, restart overlimit (errored), launching. */
  event: string;
  process: { name: string; pm_id: number; namespace: string; status: string; pid: number | null; restart_time: number; exit_code: number | null };
  at: number;
  /** Corral's own event, with the reason and its detail. */
  corral: ProcessEvent;
}
export interface Bus {
  on(event: 'log:out' | 'log:err', listener: (packet: LogPacket) => void): Bus;
  on(event: 'process:event', listener: (packet: ProcessPacket) => void): Bus;
  close(): void;
}

function pm2EventName(event: ProcessEvent): string {
  if (event.status === 'online') return 'online';
  if (event.status === 'errored') return 'restart overlimit';
  if (event.status === 'stopped' && event.reason === 'user') return 'stop';
  if (event.status === 'stopped' || event.status === 'waiting-restart') return 'exit';
  return event.status;
}

/** Events and log lines as they happen; the bus stays open until `close()` (or `disconnect()`). */
export function launchBus(callback?: Callback<Bus>): Promise<Bus> {
  const work = (async () => {
    const subscription: EventSubscription = await (await connected()).subscribe();
    const bus: Bus = {
      on(event: string, listener: (packet: never) => void): Bus {
        if (event === 'log:out' || event === 'log:err') {
          subscription.on(event, (payload: LogEvent) => {
            for (const line of payload.lines)
              (listener as (packet: LogPacket) => void)({ process: { name: payload.name, pm_id: payload.id }, data: `${line}\n`, at: payload.at });
          });
        } else if (event === 'process:event') {
          subscription.on('process:event', (payload) =>
            (listener as (packet: ProcessPacket) => void)({
              event: pm2EventName(payload),
              process: {
                name: payload.name,
                pm_id: payload.id,
                namespace: payload.namespace,
                status: payload.status,
                pid: payload.pid,
                restart_time: payload.restarts,
                exit_code: payload.exit_code,
              },
              at: payload.at,
              corral: payload,
            }),
          );
        } else {
          throw new CorralError(ErrorCode.BadArgument, `launchBus: no event "${event}" (log:out, log:err, process:event)`);
        }
        return bus;
      },
      close: () => subscription.dispose(),
    };
    return bus;
  })();
  return settle(work, callback);
}

/** The home folder of the daemon this module talks to by default (CORRAL_HOME, else ~/.corral). */
export function home(): string {
  return resolveHome();
}
