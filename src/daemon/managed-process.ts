/**
 * One instance of an app and its state machine:
 *   stopped -> launching -> online -> stopping -> stopped
 *   online -(exit)-> waiting-restart -> launching      (the restart policy decides)
 *   online -(exit)-> errored | stopped                  (too unstable | autorestart off, stop_exit_codes)
 * User operations are queued per process, so a stop never races a restart of the same process.
 */
import { randomBytes } from 'node:crypto';
import type { AppConfig } from '../shared/config';
import { CorralError, ErrorCode } from '../shared/errors';
import type { HomePaths } from '../shared/paths';
import {
  ProcessStatus,
  type EventName,
  type Events,
  type MetricsSample,
  type Versioning,
  type ProcessDescription,
  type ProcessInfo,
  type RestartRecord,
  type StateReason,
} from '../shared/protocol';
import type { ChildHandle, ExitResult } from './child-handle';
import type { LaunchSpec } from './fork-launcher';
import type { InspectorGuard } from './inspector-guard';
import { versioningOf } from './git-info';
import type { LogFiles } from './log-files';
import { INSTANCE_VARIABLE } from './platform/processes';
import { processEnvironment } from './process-env';
import { processFiles, removePidFile, writePidFile } from './process-files';
import { ProcessOutput } from './process-output';
import { decideAfterExit, describeExit, INITIAL_RESTART_STATE, type RestartState } from './restart-policy';

export interface ProcessContext {
  paths: HomePaths;
  logFiles: LogFiles;
  nodePath: string;
  launch(spec: LaunchSpec): ChildHandle;
  publish<E extends EventName>(event: E, payload: Events[E]): void;
  hasSubscribers(): boolean;
  log(message: string): void;
}

const HISTORY_LIMIT = 20;

/** Why an operation happens, carried into the state events it causes. */
export interface Cause {
  reason: StateReason;
  detail?: string;
  /** For watch restarts: the changed files. */
  files?: string[];
}
const DRAIN_WAIT_MS = 2000;

export class ManagedProcess {
  status: ProcessStatus = ProcessStatus.Stopped;
  restarts = 0;
  cpu = 0;
  memory = 0;
  /** stdout and stderr: recent lines, log files, live events, the inspector banner (process-output.ts). */
  readonly output: ProcessOutput;
  /** node_args added to the next launch only (a restart with the inspector). */
  nextLaunchNodeArgs: string[] = [];
  /** Git facts about the app's code, refreshed (off the start path) at every launch. */
  versioning: Versioning | null = null;
  /** Recent CPU/memory samples, filled by the metrics sampler. */
  readonly samples: MetricsSample[] = [];
  readonly createdAt = Date.now();
  private startedAt: number | null = null;
  private exitCode: number | null = null;
  private exitSignal: string | null = null;
  private lastReason: StateReason | null = null;
  private lastDetail: string | null = null;
  private readonly history: RestartRecord[] = [];
  private desired: 'online' | 'stopped' = 'stopped';
  /** A worker of this process has listened on a server: reloads then wait for the replacement to listen. */
  private listens = false;
  private child: ChildHandle | null = null;
  private restartTimer: NodeJS.Timeout | null = null;
  private restartState: RestartState = INITIAL_RESTART_STATE;
  private queue: Promise<unknown> = Promise.resolve();
  private settleWaiters: Array<() => void> = [];
  outLog = '';
  errLog = '';
  /** log_file: both streams in one file; null when the app has none. */
  combinedLog: string | null = null;
  pidFile = '';

  constructor(
    readonly id: number,
    public app: AppConfig,
    readonly instance: number,
    private readonly ctx: ProcessContext,
  ) {
    this.output = new ProcessOutput(id, () => this.app, ctx);
    this.openLogs();
  }

  /** The last lines of each stream, for viewers that backfill before streaming. */
  get recent(): ProcessOutput['recent'] {
    return this.output.recent;
  }

  /** The inspector's WebSocket URL once the process printed "Debugger listening on ...". */
  get inspectorUrl(): string | null {
    return this.output.inspectorUrl;
  }

  set inspectorUrl(url: string | null) {
    this.output.inspectorUrl = url;
  }

  /** Set when `corral inspect` opened the inspector: closes it once unused (inspector-guard.ts). */
  get inspectorGuard(): InspectorGuard | null {
    return this.output.inspectorGuard;
  }

  set inspectorGuard(guard: InspectorGuard | null) {
    this.output.inspectorGuard = guard;
  }

  /** The inspector URL, as soon as the process prints it; null after `timeoutMs`. */
  waitForInspector(timeoutMs: number): Promise<string | null> {
    return this.output.waitForInspector(timeoutMs);
  }

  get pid(): number | null {
    return this.child && this.child.pid > 0 ? this.child.pid : null;
  }

  isRunning(): boolean {
    return this.child !== null;
  }

  // --- user operations (queued) ---

  start(reason: StateReason = 'start'): Promise<void> {
    return this.enqueue(async () => {
      this.desired = 'online';
      if (this.child || this.restartTimer) return; // already running or about to restart
      this.restartState = INITIAL_RESTART_STATE;
      await this.launch({ reason });
    }).then(() => this.settled());
  }

  restart(cause: Cause = { reason: 'user' }): Promise<void> {
    return this.enqueue(async () => {
      await this.stopChild(cause.reason, cause.detail);
      this.restarts++;
      this.restartState = INITIAL_RESTART_STATE;
      this.desired = 'online';
      await this.launch(cause);
    }).then(() => this.settled());
  }

  /** Stopped on purpose by a client (not by a crash policy or an exit): triggers leave it alone. */
  stoppedByUser(): boolean {
    return this.status === ProcessStatus.Stopped && (this.lastReason === null || this.lastReason === 'user' || this.lastReason === 'scale');
  }

  stop(reason: StateReason = 'user'): Promise<void> {
    return this.enqueue(() => this.stopChild(reason));
  }

  /** `reset`: the restart counters start again from 0 (the crash-loop rules with them). */
  resetCounters(): void {
    this.restarts = 0;
    this.restartState = INITIAL_RESTART_STATE;
  }

  /** Replace the config (ecosystem re-start); takes effect at the next launch. */
  reconfigure(app: AppConfig): Promise<void> {
    return this.enqueue(async () => {
      await this.closeLogs();
      this.app = app;
      this.openLogs();
    });
  }

  /**
   * Stop and release files; the supervisor then forgets this process. With `drain` (scaling down a
   * cluster app) the worker first leaves the rotation and finishes its requests.
   */
  dispose(options: { drain?: boolean } = {}): Promise<void> {
    return this.enqueue(async () => {
      if (options.drain && this.child?.drain && !this.restartTimer) {
        this.desired = 'stopped';
        await this.child.drain(this.app.kill_timeout);
      }
      await this.stopChild(options.drain ? 'scale' : 'user');
      await this.closeLogs();
    });
  }

  signal(signal: NodeJS.Signals): boolean {
    if (!this.child) return false;
    this.child.signal(signal);
    return true;
  }

  /** `corral send` / `attach`: text for the running child's stdin. */
  writeStdin(data: string): void {
    if (!this.child) throw new CorralError(ErrorCode.NotFound, `${this.app.name} (id ${this.id}) is not running`);
    if (!this.child.writeStdin(data)) {
      throw new CorralError(ErrorCode.Io, `${this.app.name} (id ${this.id}) does not read its stdin (closed, or 1 MB written and not read yet)`);
    }
  }

  /** This process's log files (none for /dev/null). */
  logFiles(): string[] {
    return [this.outLog, this.errLog, this.combinedLog].filter((file): file is string => file !== null && file !== '/dev/null');
  }

  // --- reading ---

  info(): ProcessInfo {
    const running = this.child !== null && this.status !== ProcessStatus.Launching;
    return {
      id: this.id,
      name: this.app.name,
      namespace: this.app.namespace,
      pid: this.pid,
      status: this.status,
      exec_mode: this.app.exec_mode,
      instance: this.instance,
      instances: this.app.instances,
      restarts: this.restarts,
      unstable_restarts: this.restartState.unstableRestarts,
      started_at: this.startedAt,
      created_at: this.createdAt,
      uptime: running && this.startedAt ? Date.now() - this.startedAt : 0,
      cpu: running ? this.cpu : 0,
      memory: running ? this.memory : 0,
      script: this.app.script,
      args: this.app.args,
      cwd: this.app.cwd,
      interpreter: this.app.interpreter,
      node_args: this.app.node_args,
      out_log: this.outLog,
      err_log: this.errLog,
      combined_log: this.combinedLog,
      pid_file: this.pidFile,
      watch: this.app.watch,
      autorestart: this.app.autorestart,
      exit_code: this.exitCode,
      exit_signal: this.exitSignal,
      last_reason: this.lastReason,
      last_reason_detail: this.lastDetail,
      versioning: this.versioning,
    };
  }

  describe(): ProcessDescription {
    const { env, ...config } = this.app;
    return { ...this.info(), config: { ...config, env_keys: Object.keys(env).sort() }, history: [...this.history], samples: [...this.samples] };
  }

  // --- internals ---

  private enqueue<T>(operation: () => Promise<T>): Promise<T> {
    const next = this.queue.then(operation, operation);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Resolves once the process is no longer launching (online, crashed, errored or stopped). */
  private settled(): Promise<void> {
    if (this.status !== ProcessStatus.Launching) return Promise.resolve();
    return new Promise((resolve) => this.settleWaiters.push(resolve));
  }

  private setStatus(status: ProcessStatus, reason: StateReason, detail = '', files?: string[]): void {
    this.status = status;
    this.lastReason = reason;
    this.lastDetail = detail || null;
    if (reason !== 'start' || status !== ProcessStatus.Online) {
      this.history.push({ at: Date.now(), reason, detail: `${status}${detail ? `: ${detail}` : ''}` });
      if (this.history.length > HISTORY_LIMIT) this.history.shift();
    }
    this.ctx.log(`${this.app.name}[${this.id}] ${status} (${reason})${detail ? ` ${detail}` : ''}`);
    this.ctx.publish('process:event', {
      id: this.id,
      name: this.app.name,
      namespace: this.app.namespace,
      status,
      pid: this.pid,
      reason,
      detail,
      exit_code: this.exitCode,
      exit_signal: this.exitSignal,
      restarts: this.restarts,
      at: Date.now(),
      ...(files && files.length > 0 ? { files } : {}),
    });
    if (status !== ProcessStatus.Launching) {
      const waiters = this.settleWaiters;
      this.settleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  /** The environment the process runs (or will run) with. */
  environment(): Record<string, string> {
    return processEnvironment(this.app, this.id, this.instance, this.ctx.paths.home);
  }

  /** Spawns a child with this process's config and wires its output and exit; no state change. */
  private spawnChild(): ChildHandle {
    const extra = this.nextLaunchNodeArgs;
    this.nextLaunchNodeArgs = [];
    this.output.forgetInspector();
    const app = extra.length > 0 ? { ...this.app, node_args: [...this.app.node_args, ...extra] } : this.app;
    // A new marker per launch: what proves a process belongs to this launch when it is signalled.
    const marker = `${this.id}:${randomBytes(6).toString('hex')}`;
    const child = this.ctx.launch({ app, env: { ...this.environment(), [INSTANCE_VARIABLE]: marker }, marker, nodePath: this.ctx.nodePath });
    this.output.attach(child, new AbortController().signal);
    child.exited.then((result) => this.onExit(child, result));
    child.listening?.then(() => {
      if (this.child === child) this.listens = true;
    });
    return child;
  }

  /** Resolves true once the child sent 'ready' (wait_ready), false if it exits first. */
  private readyMessage(child: ChildHandle): Promise<boolean> {
    return new Promise((resolve) => {
      child.onMessage((message) => {
        if (message === 'ready' || (typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'ready')) resolve(true);
      });
      child.exited.then(() => resolve(false));
    });
  }

  private async launch(cause: Cause): Promise<void> {
    const { reason } = cause;
    this.clearRestartTimer();
    this.exitCode = null;
    this.exitSignal = null;
    this.setStatus(ProcessStatus.Launching, reason, cause.detail, cause.files);
    let child: ChildHandle;
    try {
      child = this.spawnChild();
    } catch (error) {
      this.desired = 'stopped';
      this.setStatus(ProcessStatus.Errored, 'launch-failed', (error as Error).message);
      return;
    }
    this.child = child;
    try {
      await child.spawned;
    } catch (error) {
      if (this.child === child) this.child = null;
      this.desired = 'stopped';
      this.setStatus(ProcessStatus.Errored, 'launch-failed', (error as Error).message);
      return;
    }
    this.startedAt = Date.now();
    this.writePidFile(child.pid);
    if (this.app.vizion) void versioningOf(this.app.script, this.app.cwd).then((versioning) => (this.versioning = versioning));
    else this.versioning = null;
    if (this.app.wait_ready && child.hasIpc()) {
      const timer = setTimeout(() => this.markOnline(child, 'ready-timeout', `no "ready" message within listen_timeout (${this.app.listen_timeout} ms)`), this.app.listen_timeout);
      void this.readyMessage(child).then((ready) => {
        clearTimeout(timer);
        if (ready) this.markOnline(child, reason, cause.detail, cause.files);
      });
    } else {
      this.markOnline(child, reason, cause.detail, cause.files);
    }
  }

  /**
   * Zero-downtime replacement (cluster mode): start a new worker, wait until it listens (or says
   * ready with wait_ready; at most listen_timeout), then drain and stop the old one. If the new one
   * dies first, the old one keeps serving and the reload fails with the reason.
   */
  reload(cause: Cause = { reason: 'reload' }): Promise<void> {
    return this.enqueue(async () => {
      const old = this.child;
      if (this.app.exec_mode !== 'cluster' || !old || this.status !== ProcessStatus.Online) {
        // Fork mode, or nothing serving to keep: a reload is a restart.
        await this.stopChild(cause.reason, cause.detail);
        this.restarts++;
        this.restartState = INITIAL_RESTART_STATE;
        this.desired = 'online';
        await this.launch(cause);
        return;
      }
      const replacement = this.spawnChild();
      try {
        await replacement.spawned;
      } catch (error) {
        throw new CorralError(ErrorCode.Internal, `${this.app.name}[${this.id}]: reload failed, the new worker did not start (${(error as Error).message}); the old worker keeps serving`);
      }
      // A worker that serves nothing (a queue consumer) is up once it runs; one that listened before
      // must listen again before it takes over.
      const up = this.app.wait_ready
        ? this.readyMessage(replacement)
        : this.listens && replacement.listening
          ? replacement.listening.then(() => true)
          : Promise.resolve(true);
      let timer: NodeJS.Timeout | undefined;
      const outcome = await Promise.race([
        up.then((ok) => (ok ? 'up' : 'exited')),
        replacement.exited.then(() => 'exited' as const),
        new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), this.app.listen_timeout))),
      ]);
      clearTimeout(timer);
      if (outcome === 'exited') {
        const exit = await replacement.exited;
        replacement.signal('SIGKILL');
        throw new CorralError(
          ErrorCode.Internal,
          `${this.app.name}[${this.id}]: reload failed, the new worker ${describeExit({ ...exit, uptimeMs: 0 }).replace(/ after 0 ms$/, '')} before it was ready; the old worker keeps serving`,
        );
      }
      if (this.child !== old) {
        // The old worker died meanwhile (and the policy took over): the replacement is surplus.
        replacement.signal('SIGKILL');
        return;
      }
      this.child = replacement;
      this.startedAt = Date.now();
      this.restarts++;
      this.restartState = INITIAL_RESTART_STATE;
      this.writePidFile(replacement.pid);
      const how = outcome === 'timeout' ? `not listening within listen_timeout (${this.app.listen_timeout} ms); replaced anyway` : `replaced pid ${old.pid}`;
      this.setStatus(ProcessStatus.Online, cause.reason, cause.detail ? `${cause.detail}; ${how}` : how, cause.files);
      await this.retire(old);
    });
  }

  /** Takes a replaced worker out of rotation and stops it gracefully. */
  private async retire(old: ChildHandle): Promise<void> {
    await old.drain?.(this.app.kill_timeout);
    await this.terminate(old);
    old.signal('SIGKILL');
  }

  private markOnline(child: ChildHandle, reason: StateReason, detail = '', files?: string[]): void {
    if (this.child !== child || this.status !== ProcessStatus.Launching) return;
    this.setStatus(ProcessStatus.Online, reason, detail, files);
  }

  private onExit(child: ChildHandle, result: ExitResult): void {
    const { code, signal, forced } = result;
    if (this.child !== child) return;
    this.child = null;
    // Whatever the app left behind in its process group goes with it.
    child.signal('SIGKILL');
    this.removePidFile();
    this.exitCode = code;
    this.exitSignal = signal;
    const uptimeMs = this.startedAt ? Date.now() - this.startedAt : 0;
    const exit = { code, signal, forced, uptimeMs, at: Date.now() };
    if (this.desired === 'stopped') {
      if (this.status !== ProcessStatus.Errored) this.setStatus(ProcessStatus.Stopped, this.lastReason ?? 'user', describeExit(exit));
      return;
    }
    const decision = decideAfterExit(this.app, this.restartState, exit);
    this.restartState = decision.state;
    if (decision.action === 'stop') {
      this.desired = 'stopped';
      this.setStatus(ProcessStatus.Stopped, 'exit', decision.detail);
    } else if (decision.action === 'errored') {
      this.desired = 'stopped';
      this.setStatus(ProcessStatus.Errored, 'unstable', decision.detail);
    } else {
      this.setStatus(ProcessStatus.WaitingRestart, 'crash', decision.detail);
      this.restartTimer = setTimeout(() => {
        this.restartTimer = null;
        if (this.desired !== 'online' || this.child) return;
        this.restarts++;
        void this.launch({ reason: 'crash' });
      }, decision.delayMs);
    }
  }

  private clearRestartTimer(): void {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
  }

  /** Graceful stop: shutdown message or SIGINT to the group, SIGKILL after kill_timeout. */
  private async stopChild(reason: StateReason, detail = ''): Promise<void> {
    this.desired = 'stopped';
    if (this.restartTimer) {
      this.clearRestartTimer();
      this.setStatus(ProcessStatus.Stopped, reason, 'restart cancelled');
      return;
    }
    const child = this.child;
    if (!child) {
      if (this.status === ProcessStatus.Online || this.status === ProcessStatus.Launching) this.setStatus(ProcessStatus.Stopped, reason);
      return;
    }
    this.setStatus(ProcessStatus.Stopping, reason, detail);
    await this.terminate(child);
  }

  /** Shutdown message or SIGINT to the group; SIGKILL after kill_timeout; then read the pipes dry. */
  private async terminate(child: ChildHandle): Promise<void> {
    const graceful = this.app.shutdown_with_message && child.send('shutdown');
    if (!graceful) child.signal('SIGINT');
    const killTimer = setTimeout(() => {
      this.ctx.log(`${this.app.name}[${this.id}] pid ${child.pid} did not exit within kill_timeout (${this.app.kill_timeout} ms): SIGKILL`);
      child.forceKill();
    }, this.app.kill_timeout);
    await child.exited;
    clearTimeout(killTimer);
    // Read what is still in the pipes before anyone closes the log files. A process that escaped the
    // group could hold a pipe open forever, so the wait is bounded.
    await Promise.race([child.drained, new Promise((resolve) => setTimeout(resolve, DRAIN_WAIT_MS).unref())]);
  }

  private openLogs(): void {
    const { app } = this;
    ({ outLog: this.outLog, errLog: this.errLog, combinedLog: this.combinedLog, pidFile: this.pidFile } = processFiles(app, this.id, this.ctx.paths));
    this.output.open(this, { maxBytes: app.log_max_size, retain: app.log_retain, compress: app.log_compress });
  }

  private closeLogs(): Promise<void> {
    return this.output.close();
  }

  private writePidFile(pid: number): void {
    writePidFile(this.pidFile, pid, (problem) => this.ctx.log(`${this.app.name}[${this.id}] ${problem}`));
  }

  private removePidFile(): void {
    removePidFile(this.pidFile);
  }
}
