/**
 * One instance of an app. Its status lives in a ProcessState (process-state.ts), which changes it
 * along the table there and nowhere else; the launch (launch.ts) and a pending restart are held by
 * the status itself, so they cannot disagree with it.
 *
 * Operations are queued per process, so a stop never races a restart of the same process; the
 * crash relaunch and the outcome of wait_ready / listen_timeout go through the same queue. A child's
 * exit is an event, not an operation: it moves the state at once (a queued stop waits for it).
 */
import { describeProbe, type AppConfig } from '../shared/config';
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
import { ProcessProbes } from './process-probes';
import type { ProbeSlots } from './probes';
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
  /** The daemon's bound on probe checks at once. */
  probeSlots: ProbeSlots;
}

export type { Cause } from './process-state';

/** What one launch gets beyond the config (a restart that opens the inspector). */
export interface LaunchOptions {
  nodeArgs?: string[];
  holdForDebugger?: boolean;
}

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
  /** readiness_probe and liveness_probe (process-probes.ts). */
  private readonly probes: ProcessProbes;
  /** Not started yet for depends_on (start-order.ts), or why it was not. */
  private waitingFor: string | null = null;
  private readonly statusWatchers = new Set<(status: ProcessStatus) => void>();

  constructor(
    readonly id: number,
    app: AppConfig,
    readonly instance: number,
    private readonly ctx: ProcessContext,
  ) {
    this.config = app;
    this.output = new ProcessOutput(id, () => this.config, ctx);
    this.probes = new ProcessProbes({
      slots: ctx.probeSlots,
      open: this.open,
      target: () => ({ env: this.environment(), cwd: this.app.cwd }),
      changed: () => ctx.publish('process:health', { id, name: this.app.name, health: this.health(), last_probe: this.probes.last }),
    });
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

  /**
   * `nodeArgs`: node_args added to this launch only (a restart with the inspector). `holdForDebugger`:
   * that launch waits for a debugger (Debug from Start), so its readiness bound and liveness probe
   * start once releaseDebugger() is called or it ends (launch.ts).
   */
  restart(cause: Cause = { reason: 'user' }, options: LaunchOptions = {}): Promise<void> {
    return this.enqueue(() => this.relaunch(cause, options))
      .then(() => this.state.settled())
      .then(() => {
        // With a readiness probe a restart succeeds only once the new process is ready (online).
        if (this.app.readiness_probe && this.status !== ProcessStatus.Online && this.state.lastReason === 'not-ready')
          throw new CorralError(ErrorCode.Internal, `${this.label}: restarted but ${this.state.lastDetail ?? 'not ready'}`);
      });
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
    return this.enqueue(() => this.replace(cause));
  }

  /** reload's work, inside the queue. With a readiness probe the new worker must also pass it (within listen_timeout). */
  private async replace(cause: Cause): Promise<void> {
    const old = this.state.phase.status === ProcessStatus.Online ? this.launch : null;
    // Fork mode, or nothing serving to keep: a reload is a restart.
    if (this.app.exec_mode !== 'cluster' || !old) return this.relaunch(cause);
    const replacement = this.spawn(loadEnvironment(this.app));
    const failed = (how: string): CorralError =>
      new CorralError(ErrorCode.Internal, `${this.label}: reload failed, the new worker ${how}; the old worker keeps serving`);
    let outcome: 'up' | 'timeout';
    try {
      outcome = await replacement.takeOver(this.app, this.listens);
    } catch (error) {
      throw failed((error as Error).message);
    }
    const child = replacement.child as ChildHandle;
    const { readiness_probe: probe, listen_timeout } = this.app;
    if (probe) {
      const ready = await this.probes.ready(replacement, probe, listen_timeout);
      if (ready !== 'ready') {
        child.signal('SIGKILL');
        if (ready === null && replacement.exit)
          throw failed(`${describeExit({ ...replacement.exit, uptimeMs: replacement.exit.durationMs })} before it was ready`);
        throw failed(`was not ready within listen_timeout (${listen_timeout} ms): ${describeProbe(probe)}: ${this.probes.lastFailure()}`);
      }
    }
    if (this.launch !== old) {
      // The old worker died meanwhile (and the policy took over): the replacement is surplus.
      child.signal('SIGKILL');
      return;
    }
    this.startedAt = Date.now();
    this.restarts++;
    // A liveness reload counts as a crash (livenessReloadAllowed): the crash-loop rules keep counting.
    if (cause.reason !== 'liveness') this.restartState = INITIAL_RESTART_STATE;
    this.writePidFile(child.pid);
    const how =
      outcome === 'timeout' ? `not listening within listen_timeout (${this.app.listen_timeout} ms); replaced anyway` : `replaced pid ${old.child?.pid}`;
    this.probes.reset();
    this.state.move('reloaded', { ...cause, detail: cause.detail ? `${cause.detail}; ${how}` : how }, { launch: replacement });
    this.watchLiveness(replacement);
    // The replaced worker leaves the rotation, then stops gracefully.
    await old.child?.drain?.(this.app.kill_timeout);
    await this.terminate(old);
  }

  /** Debug from Start: the debug session of the current launch is over (its inspector closed). */
  releaseDebugger(): void {
    this.launch?.release();
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

  get waiting(): string | null {
    return this.waitingFor;
  }

  /** depends_on: why this process has not started (null once it starts or is stopped on purpose). */
  setWaiting(waiting: string | null): void {
    if (waiting === this.waitingFor) return;
    this.waitingFor = waiting;
    this.ctx.publish('process:waiting', { id: this.id, name: this.app.name, waiting });
  }

  /**
   * Resolves with the first of online (ready: a readiness probe has passed), errored or stopped from
   * now on; launching, waiting-restart and stopping are on the way to one of them.
   */
  outcome(): Promise<ProcessStatus> {
    const final = (status: ProcessStatus): boolean => status === ProcessStatus.Online || status === ProcessStatus.Errored || status === ProcessStatus.Stopped;
    if (final(this.status)) return Promise.resolve(this.status);
    return new Promise((resolve) => {
      const watcher = (status: ProcessStatus): void => {
        if (!final(status)) return;
        this.statusWatchers.delete(watcher);
        resolve(status);
      };
      this.statusWatchers.add(watcher);
    });
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
      health: this.health(),
      last_probe: this.probes.last,
      depends_on: this.app.depends_on,
      waiting: this.waitingFor,
    };
  }

  private health(): ProcessInfo['health'] {
    return this.probes.health(this.status, this.app);
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
    if (status !== ProcessStatus.Stopped) this.waitingFor = null; // started: no longer waiting (the event says so)
    for (const watcher of [...this.statusWatchers]) watcher(status);
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
      health: this.health(),
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

  private async relaunch(cause: Cause, options?: LaunchOptions): Promise<void> {
    // Env files first: one that cannot be read fails the restart, and the running child keeps running.
    const layered = loadEnvironment(this.app);
    await this.stopChild(cause.reason, cause.detail);
    this.restarts++;
    this.restartState = INITIAL_RESTART_STATE;
    await this.launchChild(cause, options, layered);
  }

  /** Without `layered` the env files are read here, and a bad one is this launch's failure (errored, with the reason). */
  private async launchChild(cause: Cause, options: LaunchOptions = {}, layered?: LayeredEnv): Promise<void> {
    const launch = new Launch(this.open);
    if (options.holdForDebugger) launch.holdForDebugger();
    this.lastExit = null;
    this.probes.reset();
    this.state.move('launch', cause, { launch });
    try {
      this.spawn(layered ?? loadEnvironment(this.app), options.nodeArgs, launch);
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
    if (this.app.readiness_probe) return void this.awaitReadiness(launch, cause);
    if (!this.app.wait_ready || !child.hasIpc()) return this.goOnline(launch, cause);
    const { listen_timeout } = this.app;
    void launch.readiness(listen_timeout).then((outcome) => {
      if (!outcome) return; // exited or stopped first
      const up = outcome === 'ready' ? cause : { reason: 'ready-timeout' as const, detail: `no "ready" message within listen_timeout (${listen_timeout} ms)` };
      this.background(async () => {
        if (this.state.phase.status === ProcessStatus.Launching && this.launch === launch) this.goOnline(launch, up);
      });
    });
  }

  /** launching -> online, and the liveness probe starts watching this launch. */
  private goOnline(launch: Launch, cause: Cause): void {
    this.state.move('up', cause);
    this.watchLiveness(launch);
  }

  /**
   * readiness_probe: launching until it passes (after 'ready' too with wait_ready), at most
   * listen_timeout; then the child is ended and its exit counts as a failed start ('not-ready').
   */
  private async awaitReadiness(launch: Launch, cause: Cause): Promise<void> {
    const probe = this.app.readiness_probe as NonNullable<AppConfig['readiness_probe']>;
    const { listen_timeout } = this.app;
    const started = Date.now();
    const child = launch.child as ChildHandle;
    // With wait_ready too, the probe starts once 'ready' came; listen_timeout bounds both.
    const said = this.app.wait_ready && child.hasIpc() ? await launch.readiness(listen_timeout) : 'ready';
    if (said === null) return; // exited or stopped first
    // Held for a debugger, the probe gets its whole listen_timeout from the release (launch.ts).
    const budget = launch.heldForDebugger ? listen_timeout : Math.max(1, listen_timeout - (Date.now() - started));
    const outcome = said === 'ready' ? await this.probes.ready(launch, probe, budget) : 'timeout';
    if (!outcome) return;
    this.background(async () => {
      if (this.state.phase.status !== ProcessStatus.Launching || this.launch !== launch) return;
      if (outcome === 'ready') return this.goOnline(launch, cause);
      const why = said === 'ready' ? `${describeProbe(probe)}: ${this.probes.lastFailure()}` : 'no "ready" message (wait_ready)';
      await this.endForProbe(launch, { reason: 'not-ready', detail: `not ready within listen_timeout (${listen_timeout} ms): ${why}` });
    });
  }

  private watchLiveness(launch: Launch): void {
    const probe = this.app.liveness_probe;
    if (!probe) return;
    const current = (): boolean => this.launch === launch && this.state.phase.status === ProcessStatus.Online;
    this.probes.watchLiveness(launch, probe, current, (detail) =>
      this.background(async () => {
        if (!current()) return;
        const counted = this.restartState;
        if (this.app.exec_mode === 'cluster' && this.livenessReloadAllowed(detail)) {
          try {
            return await this.replace({ reason: 'liveness', detail });
          } catch (error) {
            this.ctx.log(`${this.label} ${(error as Error).message}; restarting it instead`);
            this.restartState = counted; // the exit of the restart counts it instead
            if (!current()) return;
          }
        }
        await this.endForProbe(launch, { reason: 'liveness', detail });
      }),
    );
  }

  /**
   * A cluster worker that failed its liveness probe is reloaded (the old one serves until the new
   * one is ready), counted as a crash: when the policy would give up, it is ended instead (errored).
   */
  private livenessReloadAllowed(detail: string): boolean {
    const uptimeMs = this.startedAt ? Date.now() - this.startedAt : 0;
    const decision = decideAfterExit(this.app, this.restartState, { code: null, signal: null, uptimeMs, at: Date.now(), failure: detail });
    if (decision.action !== 'restart') return false;
    this.restartState = decision.state;
    return true;
  }

  /** Ends a child whose probe failed, gracefully; its exit then goes to the restart policy as that failure (onExit). */
  private async endForProbe(launch: Launch, failure: NonNullable<Launch['failure']>): Promise<void> {
    launch.failure = failure;
    this.ctx.log(`${this.label} ${failure.reason}: ${failure.detail}`);
    await this.terminate(launch);
  }

  private onExit(launch: Launch, exit: ExitResult): void {
    // A replaced or retired worker, or a spawn failure (launchChild reports that one).
    if (this.launch !== launch || !launch.started) return;
    removePidFile(this.files.pidFile);
    this.lastExit = exit;
    const facts = { ...exit, uptimeMs: exit.durationMs, at: Date.now() };
    if (this.state.phase.status === ProcessStatus.Stopping)
      return this.state.move('exit', { reason: this.state.lastReason ?? 'user', detail: describeExit(facts) });
    const { failure } = launch;
    const decision = decideAfterExit(this.app, this.restartState, { ...facts, ...(failure ? { failure: failure.detail } : {}) });
    this.restartState = decision.state;
    // A process ended for a failed probe never just stops: it failed.
    if (decision.action === 'stop' && !failure) return this.state.move('exit-stop', { reason: 'exit', detail: decision.detail });
    if (decision.action !== 'restart')
      return this.state.move('exit-errored', { reason: decision.action === 'stop' ? (failure?.reason ?? 'exit') : 'unstable', detail: decision.detail });
    const delay = this.open.add(new Lifetime());
    const relaunch: Cause = failure ? { reason: failure.reason, detail: failure.detail } : { reason: 'crash' };
    this.state.move('exit-restart', { reason: relaunch.reason, detail: decision.detail }, { delay });
    void delay.sleep(decision.delayMs).then((due) => {
      if (!due) return; // stopped or restarted meanwhile
      this.background(async () => {
        if (this.state.phase.status !== ProcessStatus.WaitingRestart || this.state.phase.delay !== delay) return;
        this.restarts++;
        await this.launchChild(relaunch);
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
