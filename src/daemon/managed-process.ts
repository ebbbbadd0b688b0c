/**
 * One instance of an app. Its status lives in a ProcessState (process-state.ts), which changes it
 * along the table there and nowhere else; the launch (launch.ts) and a pending restart are held by
 * the status itself, so they cannot disagree with it.
 *
 * Operations are queued per process, so a stop never races a restart of the same process; the
 * crash relaunch and the outcome of wait_ready / listen_timeout go through the same queue. A child's
 * exit is an event, not an operation: it moves the state at once (a queued stop waits for it).
 */
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
  type StateReason,
} from '../shared/protocol';
import type { ChildHandle, ExitResult } from './child-handle';
import type { LaunchSpec } from './fork-launcher';
import { versioningOf } from './git-info';
import { Launch } from './launch';
import { Lifetime, OpenLifetimes } from './lifetime';
import type { LogFiles } from './log-files';
import { loadEnvironment, processEnvironment, type LayeredEnv } from './process-env';
import { processFiles, removePidFile, writePidFile, type ProcessFiles } from './process-files';
import { ProcessOutput } from './process-output';
import { ProcessState, type Cause } from './process-state';
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

export type { Cause } from './process-state';

export class ManagedProcess {
  restarts = 0;
  cpu = 0;
  memory = 0;
  /** stdout and stderr: recent lines, log files, live events, the inspector (process-output.ts). */
  readonly output: ProcessOutput;
  /** Git facts about the app's code, refreshed (off the start path) at every launch. */
  versioning: Versioning | null = null;
  /** Recent CPU/memory samples, filled by the metrics sampler. */
  readonly samples: MetricsSample[] = [];
  readonly createdAt = Date.now();
  /** Log and pid file names (process-files.ts), set by the config. */
  files!: ProcessFiles;
  private config: AppConfig;
  private readonly state = new ProcessState<Launch, Lifetime>((status, cause) => this.announce(status, cause));
  /** Not ended yet: the current launch, one retiring or reading its last output, a restart delay. */
  private readonly open = new OpenLifetimes();
  private startedAt: number | null = null;
  private lastExit: ExitResult | null = null;
  /** A worker of this process has listened on a server: reloads then wait for the replacement to listen. */
  private listens = false;
  private restartState: RestartState = INITIAL_RESTART_STATE;
  /** The variables the current (or last) child was given, env files read at its launch. */
  private launchedEnv: LayeredEnv | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly id: number,
    app: AppConfig,
    readonly instance: number,
    private readonly ctx: ProcessContext,
  ) {
    this.config = app;
    this.output = new ProcessOutput(id, () => this.config, ctx);
    this.openLogs();
  }

  /** The config; changed only by queued operations (reconfigure, update). */
  get app(): AppConfig {
    return this.config;
  }

  get status(): ProcessStatus {
    return this.state.status;
  }

  private get launch(): Launch | null {
    return this.state.launch;
  }

  get pid(): number | null {
    const child = this.launch?.child;
    return child && child.pid > 0 ? child.pid : null;
  }

  isRunning(): boolean {
    return this.launch !== null;
  }

  /** Lifetimes (launches, a restart delay) not ended yet and the timers they hold: none of either once stopped and settled. */
  lifetimes(): { open: number; timers: number } {
    return this.open.count();
  }

  /** Resolves once no lifetime is open: stopped or errored, and the last launch has read its output. */
  allEnded(): Promise<void> {
    return this.open.none();
  }

  // --- operations (queued) ---

  start(reason: StateReason = 'start'): Promise<void> {
    return this.enqueue(async () => {
      // Launching, online or about to restart already (stopping never outlasts the operation that began it).
      if (this.status !== ProcessStatus.Stopped && this.status !== ProcessStatus.Errored) return;
      this.restartState = INITIAL_RESTART_STATE;
      await this.launchChild({ reason });
    }).then(() => this.state.settled());
  }

  /** `nodeArgs`: node_args added to this launch only (a restart with the inspector). */
  restart(cause: Cause = { reason: 'user' }, options: { nodeArgs?: string[] } = {}): Promise<void> {
    return this.enqueue(() => this.relaunch(cause, options.nodeArgs)).then(() => this.state.settled());
  }

  /** Stopped on purpose by a client (not by a crash policy or an exit): triggers leave it alone. */
  stoppedByUser(): boolean {
    return this.status === ProcessStatus.Stopped && (this.state.lastReason === null || this.state.lastReason === 'user' || this.state.lastReason === 'scale');
  }

  stop(reason: StateReason = 'user'): Promise<void> {
    return this.enqueue(() => this.stopChild(reason));
  }

  /** `reset`: the restart counters start again from 0 (the crash-loop rules with them). */
  resetCounters(): void {
    this.restarts = 0;
    this.restartState = INITIAL_RESTART_STATE;
  }

  /** Replace the config (ecosystem re-start) and reopen the log files it names; takes effect at the next launch. */
  reconfigure(app: AppConfig): Promise<void> {
    return this.enqueue(async () => {
      await this.output.close();
      this.config = app;
      this.openLogs();
    });
  }

  /** A config change for the next launch that keeps the log files as they are (env, watch, instances). */
  update(change: (app: AppConfig) => AppConfig): Promise<void> {
    return this.enqueue(async () => {
      this.config = change(this.config);
    });
  }

  /**
   * Stop and release files; the supervisor then forgets this process. With `drain` (scaling down a
   * cluster app) the worker first leaves the rotation and finishes its requests.
   */
  dispose(options: { drain?: boolean } = {}): Promise<void> {
    return this.enqueue(async () => {
      const launch = this.launch;
      if (options.drain && launch?.child?.drain) {
        this.state.move('stop', { reason: 'scale' });
        await launch.child.drain(this.app.kill_timeout);
        await this.terminate(launch);
      } else {
        await this.stopChild(options.drain ? 'scale' : 'user');
      }
      await this.output.close();
    });
  }

  /**
   * Zero-downtime replacement (cluster mode): start a new worker, wait until it listens (or says
   * ready with wait_ready; at most listen_timeout), then drain and stop the old one. If the new one
   * dies first, the old one keeps serving and the reload fails with the reason.
   */
  reload(cause: Cause = { reason: 'reload' }): Promise<void> {
    return this.enqueue(async () => {
      const old = this.state.phase.status === ProcessStatus.Online ? this.launch : null;
      // Fork mode, or nothing serving to keep: a reload is a restart.
      if (this.app.exec_mode !== 'cluster' || !old) return this.relaunch(cause);
      const replacement = this.spawn(loadEnvironment(this.app));
      let outcome: 'up' | 'timeout';
      try {
        outcome = await replacement.takeOver(this.app, this.listens);
      } catch (error) {
        throw new CorralError(ErrorCode.Internal, `${this.label}: reload failed, the new worker ${(error as Error).message}; the old worker keeps serving`);
      }
      const child = replacement.child as ChildHandle;
      if (this.launch !== old) {
        // The old worker died meanwhile (and the policy took over): the replacement is surplus.
        child.signal('SIGKILL');
        return;
      }
      this.startedAt = Date.now();
      this.restarts++;
      this.restartState = INITIAL_RESTART_STATE;
      this.writePidFile(child.pid);
      const how =
        outcome === 'timeout' ? `not listening within listen_timeout (${this.app.listen_timeout} ms); replaced anyway` : `replaced pid ${old.child?.pid}`;
      this.state.move('reloaded', { ...cause, detail: cause.detail ? `${cause.detail}; ${how}` : how }, { launch: replacement });
      // The replaced worker leaves the rotation, then stops gracefully.
      await old.child?.drain?.(this.app.kill_timeout);
      await this.terminate(old);
    });
  }

  signal(signal: NodeJS.Signals): boolean {
    const child = this.launch?.child;
    if (!child) return false;
    child.signal(signal);
    return true;
  }

  /** `corral send` / `attach`: text for the running child's stdin. */
  writeStdin(data: string): void {
    const child = this.launch?.child;
    if (!child) throw new CorralError(ErrorCode.NotFound, `${this.app.name} (id ${this.id}) is not running`);
    if (!child.writeStdin(data)) {
      throw new CorralError(ErrorCode.Io, `${this.app.name} (id ${this.id}) does not read its stdin (closed, or 1 MB written and not read yet)`);
    }
  }

  /** This process's log files (none for /dev/null). */
  logFiles(): string[] {
    const { outLog, errLog, combinedLog } = this.files;
    return [outLog, errLog, combinedLog].filter((file): file is string => file !== null && file !== '/dev/null');
  }

  /** The environment the process runs with, or (not running) would start with: its env files read now. */
  environment(): Record<string, string> {
    return processEnvironment(this.app, this.layers(), this.id, this.instance, this.ctx.paths.home);
  }

  /** Where each variable comes from, for describe: the running child's, else as a start would read them. */
  envSources(): Record<string, string> {
    try {
      return this.layers().sources;
    } catch {
      // An env file that cannot be read now: the reason is in the status; the config's own layers still tell.
      return loadEnvironment({ ...this.app, env_file: [] }).sources;
    }
  }

  private layers(): LayeredEnv {
    return this.isRunning() && this.launchedEnv ? this.launchedEnv : loadEnvironment(this.app);
  }

  // --- reading ---

  info(): ProcessInfo {
    const running = this.launch !== null && this.status !== ProcessStatus.Launching;
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
      out_log: this.files.outLog,
      err_log: this.files.errLog,
      combined_log: this.files.combinedLog,
      pid_file: this.files.pidFile,
      watch: this.app.watch,
      autorestart: this.app.autorestart,
      exit_code: this.lastExit?.code ?? null,
      exit_signal: this.lastExit?.signal ?? null,
      last_reason: this.state.lastReason,
      last_reason_detail: this.state.lastDetail,
      versioning: this.versioning,
    };
  }

  describe(): ProcessDescription {
    const { env: _env, ...config } = this.app;
    const env_sources = this.envSources();
    return {
      ...this.info(),
      config: { ...config, env_keys: Object.keys(env_sources).sort(), env_sources },
      history: [...this.state.history],
      samples: [...this.samples],
    };
  }

  // --- internals ---

  private get label(): string {
    return `${this.app.name}[${this.id}]`;
  }

  private enqueue<T>(operation: () => Promise<T>): Promise<T> {
    const next = this.queue.then(operation, operation);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** An operation no client waits for (the crash relaunch, the readiness outcome): its failure goes to daemon.log. */
  private background(operation: () => Promise<void>): void {
    this.enqueue(operation).catch((error: Error) => this.ctx.log(`${this.label} ${error.message}`));
  }

  /** Tells a state change: daemon.log, then the clients' `process:event`. */
  private announce(status: ProcessStatus, cause: Cause): void {
    const { reason, detail = '' } = cause;
    this.ctx.log(`${this.label} ${status} (${reason})${detail ? ` ${detail}` : ''}`);
    this.ctx.publish('process:event', {
      id: this.id,
      name: this.app.name,
      namespace: this.app.namespace,
      status,
      pid: this.pid,
      reason,
      detail,
      exit_code: this.lastExit?.code ?? null,
      exit_signal: this.lastExit?.signal ?? null,
      restarts: this.restarts,
      at: Date.now(),
      ...(cause.files && cause.files.length > 0 ? { files: cause.files } : {}),
    });
  }

  /**
   * A new launch with a spawned child, its output and exit wired; no state change. Throws what the
   * launcher throws. `layered`: the app's variables, env files read (loadEnvironment) before anything
   * is stopped or started, so a bad file fails the operation and leaves what runs alone.
   */
  private spawn(layered: LayeredEnv, nodeArgs: string[] = [], launch = new Launch(this.open)): Launch {
    this.output.forgetInspector(); // a new child: the old one's inspector is gone with it
    const app = nodeArgs.length > 0 ? { ...this.app, node_args: [...this.app.node_args, ...nodeArgs] } : this.app;
    const env = processEnvironment(this.app, layered, this.id, this.instance, this.ctx.paths.home);
    const child = launch.spawn((spec) => this.ctx.launch(spec), this.id, { app, env, nodePath: this.ctx.nodePath });
    this.launchedEnv = layered;
    this.output.attach(child, launch.lifetime.signal);
    launch.exited.then((exit) => this.onExit(launch, exit)).catch((error: Error) => this.ctx.log(`${this.label} ${error.message}`));
    void child.listening?.then(() => {
      if (this.launch === launch) this.listens = true;
    });
    return launch;
  }

  private async relaunch(cause: Cause, nodeArgs?: string[]): Promise<void> {
    // Env files first: one that cannot be read fails the restart, and the running child keeps running.
    const layered = loadEnvironment(this.app);
    await this.stopChild(cause.reason, cause.detail);
    this.restarts++;
    this.restartState = INITIAL_RESTART_STATE;
    await this.launchChild(cause, nodeArgs, layered);
  }

  /** Without `layered` the env files are read here, and a bad one is this launch's failure (errored, with the reason). */
  private async launchChild(cause: Cause, nodeArgs?: string[], layered?: LayeredEnv): Promise<void> {
    const launch = new Launch(this.open);
    this.lastExit = null;
    this.state.move('launch', cause, { launch });
    try {
      this.spawn(layered ?? loadEnvironment(this.app), nodeArgs, launch);
      await (launch.child as ChildHandle).spawned;
    } catch (error) {
      launch.end();
      this.state.move('launch-failed', { reason: 'launch-failed', detail: (error as Error).message });
      return;
    }
    const child = launch.child as ChildHandle;
    this.startedAt = Date.now();
    this.writePidFile(child.pid);
    if (this.app.vizion) void versioningOf(this.app.script, this.app.cwd).then((versioning) => (this.versioning = versioning));
    else this.versioning = null;
    if (!this.app.wait_ready || !child.hasIpc()) return this.state.move('up', cause);
    const { listen_timeout } = this.app;
    void launch.readiness(listen_timeout).then((outcome) => {
      if (!outcome) return; // exited or stopped first
      const up = outcome === 'ready' ? cause : { reason: 'ready-timeout' as const, detail: `no "ready" message within listen_timeout (${listen_timeout} ms)` };
      this.background(async () => {
        if (this.state.phase.status === ProcessStatus.Launching && this.launch === launch) this.state.move('up', up);
      });
    });
  }

  private onExit(launch: Launch, exit: ExitResult): void {
    // A replaced or retired worker, or a spawn failure (launchChild reports that one).
    if (this.launch !== launch || !launch.started) return;
    removePidFile(this.files.pidFile);
    this.lastExit = exit;
    const facts = { ...exit, uptimeMs: exit.durationMs, at: Date.now() };
    if (this.state.phase.status === ProcessStatus.Stopping)
      return this.state.move('exit', { reason: this.state.lastReason ?? 'user', detail: describeExit(facts) });
    const decision = decideAfterExit(this.app, this.restartState, facts);
    this.restartState = decision.state;
    if (decision.action === 'stop') return this.state.move('exit-stop', { reason: 'exit', detail: decision.detail });
    if (decision.action === 'errored') return this.state.move('exit-errored', { reason: 'unstable', detail: decision.detail });
    const delay = this.open.add(new Lifetime());
    this.state.move('exit-restart', { reason: 'crash', detail: decision.detail }, { delay });
    void delay.sleep(decision.delayMs).then((due) => {
      if (!due) return; // stopped or restarted meanwhile
      this.background(async () => {
        if (this.state.phase.status !== ProcessStatus.WaitingRestart || this.state.phase.delay !== delay) return;
        this.restarts++;
        await this.launchChild({ reason: 'crash' });
      });
    });
  }

  /** Graceful stop of the current child; a pending restart is cancelled instead. */
  private async stopChild(reason: StateReason, detail = ''): Promise<void> {
    if (this.state.phase.status === ProcessStatus.WaitingRestart) return this.state.move('stop', { reason, detail: 'restart cancelled' });
    const launch = this.launch;
    if (!launch) return; // stopped or errored: nothing runs
    this.state.move('stop', { reason, detail });
    await this.terminate(launch);
  }

  private terminate(launch: Launch): Promise<void> {
    const { kill_timeout } = this.app;
    return launch.terminate(this.app, () =>
      this.ctx.log(`${this.label} pid ${launch.child?.pid} did not exit within kill_timeout (${kill_timeout} ms): SIGKILL`),
    );
  }

  private openLogs(): void {
    const { app } = this;
    this.files = processFiles(app, this.id, this.ctx.paths);
    this.output.open(this.files, { maxBytes: app.log_max_size, retain: app.log_retain, compress: app.log_compress });
  }

  private writePidFile(pid: number): void {
    writePidFile(this.files.pidFile, pid, (problem) => this.ctx.log(`${this.label} ${problem}`));
  }
}
