/**
 * The supervisor daemon, as a function: take the home's lock, bind the sockets owner-only, recover
 * what a dead predecessor left, serve. `corral` runs it detached (main.ts); `corral-runtime` runs it
 * in the foreground of a container.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import type { AxonSocket } from 'pm2-axon';
import { CorralError, ErrorCode } from '../shared/errors';
import { pubSocket, repSocket } from '../shared/axon';
import { homePaths, socketPathProblem, type HomePaths } from '../shared/paths';
import { PROTOCOL_VERSION, type DaemonInfo } from '../shared/protocol';
import { VERSION } from '../shared/version';
import { EventBus } from './event-bus';
import { ClusterLauncher, defaultContainerScript, defaultPrimaryScript } from './cluster-launcher';
import { launchFork } from './fork-launcher';
import { LogFile, LogFiles } from './log-files';
import { stopOrphans } from './orphans';
import { OutputSockets } from './output-sockets';
import { Persistence } from './persistence';
import { DEFAULT_WEB_PORT, WebServer } from './web-server';
import { serveRpc } from './rpc-server';
import { checkTargets, Supervisor } from './supervisor';

/** daemon.log, rotated at 10 MB with 3 old files kept. Never carries env values. */
function createDaemonLog(file: string): (message: string) => void {
  const log = new LogFile(file, { maxBytes: 10 * 1024 * 1024, retain: 3, compress: false }, () => undefined);
  return (message) => {
    log.write(`${new Date().toISOString()} [${process.pid}] ${message}\n`);
  };
}

function prepareHome(paths: HomePaths): void {
  fs.mkdirSync(paths.home, { recursive: true, mode: 0o700 });
  fs.chmodSync(paths.home, 0o700);
  fs.mkdirSync(paths.logsDir, { recursive: true, mode: 0o750 });
  fs.mkdirSync(paths.pidsDir, { recursive: true, mode: 0o750 });
}

/**
 * The single-daemon lock: an abstract unix socket named after the home. The kernel releases it when
 * the process dies, so there is never a stale lock, and only one process can hold it.
 */
function lockName(home: string): string {
  return `\0corral-${createHash('sha256').update(home).digest('hex').slice(0, 32)}`;
}

function takeLock(home: string): Promise<net.Server | null> {
  if (process.platform !== 'linux') return Promise.resolve(new net.Server());
  return new Promise((resolve, reject) => {
    // The holder tells whoever knocks its pid, so a loser can say who holds the home.
    const server = net.createServer((socket) => socket.end(`${process.pid}\n`));
    server.once('error', (error: NodeJS.ErrnoException) => (error.code === 'EADDRINUSE' ? resolve(null) : reject(error)));
    server.listen(lockName(home), () => resolve(server));
  });
}

function lockHolder(home: string): Promise<string> {
  return new Promise((resolve) => {
    let answer = '';
    const socket = net.createConnection(lockName(home));
    socket.setTimeout(1000, () => socket.destroy());
    socket.on('data', (chunk) => (answer += chunk));
    socket.on('close', () => resolve(answer.trim() || 'unknown'));
    socket.on('error', () => resolve('unknown'));
  });
}

function bindOwnerOnly(socket: AxonSocket, file: string): Promise<void> {
  fs.rmSync(file, { force: true }); // we hold the lock: whatever is there is stale
  return new Promise((resolve, reject) => {
    const previous = process.umask(0o077); // the socket file is created 0600, never briefly wider
    // pm2-axon drops bind()'s callback for unix paths; its 'bind' event is the signal.
    socket.once('bind', () => {
      process.umask(previous);
      fs.chmodSync(file, 0o600);
      resolve();
    });
    socket.once('error', (error: Error) => {
      process.umask(previous);
      reject(error);
    });
    socket.bind(file);
  });
}

export interface DaemonOptions {
  home: string;
  /** How the process ends once every app is stopped (default: process.exit). */
  exit?: (code: number) => void;
  /** Skip the automatic resurrect of the previous daemon's list (corral-runtime starts its own apps). */
  resurrect?: boolean;
  /** Extra sink for daemon log lines (corral-runtime prints them). */
  echo?: (message: string) => void;
}

export interface Daemon {
  supervisor: Supervisor;
  persistence: Persistence;
  bus: EventBus;
  paths: HomePaths;
  log(message: string): void;
  /** Stops every app, then ends the process with `exitCode`. The same promise every time. */
  shutdown(why: string, clean: boolean, exitCode?: number): Promise<number>;
  reopenLogs(): number;
}

/** Starts a daemon for the home; null when another daemon holds it (that one is named in daemon.log). */
export async function startDaemon(options: DaemonOptions): Promise<Daemon | null> {
  process.noDeprecation = true; // pm2-axon's framing still calls Buffer(); the warning is noise in daemon.log
  const { home } = options;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const paths = homePaths(home);
  const tooLong = socketPathProblem(paths);
  if (tooLong) throw new Error(tooLong);
  prepareHome(paths);
  const fileLog = createDaemonLog(paths.daemonLog);
  const log = options.echo ? (message: string) => (fileLog(message), options.echo?.(message)) : fileLog;
  // Installed first: an exception in a callback must never take the apps' supervisor down.
  process.on('uncaughtException', (error) => log(`uncaught exception: ${error.stack ?? error.message}`));
  process.on('unhandledRejection', (error) => log(`unhandled rejection: ${(error as Error)?.stack ?? String(error)}`));
  const lock = await takeLock(home);
  if (!lock) {
    const holder = await lockHolder(home);
    const answering = fs.existsSync(paths.rpcSocket);
    log(`another daemon (pid ${holder}) holds this home${answering ? '' : `, but ${paths.rpcSocket} is gone (was the home deleted under it?); stop it with: kill ${holder}`}; exiting`);
    return null;
  }
  const startedAt = Date.now();
  const rep = repSocket();
  const pub = pubSocket();
  for (const socket of [rep, pub]) socket.on('error', (error: Error) => log(`socket error: ${error.message}`));
  const bus = new EventBus(pub);
  const logFiles = new LogFiles(
    (file, error) => log(`cannot write ${file}: ${error.message}; output is dropped until it can be written again`),
    (file, dropped) => log(`writing ${file} again (${dropped} bytes of output were dropped meanwhile)`),
  );
  const output = new OutputSockets(paths.outputSocket);
  const cluster = new ClusterLauncher({ home, primaryScript: defaultPrimaryScript(), containerScript: defaultContainerScript(), output, log });
  const metricsInterval = Number(process.env.CORRAL_METRICS_INTERVAL_MS ?? 2000);
  const supervisor = new Supervisor({
    paths,
    logFiles,
    nodePath: process.execPath,
    launch: (spec) => (spec.app.exec_mode === 'cluster' ? cluster.launch(spec) : launchFork(spec)),
    publish: (event, payload) => bus.publish(event, payload),
    hasSubscribers: () => bus.hasSubscribers(),
    log,
  }, Number.isFinite(metricsInterval) && metricsInterval >= 100 ? metricsInterval : 2000);

  const persistence = new Persistence(paths.dump, supervisor, process.env.CORRAL_AUTOSAVE !== '0', log);
  const web = new WebServer(`${home}/web.token`, () => supervisor.list(), log);
  // Requests other than hello/ping wait until leftovers of a dead daemon are gone and the list is back.
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const whenReady = <P, R>(handler: (params: P) => R | Promise<R>) => async (params: P): Promise<R> => {
    await ready;
    return handler(params);
  };

  const info = (): DaemonInfo => ({
    protocolVersion: PROTOCOL_VERSION,
    version: VERSION,
    pid: process.pid,
    home,
    node: process.version,
    startedAt,
    processes: supervisor.size,
  });

  let exiting: Promise<number> | null = null;
  const shutdown = (why: string, clean: boolean, exitCode = 0): Promise<number> => {
    if (exiting) return exiting;
    log(`shutting down (${why})`);
    persistence.freeze(clean);
    void web.stop();
    exiting = supervisor.stopAll().then((stopped) => {
      bus.publish('daemon:exit', { pid: process.pid });
      // Let the kill reply and the exit event reach their readers, then leave.
      output.close();
      setTimeout(() => {
        for (const file of [paths.rpcSocket, paths.pubSocket, paths.outputSocket, paths.pidFile]) fs.rmSync(file, { force: true });
        log('daemon stopped');
        exit(exitCode);
      }, 50);
      return stopped;
    });
    return exiting;
  };

  serveRpc(
    rep,
    {
      hello: (params) => {
        if (typeof params.protocolVersion !== 'number') throw new CorralError(ErrorCode.BadArgument, 'hello: protocolVersion must be a number');
        return info();
      },
      ping: () => info(),
      start: whenReady((params) => supervisor.start(params.apps, params.replace === true)),
      startExisting: whenReady((params) => supervisor.startExisting(checkTargets(params.targets))),
      stop: whenReady((params) => supervisor.stop(checkTargets(params.targets))),
      restart: whenReady((params) => supervisor.restart(checkTargets(params.targets), params.updateEnv)),
      delete: whenReady((params) => supervisor.delete(checkTargets(params.targets))),
      reload: whenReady((params) => supervisor.reload(checkTargets(params.targets))),
      scale: whenReady((params) => supervisor.scale(params.name, params.instances)),
      list: whenReady(() => supervisor.list()),
      describe: whenReady((params) => supervisor.describe(checkTargets(params.targets))),
      flush: whenReady(async (params) => ({ files: await supervisor.flush(params.targets === undefined ? undefined : checkTargets(params.targets)) })),
      reloadLogs: () => ({ files: logFiles.reopenAll() }),
      sendSignal: whenReady((params) => supervisor.sendSignal(checkTargets(params.targets), params.signal)),
      notifyFileSaved: whenReady((params) => ({ apps: supervisor.notifyFileSaved(params.paths) })),
      env: whenReady((params) => supervisor.env(params.target)),
      recentLogs: whenReady((params) => supervisor.recentLogs(params.id, params.lines)),
      inspect: whenReady((params) => supervisor.inspect(params.id)),
      web: async (params) => {
        if (params.stop) {
          await web.stop();
          return { url: null, tokenFile: null };
        }
        const host = params.host ?? '127.0.0.1';
        if (typeof host !== 'string' || host.length > 255) throw new CorralError(ErrorCode.BadArgument, 'web: host must be an address');
        return web.start(host, params.port ?? DEFAULT_WEB_PORT);
      },
      save: whenReady(async () => ({ file: paths.dump, apps: await persistence.save() })),
      resurrect: whenReady(() => persistence.resurrect()),
      kill: async () => ({ stopped: await shutdown('kill requested', true) }),
    },
    log,
  );

  await bindOwnerOnly(rep, paths.rpcSocket);
  await bindOwnerOnly(pub, paths.pubSocket);
  await output.listen();
  fs.writeFileSync(paths.pidFile, `${process.pid}\n`, { mode: 0o600 });
  log(`daemon ${VERSION} started (node ${process.version}, home ${home})`);
  try {
    await stopOrphans(home, 1600, log);
    for (const stale of fs.readdirSync(paths.pidsDir)) fs.rmSync(`${paths.pidsDir}/${stale}`, { force: true });
    if (options.resurrect !== false) await persistence.resurrectAfterUncleanEnd();
    // CORRAL_WEB=[host:]port serves the HTTP API from the start (the daemon-level option).
    const webOption = process.env.CORRAL_WEB;
    if (webOption) {
      const match = /^(?:(.+):)?(\d+)$/.exec(webOption);
      if (match) await web.start(match[1] ?? '127.0.0.1', Number(match[2])).catch((error: Error) => log(error.message));
      else log(`CORRAL_WEB=${webOption}: expected [host:]port`);
    }
  } catch (error) {
    log(`start-up recovery failed: ${(error as Error).stack ?? String(error)}`);
  } finally {
    markReady();
  }

  return { supervisor, persistence, bus, paths, log, shutdown, reopenLogs: () => logFiles.reopenAll() };
}
