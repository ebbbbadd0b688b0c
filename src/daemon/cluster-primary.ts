/**
 * The daemon's side of one cluster app's primary (dist/primary.js): starts it detached (a session
 * and process group of its own) with the app's env, forks workers through it, and gives each worker
 * the ChildHandle every launcher gives, so each instance keeps its own state, restarts and logs.
 * The primary is retired (its channel closed) when its last worker has exited; a dead primary ends
 * its workers' handles as crashes, so the restart policy brings them back with a new primary.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { PRIMARY_MESSAGES, type DaemonToPrimary, type PrimaryToDaemon } from '../shared/container-protocol';
import { CorralError, ErrorCode } from '../shared/errors';
import { ExitClock, type ChildHandle, type ExitResult } from './child-handle';
import type { LaunchSpec } from './fork-launcher';
import { LineSplitter, toLines } from './line-splitter';
import type { OutputSockets } from './output-sockets';
import { InstanceProcesses, PRIMARY_VARIABLE } from './platform/processes';
import { printable } from '../shared/printable';

export interface PrimaryOptions {
  home: string;
  primaryScript: string;
  containerScript: string;
  output: OutputSockets;
  log(message: string): void;
}

interface WorkerState {
  pid: number;
  exited: boolean;
  processes: InstanceProcesses;
  listeners: Array<(message: unknown) => void>;
  onDrained: (() => void) | null;
  clock: ExitClock;
  spawned(error?: Error): void;
  exit(code: number | null, signal: NodeJS.Signals | null): void;
  listening(): void;
  cancelOutput(): void;
}

/** The primary's env: the app's, with its markers. No NODE_OPTIONS: the app's preloads run in its workers, not here. */
function primaryEnvironment(spec: LaunchSpec, home: string): Record<string, string> {
  const env: Record<string, string> = {
    ...spec.app.env,
    CORRAL_HOME: home,
    CORRAL_APP_NAME: spec.app.name,
    [PRIMARY_VARIABLE]: randomBytes(6).toString('hex'),
  };
  delete env.NODE_OPTIONS;
  if (process.versions.electron) env.ELECTRON_RUN_AS_NODE = '1';
  return env;
}

export class ClusterPrimary {
  private readonly child: ChildProcess;
  private readonly workers = new Map<number, WorkerState>();
  private nextWorker = 0;
  private started = false;
  /** No more forks here: the primary is retired or gone. */
  closed = false;

  constructor(
    spec: LaunchSpec,
    private readonly options: PrimaryOptions,
    private readonly onClosed: () => void,
  ) {
    this.child = spawn(spec.nodePath, [options.primaryScript], {
      cwd: spec.app.cwd,
      env: primaryEnvironment(spec, options.home),
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      windowsHide: true,
    });
    this.child.once('spawn', () => (this.started = true));
    this.child.on('message', (message) => this.onMessage(message as PrimaryToDaemon));
    this.child.on('error', (error) => {
      if (!this.started)
        this.end(new CorralError(ErrorCode.Internal, `cannot start the cluster primary of ${spec.app.name}: ${error.message}`, { cause: error }));
    });
    this.child.once('exit', (code, signal) => {
      if (this.workers.size > 0)
        options.log(`${spec.app.name}: cluster primary pid ${this.child.pid} exited (${signal ?? `code ${code}`}) with workers left; ending them`);
      this.end(new CorralError(ErrorCode.Internal, 'the cluster primary exited'));
    });
    // Only the primary's own complaints come here (its workers write to the output socket).
    const splitter = new LineSplitter();
    this.child.stderr?.on('data', (chunk: Buffer) => {
      const complete = splitter.push(chunk);
      if (complete) for (const line of toLines(complete)) options.log(`${spec.app.name} primary: ${printable(line, 1000)}`);
    });
  }

  fork(spec: LaunchSpec): ChildHandle {
    const { app } = spec;
    const key = this.nextWorker++;
    const out = this.options.output.expect();
    const err = this.options.output.expect();
    let resolveSpawned!: () => void;
    let rejectSpawned!: (error: Error) => void;
    const spawned = new Promise<void>((resolve, reject) => ((resolveSpawned = resolve), (rejectSpawned = reject)));
    spawned.catch(() => undefined);
    let resolveExited!: (result: ExitResult) => void;
    const exited = new Promise<ExitResult>((resolve) => (resolveExited = resolve));
    let resolveListening!: () => void;
    const listening = new Promise<void>((resolve) => (resolveListening = resolve));
    const drained = Promise.all([out.stream, err.stream].map((stream) => new Promise<void>((resolve) => stream.once('close', () => resolve())))).then(
      () => undefined,
    );
    const state: WorkerState = {
      pid: -1,
      exited: false,
      processes: new InstanceProcesses(spec.marker, false),
      listeners: [],
      onDrained: null,
      clock: new ExitClock(),
      spawned: (error) => {
        if (error) return rejectSpawned(error);
        state.clock.spawned();
        resolveSpawned();
      },
      exit: (code, signal) => {
        state.exited = true;
        resolveExited(state.clock.result(code, signal));
      },
      listening: () => resolveListening(),
      cancelOutput: () => {
        out.cancel();
        err.cancel();
      },
    };
    this.workers.set(key, state);
    const sent = this.post({
      type: PRIMARY_MESSAGES.fork,
      worker: key,
      exec: this.options.containerScript,
      args: [app.script, ...app.args],
      execArgv: [...app.node_args],
      cwd: app.cwd,
      env: spec.env,
      outputSocket: this.options.output.file,
      outToken: out.token,
      errToken: err.token,
      killTimeoutMs: app.kill_timeout,
    });
    if (!sent) this.fail(key, new CorralError(ErrorCode.Internal, 'cannot start a cluster worker: the cluster primary is gone'));

    const alive = (): boolean => !state.exited && this.child.connected;
    // The worker itself through its parent, the primary (which has not reaped it while it reports it
    // alive); its descendants, also those that left, by their launch marker. On Windows the primary
    // follows the stop plan (shutdown message, taskkill /T from the worker's pid) and the marker search
    // finds nothing: there is no process table to search (platform/no-table.ts).
    const signal = (name: NodeJS.Signals): void => {
      const rootAlive = state.pid > 0 && alive() && this.post({ type: PRIMARY_MESSAGES.signal, worker: key, signal: name });
      state.processes.signal(name, rootAlive);
    };
    return {
      get pid() {
        return state.pid;
      },
      stdout: out.stream,
      stderr: err.stream,
      spawned,
      exited,
      drained,
      listening,
      onMessage: (listener) => state.listeners.push(listener),
      send: (message) => alive() && this.post({ type: PRIMARY_MESSAGES.send, worker: key, message }),
      hasIpc: alive,
      // Relayed by the primary, which holds the worker's stdin.
      writeStdin: (data) => alive() && this.post({ type: PRIMARY_MESSAGES.stdin, worker: key, data }),
      signal,
      forceKill: () => {
        state.clock.forcing();
        signal('SIGKILL');
      },
      drain: (timeoutMs) =>
        new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, timeoutMs);
          const done = (): void => {
            clearTimeout(timer);
            resolve();
          };
          state.onDrained = done;
          void exited.then(done);
          if (!alive() || !this.post({ type: PRIMARY_MESSAGES.drain, worker: key })) done();
        }),
    };
  }

  private post(message: DaemonToPrimary): boolean {
    if (!this.child.connected) return false;
    try {
      this.child.send(message, (error) => void error);
      return true;
    } catch {
      return false;
    }
  }

  private onMessage(message: PrimaryToDaemon): void {
    const state = this.workers.get(message.worker);
    if (!state) return;
    switch (message.type) {
      case PRIMARY_MESSAGES.spawned:
        state.pid = message.pid;
        state.processes.rooted(message.pid);
        state.spawned();
        break;
      case PRIMARY_MESSAGES.spawnFailed:
        this.fail(message.worker, new CorralError(ErrorCode.Internal, `cannot start a cluster worker: ${message.error}`));
        break;
      case PRIMARY_MESSAGES.listening:
        state.listening();
        break;
      case PRIMARY_MESSAGES.message:
        for (const listener of state.listeners) listener(message.message);
        break;
      case PRIMARY_MESSAGES.drained:
        state.onDrained?.();
        break;
      case PRIMARY_MESSAGES.exited:
        this.settle(message.worker, message.code, message.signal);
        break;
    }
  }

  private fail(key: number, error: Error): void {
    this.workers.get(key)?.spawned(error);
    this.settle(key, null, null);
  }

  /** The worker is done: its handle exits, and a primary with no worker left is retired. */
  private settle(key: number, code: number | null, signal: NodeJS.Signals | null): void {
    const state = this.workers.get(key);
    if (!state) return;
    this.workers.delete(key);
    state.cancelOutput();
    state.exit(code, signal);
    if (this.workers.size === 0 && !this.closed) {
      this.closed = true;
      this.onClosed();
      if (this.child.connected) this.child.disconnect(); // the primary exits when its channel closes
    }
  }

  /** The primary is gone (or never started): its workers lose their supervisor, so they end too. */
  private end(error: Error): void {
    if (!this.closed) {
      this.closed = true;
      this.onClosed();
    }
    for (const [key, state] of [...this.workers]) {
      if (state.pid < 0) {
        this.fail(key, error);
        continue;
      }
      state.processes.signal('SIGKILL', false);
      this.settle(key, null, 'SIGKILL');
    }
  }
}
