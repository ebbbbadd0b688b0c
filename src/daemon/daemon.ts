/**
 * The supervisor daemon, as a function: take the home's lock, bind the sockets owner-only, recover
 * what a dead predecessor left, serve. `corral` runs it detached (main.ts); `corral-runtime` runs it
 * in the foreground of a container.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { pubSocket, repSocket } from '../shared/axon';
import { writeDaemonKey } from '../shared/daemon-key';
import { prepareHome } from '../shared/home';
import { homePaths, socketPathProblem, type HomePaths } from '../shared/paths';
import { isPipeAddress, unguessable } from '../shared/platform/addresses';
import { printable } from '../shared/printable';
import { PROTOCOL_VERSION, type DaemonInfo } from '../shared/protocol';
import type { StartReport } from '../shared/daemon-start';
import { VERSION } from '../shared/version';
import { EventBus } from './event-bus';
import { serveAxon } from './daemon-sockets';
import { ClusterLauncher, defaultContainerScript, defaultPrimaryScript } from './cluster-launcher';
import { launchFork } from './fork-launcher';
import { ProbeSlots } from './probes';
import { takeLock } from './lock';
import { LogFile, LogFiles } from './log-files';
import { stopOrphans } from './orphans';
import { OutputSockets } from './output-sockets';
import { Persistence } from './persistence';
import { DEFAULT_WEB_PORT, WebServer } from './web-server';
import { guardConnections, serveRpc } from './rpc-server';
import { Supervisor } from './supervisor';

/** daemon.log, rotated at 10 MB with 3 old files kept. Never carries env values. */
function createDaemonLog(file: string): (message: string) => void {
  const log = new LogFile(file, { maxBytes: 10 * 1024 * 1024, retain: 3, compress: false }, () => undefined);
  return (message) => {
    log.write(`${new Date().toISOString()} [${process.pid}] ${message}\n`);
  };
}

/** The dead daemon's pid files go; anything else in pids/ (a folder, a symlink) stays, and recovery goes on. */
function clearPidFiles(dir: string, log: (message: string) => void): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.isFile()) fs.rmSync(`${dir}/${entry.name}`, { force: true });
    else log(`skipping ${printable(`${dir}/${entry.name}`, 300)}: not a pid file Corral writes`);
  }
}

export interface DaemonOptions {
  home: string;
  /** How the process ends once every app is stopped (default: process.exit). */
  exit?: (code: number) => void;
  /** Skip the automatic resurrect of the previous daemon's list (corral-runtime starts its own apps). */
  resurrect?: boolean;
  /** Extra sink for daemon log lines (corral-runtime prints them). */
  echo?: (message: string) => void;
  /** Told once how start-up went: ready (sockets bound) or held by another daemon (main.ts tells the client). */
  report?: (report: StartReport) => void;
}

export interface ShutdownResult {
  stopped: number;
  problems: string[];
}

export interface Daemon {
  supervisor: Supervisor;
  persistence: Persistence;
  bus: EventBus;
  paths: HomePaths;
  log(message: string): void;
  /**
   * Stops every app, then ends the process with `exitCode`. The same promise every time. Nothing
   * stops it: what could not be persisted (a full disk) is logged and returned as `problems`.
   */
  shutdown(why: string, clean: boolean, exitCode?: number): Promise<ShutdownResult>;
  reopenLogs(): number;
}

/**
 * Checks the home (CorralError UnsafeHome when it is not safely ours) and settles on its real path:
 * one home, one key, so a symlinked CORRAL_HOME reaches the same lock and every app carries the same
 * CORRAL_HOME (which is how a later daemon finds a dead one's orphans).
 */
function settleHome(given: string): HomePaths {
  prepareHome(homePaths(given), true);
  const home = fs.realpathSync(given);
  const paths = homePaths(home);
  if (home !== given) prepareHome(paths, true); // the path we keep is the one that was checked
  const tooLong = socketPathProblem(paths);
  if (tooLong) throw new Error(home === given ? tooLong : `${tooLong} (the real path of ${printable(given, 300)})`);
  return paths;
}

/** Starts a daemon for the home; null when another daemon holds it (that one is named in daemon.log). */
export async function startDaemon(options: DaemonOptions): Promise<Daemon | null> {
  process.noDeprecation = true; // pm2-axon's framing still calls Buffer(); the warning is noise in daemon.log
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const tooLong = socketPathProblem(homePaths(options.home));
  if (tooLong) throw new Error(tooLong);
  const paths = settleHome(options.home);
  const { home } = paths;
  const fileLog = createDaemonLog(paths.daemonLog);
  const log = options.echo ? (message: string) => (fileLog(message), options.echo?.(message)) : fileLog;
  // Installed first: an exception in a callback must never take the apps' supervisor down.
  process.on('uncaughtException', (error) => log(`uncaught exception: ${error.stack ?? error.message}`));
  process.on('unhandledRejection', (error) => log(`unhandled rejection: ${(error as Error)?.stack ?? String(error)}`));
  const lock = await takeLock(paths, log);
  if (!lock.held) {
    log(`another daemon (pid ${lock.holderPid ?? 'unknown'}) holds this home; exiting`);
    options.report?.({ kind: 'held', pid: lock.holderPid });
    return null;
  }
  const startedAt = Date.now();
  const rep = repSocket();
  const pub = pubSocket();
  for (const socket of [rep, pub]) socket.on('error', (error: Error) => log(`socket error: ${error.message}`));
  // Subscribers have nothing to say, but pm2-axon reads their frames all the same.
  guardConnections(pub, log);
  const bus = new EventBus(pub);
  const logFiles = new LogFiles(
    (file, error) => log(`cannot write ${file}: ${error.message}; output is dropped until it can be written again`),
    (file, dropped) => log(`writing ${file} again (${dropped} bytes of output were dropped meanwhile)`),
  );
  const output = new OutputSockets(unguessable(paths.outputSocket, randomBytes(8).toString('hex')));
  const cluster = new ClusterLauncher({ home, primaryScript: defaultPrimaryScript(), containerScript: defaultContainerScript(), output, log });
  const metricsInterval = Number(process.env.CORRAL_METRICS_INTERVAL_MS ?? 2000);
  const supervisor = new Supervisor(
    {
      paths,
      logFiles,
      nodePath: process.execPath,
      launch: (spec) => (spec.app.exec_mode === 'cluster' ? cluster.launch(spec) : launchFork(spec)),
      publish: (event, payload) => bus.publish(event, payload),
      hasSubscribers: () => bus.hasSubscribers(),
      log,
      probeSlots: new ProbeSlots(),
    },
    Number.isFinite(metricsInterval) && metricsInterval >= 100 ? metricsInterval : 2000,
  );

  const persistence = new Persistence(paths.dump, supervisor, process.env.CORRAL_AUTOSAVE !== '0', log);
  const web = new WebServer(`${home}/web.token`, () => supervisor.list(), log);
  // Requests other than hello/ping wait until leftovers of a dead daemon are gone and the list is back.
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const whenReady =
    <P, R>(handler: (params: P) => R | Promise<R>) =>
    async (params: P): Promise<R> => {
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

  let exiting: Promise<ShutdownResult> | null = null;
  const shutdown = (why: string, clean: boolean, exitCode = 0): Promise<ShutdownResult> => {
    if (exiting) return exiting;
    // Set before anything that could fail: a second kill joins this one instead of starting over.
    let settle!: (result: ShutdownResult) => void;
    exiting = new Promise((resolve) => (settle = resolve));
    log(`shutting down (${why})`);
    const problems: string[] = [];
    try {
      problems.push(...persistence.freeze(clean));
    } catch (error) {
      problems.push(`cannot save the process list: ${(error as Error).message}`);
    }
    void web.stop().catch(() => undefined);
    const leave = (stopped: number): void => {
      bus.publish('daemon:exit', { pid: process.pid });
      settle({ stopped, problems });
      // Let the kill reply and the exit event reach their readers, then leave.
      output.close();
      setTimeout(() => {
        for (const file of [paths.rpcSocket, paths.pubSocket, output.file, paths.pidFile, paths.keyFile]) {
          if (!isPipeAddress(file)) fs.rmSync(file, { force: true });
        }
        log('daemon stopped');
        exit(exitCode);
      }, 50);
    };
    supervisor.stopAll().then(leave, (error: Error) => {
      log(`stopping the apps failed: ${error.stack ?? error.message}`);
      problems.push(`stopping the apps failed: ${error.message}`);
      leave(supervisor.size);
    });
    return exiting;
  };

  serveRpc(
    rep,
    {
      hello: () => info(),
      ping: () => info(),
      start: whenReady((params) => supervisor.start(params.apps, params.replace === true, params.mode === 'reload' ? 'reload' : 'restart')),
      startExisting: whenReady((params) => supervisor.startExisting(params.targets)),
      stop: whenReady((params) => supervisor.stop(params.targets)),
      restart: whenReady((params) => supervisor.restart(params.targets, params.updateEnv, params.toggleWatch === true, params.options)),
      delete: whenReady((params) => supervisor.delete(params.targets)),
      reset: whenReady((params) => supervisor.reset(params.targets)),
      reload: whenReady((params) => supervisor.reload(params.targets, params.updateEnv, params.options)),
      scale: whenReady((params) => supervisor.scale(params.name, params.instances)),
      list: whenReady(() => supervisor.list()),
      describe: whenReady((params) => supervisor.describe(params.targets)),
      flush: whenReady(async (params) => ({ files: await supervisor.flush(params.targets) })),
      reloadLogs: () => ({ files: logFiles.reopenAll() }),
      sendSignal: whenReady((params) => supervisor.sendSignal(params.targets, params.signal)),
      writeStdin: whenReady((params) => supervisor.writeStdin(params.id, params.data)),
      notifyFileSaved: whenReady((params) => ({ apps: supervisor.notifyFileSaved(params.paths) })),
      env: whenReady((params) => supervisor.env(params.target)),
      recentLogs: whenReady((params) => supervisor.recentLogs(params.id, params.lines)),
      inspect: whenReady((params) => supervisor.inspect(params.id, params.closeAfterMs, params.fromStart === true)),
      web: async (params) => {
        if (params.stop) {
          await web.stop();
          return { url: null, tokenFile: null };
        }
        return web.start(params.host ?? '127.0.0.1', params.port ?? DEFAULT_WEB_PORT);
      },
      save: whenReady(async () => ({ file: paths.dump, apps: await persistence.save() })),
      clearDump: whenReady(async () => {
        await persistence.clear();
        return { file: paths.dump };
      }),
      resurrect: whenReady(() => persistence.resurrect()),
      kill: () => shutdown('kill requested', true),
    },
    log,
  );

  // A new key before anything listens: a client holding the last daemon's key fails its handshake.
  const key = writeDaemonKey(paths.keyFile);
  await serveAxon(rep, paths.rpcSocket, key, log);
  await serveAxon(pub, paths.pubSocket, key, log);
  await output.listen();
  fs.writeFileSync(paths.pidFile, `${process.pid}\n`, { mode: 0o600 });
  log(`daemon ${VERSION} started (node ${process.version}, home ${home})`);
  options.report?.({ kind: 'ready' });
  try {
    await stopOrphans(home, 1600, log);
    clearPidFiles(paths.pidsDir, log);
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
