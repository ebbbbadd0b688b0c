/** The process table: creates, finds and drives managed processes. */
import { ConfigError, dependencyProblems, isNodeInterpreter, revalidateApp, stopWaves, type AppConfig } from '../shared/config';
import { CorralError, ErrorCode } from '../shared/errors';
import { ProcessStatus, type InspectResult, type ProcessDescription, type ProcessInfo, type RecentLogs } from '../shared/protocol';
import { applyChange, type AppChange } from './app-changes';
import { AutoRestarts } from './auto-restarts';
import { DEFAULT_INSPECT_CLOSE_AFTER_MS } from './inspector-guard';
import { Inspectors } from './inspect-process';
import { ManagedProcess, type ProcessContext } from './managed-process';
import type { DumpApp } from '../shared/dump';
import { matchTarget } from '../shared/targets';
import { MetricsSampler } from './metrics';
import { loadEnvironment } from './process-env';
import { StartRun, type Gate, type StartEntry } from './start-order';

const SIGNALS = new Set<string>([
  'SIGHUP',
  'SIGINT',
  'SIGQUIT',
  'SIGTERM',
  'SIGKILL',
  'SIGUSR1',
  'SIGUSR2',
  'SIGSTOP',
  'SIGCONT',
  'SIGTSTP',
  'SIGWINCH',
  'SIGALRM',
  'SIGPIPE',
]);

export class Supervisor {
  private readonly processes = new Map<number, ManagedProcess>();
  private readonly sampler: MetricsSampler;
  private readonly autoRestarts: AutoRestarts;
  private readonly inspectors: Inspectors;
  private nextId = 0;

  /** Called after every change to the set of apps or their configs (autosave listens). */
  onChange: () => void = () => undefined;

  constructor(
    private readonly ctx: ProcessContext,
    metricsIntervalMs = 2000,
  ) {
    this.autoRestarts = new AutoRestarts(ctx, (name) => this.byName(name));
    this.inspectors = new Inspectors((message) => ctx.log(message));
    this.sampler = new MetricsSampler(
      metricsIntervalMs,
      () => this.processes.values(),
      (sampled, at) => this.onSample(sampled as ManagedProcess[], at),
      (process) => this.autoRestarts.checkMemory(process as ManagedProcess),
    );
  }

  get size(): number {
    return this.processes.size;
  }

  list(): ProcessInfo[] {
    return [...this.processes.values()].map((process) => process.info());
  }

  /** Processes named by ids, names, namespaces or "all", in id order; throws naming the first unknown target. */
  resolve(targets: string[]): ManagedProcess[] {
    const found = new Map<number, ManagedProcess>();
    for (const target of targets) {
      const matches = this.match(target);
      if (matches.length === 0) {
        if (/^\d+$/.test(target)) throw new CorralError(ErrorCode.NotFound, `no process with id ${target}`);
        if (target === 'all') continue; // "all" of nothing is nothing, not an error
        throw new CorralError(ErrorCode.NotFound, `no process or namespace named "${target}"`);
      }
      for (const process of matches) found.set(process.id, process);
    }
    return [...found.values()].sort((a, b) => a.id - b.id);
  }

  private match(target: string): ManagedProcess[] {
    return matchTarget([...this.processes.values()], target, (process) => ({ id: process.id, name: process.app.name, namespace: process.app.namespace }));
  }

  /**
   * Starts new apps. All are checked first: nothing starts if any is invalid. An app whose name is
   * already in the table is an error while it runs, unless `replace` (an ecosystem re-start), in which
   * case it takes the new config and restarts; a stopped one takes the new config and starts.
   */
  async start(apps: AppConfig[], replace: boolean, mode: 'restart' | 'reload' = 'restart'): Promise<ProcessInfo[]> {
    const names = new Set<string>();
    for (const app of apps) {
      if (names.has(app.name)) throw new CorralError(ErrorCode.BadConfig, `apps: the name "${app.name}" is used twice`);
      names.add(app.name);
      if (app.exec_mode === 'cluster' && !isNodeInterpreter(app.interpreter)) {
        throw new CorralError(
          ErrorCode.BadConfig,
          `${app.name}: exec_mode "cluster" runs Node.js scripts only (interpreter is ${JSON.stringify(app.interpreter)}); use exec_mode "fork"`,
        );
      }
      const existing = this.byName(app.name);
      if (!replace && existing.some((process) => process.isRunning())) {
        throw new CorralError(
          ErrorCode.AlreadyExists,
          `app "${app.name}" is already running (id ${existing.map((p) => p.id).join(', ')}); use "restart ${app.name}" or --force`,
        );
      }
    }
    const known = new Map(
      [...this.processes.values()].filter((process) => !names.has(process.app.name)).map((process) => [process.app.name, process.app.depends_on]),
    );
    const problems = dependencyProblems(apps, known);
    if (problems.length > 0) throw new ConfigError(problems);
    // Env files of the apps about to (re)start, read once here too: a bad one starts nothing (each launch reads them again).
    for (const app of apps)
      if (app.env_file.length > 0 && (app.autostart || this.byName(app.name).some((process) => process.isRunning()))) loadEnvironment(app);
    if (this.closing) throw new CorralError(ErrorCode.DaemonUnavailable, 'the daemon is shutting down');
    const started = await this.startRun().run(
      apps.map((app) => ({ name: app.name, dependsOn: app.depends_on, start: (gate) => this.startApp(app, mode, gate) })),
    );
    this.onChange();
    return started.flat().map((process) => process.info());
  }

  /** One start along depends_on (start-order.ts). */
  private startRun(): StartRun {
    return new StartRun({
      instancesOf: (name) => this.byName(name),
      holds: (process) => this.processes.get(process.id) === process,
      closing: () => this.closing,
      log: (message) => this.ctx.log(message),
    });
  }

  /** Dependents before their dependencies (depends_on), the apps of a wave together. */
  private inStopOrder(processes: ManagedProcess[]): ManagedProcess[][] {
    const apps = new Map(processes.map((process) => [process.app.name, process.app.depends_on]));
    let waves: string[][];
    try {
      waves = stopWaves([...apps].map(([name, depends_on]) => ({ name, depends_on })));
    } catch {
      waves = [[...apps.keys()]]; // a cycle cannot pass validation; if it did, stop everything at once
    }
    return waves.map((wave) => processes.filter((process) => wave.includes(process.app.name)));
  }

  private byName(name: string): ManagedProcess[] {
    return [...this.processes.values()].filter((process) => process.app.name === name);
  }

  /**
   * Puts the app's processes in the table synchronously (so a concurrent start of the same name sees
   * them), then starts them. Same instance count: the existing processes take the new config and keep
   * their ids; otherwise the old ones are replaced.
   */
  private async startApp(app: AppConfig, mode: 'restart' | 'reload' = 'restart', gate: Gate = async () => true): Promise<ManagedProcess[]> {
    const existing = this.byName(app.name).sort((a, b) => a.instance - b.instance);
    // `reload <file>`: the new config reaches running instances one at a time, with no downtime in
    // cluster mode, then the instance count follows the file (scale).
    if (mode === 'reload' && existing.length > 0 && existing[0].app.exec_mode === app.exec_mode) {
      const kept = existing.slice(0, app.instances);
      await Promise.all(existing.map((process) => process.reconfigure({ ...app, instances: existing.length })));
      if (!(await gate(existing))) return existing;
      for (const process of kept) {
        if (process.isRunning()) await process.reload({ reason: 'reload' });
        else if (app.autostart) await process.start('start');
      }
      await this.syncTriggers(app);
      if (existing.length !== app.instances) await this.scale(app.name, String(app.instances));
      return this.byName(app.name);
    }
    if (existing.length === app.instances) {
      await Promise.all(existing.map((process) => process.reconfigure(app)));
      if ((app.autostart || existing.some((process) => process.isRunning())) && !(await gate(existing))) return existing;
      await Promise.all(
        existing.map(async (process) => {
          if (process.isRunning()) await process.restart({ reason: 'start' });
          else if (app.autostart) await process.start('start');
        }),
      );
      await this.syncTriggers(app);
      return existing;
    }
    const created: ManagedProcess[] = [];
    for (let instance = 0; instance < app.instances; instance++) {
      const process = new ManagedProcess(this.nextId++, app, instance, this.ctx);
      this.processes.set(process.id, process);
      created.push(process);
    }
    if (existing.length > 0) await this.remove(existing);
    this.sampler.ensure();
    // autostart: false registers the app stopped; `start <name>` starts it.
    if (app.autostart && (await gate(created))) await Promise.all(created.map((process) => process.start('start')));
    await this.syncTriggers(app);
    return created;
  }

  /** `start <name>`: what it depends on starts first when it is not running (compose's rule). */
  async startExisting(targets: string[]): Promise<ProcessInfo[]> {
    const processes = this.resolve(targets);
    for (const process of processes) if (process.app.env_file.length > 0 && !process.isRunning()) loadEnvironment(process.app);
    const apps = new Map<string, ManagedProcess[]>();
    for (const process of processes) apps.set(process.app.name, [...(apps.get(process.app.name) ?? []), process]);
    await this.startRun().run(
      [...apps].map(([name, instances]) => ({
        name,
        dependsOn: instances[0].app.depends_on,
        start: async (gate) => {
          const idle = instances.filter((process) => process.status === ProcessStatus.Stopped || process.status === ProcessStatus.Errored);
          if (idle.length > 0 && (await gate(idle))) await Promise.all(idle.map((process) => process.start('start')));
          return instances;
        },
      })),
    );
    this.onChange();
    return processes.map((process) => process.info());
  }

  async stop(targets: string[]): Promise<ProcessInfo[]> {
    const processes = this.resolve(targets);
    for (const process of processes) process.setWaiting(null); // a start waiting for its depends_on is cancelled
    for (const wave of this.inStopOrder(processes)) await Promise.all(wave.map((process) => process.stop('user')));
    this.onChange();
    return processes.map((process) => process.info());
  }

  async restart(targets: string[], updateEnv?: Record<string, string>, toggleWatch = false, options?: Record<string, unknown>): Promise<ProcessInfo[]> {
    const processes = this.resolve(targets);
    await this.change(processes, { options, updateEnv, toggleWatch });
    await Promise.all(processes.map((process) => process.restart({ reason: 'user' })));
    this.onChange();
    return processes.map((process) => process.info());
  }

  /** What a restart or reload changes in the apps first (app-changes.ts). */
  private change(processes: ManagedProcess[], change: AppChange): Promise<void> {
    return applyChange(processes, change, {
      instancesOf: (name) => this.byName(name),
      syncTriggers: (app) => this.syncTriggers(app),
    });
  }

  reset(targets: string[]): ProcessInfo[] {
    const processes = this.resolve(targets);
    for (const process of processes) process.resetCounters();
    return processes.map((process) => process.info());
  }

  async delete(targets: string[]): Promise<ProcessInfo[]> {
    const processes = this.resolve(targets);
    for (const process of processes) process.setWaiting(null);
    for (const wave of this.inStopOrder(processes)) await this.remove(wave);
    this.onChange();
    return processes.map((process) => ({ ...process.info(), status: 'stopped' as const }));
  }

  private async remove(processes: ManagedProcess[], options: { drain?: boolean } = {}): Promise<void> {
    await Promise.all(processes.map((process) => process.dispose(options)));
    for (const process of processes) {
      this.processes.delete(process.id);
      this.ctx.publish('process:deleted', { id: process.id, name: process.app.name });
      if (this.byName(process.app.name).length === 0) this.autoRestarts.forget(process.app.name);
    }
    if (this.processes.size === 0) this.sampler.stop();
  }

  /**
   * Reloads app by app; within an app one instance at a time, so all but one keep serving. The first
   * failure stops that app's reload (its remaining instances keep their old workers) and is reported.
   */
  async reload(targets: string[], updateEnv?: Record<string, string>, options?: Record<string, unknown>): Promise<ProcessInfo[]> {
    const processes = this.resolve(targets);
    await this.change(processes, { options, updateEnv });
    const byApp = new Map<string, ManagedProcess[]>();
    for (const process of processes) byApp.set(process.app.name, [...(byApp.get(process.app.name) ?? []), process]);
    const failures: string[] = [];
    await Promise.all(
      [...byApp.values()].map(async (instances) => {
        for (const process of instances) {
          try {
            await process.reload();
          } catch (error) {
            failures.push((error as Error).message);
            return;
          }
        }
      }),
    );
    if (failures.length > 0) throw new CorralError(ErrorCode.Internal, failures.join('\n'));
    return processes.map((process) => process.info());
  }

  /** Sets the number of instances of one app: "4", "+2" or "-1". */
  async scale(name: string, instances: number | string): Promise<ProcessInfo[]> {
    const current = this.byName(name).sort((a, b) => a.instance - b.instance);
    if (current.length === 0) throw new CorralError(ErrorCode.NotFound, `no app named "${name}"`);
    const text = String(instances).trim();
    const match = /^([+-]?)(\d+)$/.exec(text);
    if (!match) throw new CorralError(ErrorCode.BadArgument, `scale: expected a number of instances, "+n" or "-n", got ${JSON.stringify(instances)}`);
    const amount = Number(match[2]);
    const target = match[1] === '+' ? current.length + amount : match[1] === '-' ? current.length - amount : amount;
    if (target < 1 || target > 1024)
      throw new CorralError(ErrorCode.BadArgument, `scale: ${name} would have ${target} instances; keep between 1 and 1024 (use stop or delete for none)`);
    const app = { ...current[0].app, instances: target };
    // The log files stay as they are: the running instances keep writing where they did.
    await Promise.all(current.map((process) => process.update((config) => ({ ...config, instances: target }))));
    if (target > current.length) {
      const used = new Set(current.map((process) => process.instance));
      const created: ManagedProcess[] = [];
      for (let instance = 0; created.length < target - current.length; instance++) {
        if (used.has(instance)) continue;
        const process = new ManagedProcess(this.nextId++, app, instance, this.ctx);
        this.processes.set(process.id, process);
        created.push(process);
      }
      await Promise.all(created.map((process) => process.start('scale')));
    } else if (target < current.length) {
      await this.remove(current.slice(target), { drain: true });
    }
    this.onChange();
    return this.byName(name)
      .sort((a, b) => a.id - b.id)
      .map((process) => process.info());
  }

  /** Every app once, with its current instance count, for the dump. */
  snapshot(): DumpApp[] {
    const apps = new Map<string, ManagedProcess[]>();
    for (const process of [...this.processes.values()].sort((a, b) => a.id - b.id)) {
      apps.set(process.app.name, [...(apps.get(process.app.name) ?? []), process]);
    }
    return [...apps.values()].map((instances) => ({
      config: { ...instances[0].app, instances: instances.length },
      stopped: instances.every((process) => process.stoppedByUser()),
      restarts: instances.map((process) => process.restarts),
    }));
  }

  /**
   * Starts every saved app that is not in the table (by name); apps saved as stopped are registered
   * stopped. Returns the processes and one line per app that could not be brought back.
   */
  async resurrect(saved: DumpApp[]): Promise<{ processes: ProcessInfo[]; problems: string[] }> {
    const problems: string[] = [];
    const brought: ManagedProcess[] = [];
    const entries: StartEntry[] = [];
    saved.forEach((entry, index) => {
      let app: AppConfig;
      try {
        app = revalidateApp(entry.config, index);
      } catch (error) {
        problems.push(`dump apps[${index}]: ${(error as Error).message}`);
        return;
      }
      if (this.byName(app.name).length > 0 || entries.some((planned) => planned.name === app.name)) return;
      // The restart counts go on from where they were (PM2 keeps them too); anything odd counts from 0.
      const restarts = (process: ManagedProcess): void => {
        const saved = Array.isArray(entry.restarts) ? entry.restarts[process.instance] : undefined;
        if (typeof saved === 'number' && Number.isSafeInteger(saved) && saved > 0) process.restarts = saved;
      };
      // Saved stopped: registered stopped (a dependent of it then says `waiting for <it>: stopped`).
      const registerStopped = (): ManagedProcess[] => {
        const registered: ManagedProcess[] = [];
        for (let instance = 0; instance < app.instances; instance++) {
          const process = new ManagedProcess(this.nextId++, app, instance, this.ctx);
          restarts(process);
          this.processes.set(process.id, process);
          registered.push(process);
        }
        return registered;
      };
      entries.push({
        name: app.name,
        dependsOn: entry.stopped ? [] : app.depends_on,
        start: async (gate) => {
          const processes = entry.stopped ? registerStopped() : await this.startApp(app, 'restart', gate);
          if (!entry.stopped) processes.forEach(restarts);
          brought.push(...processes);
          return processes;
        },
      });
    });
    // In dump order (so ids are), each started once what it depends on is ready, as a start would go.
    await this.startRun().run(entries);
    this.onChange();
    return { processes: brought.sort((a, b) => a.id - b.id).map((process) => process.info()), problems };
  }

  /** One process's environment, on explicit request only. */
  env(target: string): { id: number; name: string; env: Record<string, string> } {
    if (target === 'all') throw new CorralError(ErrorCode.BadArgument, 'env: give one process id or name, not "all"');
    const [process, ...more] = this.resolve([target]);
    if (!process) throw new CorralError(ErrorCode.NotFound, `no process named ${JSON.stringify(target)}`);
    if (more.length > 0) throw new CorralError(ErrorCode.BadArgument, `env: "${String(target)}" names ${more.length + 1} processes; give one id`);
    return { id: process.id, name: process.app.name, env: process.environment() };
  }

  /** Opens the Node inspector of one process for a debugger (inspect-process.ts), closed again once unused. */
  async inspect(id: number, closeAfterMs = DEFAULT_INSPECT_CLOSE_AFTER_MS, fromStart = false): Promise<InspectResult> {
    const process = this.processes.get(id);
    if (!process) throw new CorralError(ErrorCode.NotFound, `no process with id ${id}`);
    if (fromStart && !isNodeInterpreter(process.app.interpreter))
      throw new CorralError(ErrorCode.Unsupported, `Debug from Start needs a Node app; ${process.app.name} runs with ${process.app.interpreter}`);
    if (!isNodeInterpreter(process.app.interpreter))
      throw new CorralError(ErrorCode.Unsupported, `${process.app.name} (id ${id}) is not a Node.js process (interpreter ${process.app.interpreter})`);
    return fromStart ? this.inspectors.openFromStart(process, closeAfterMs) : this.inspectors.open(process, closeAfterMs);
  }

  recentLogs(id: number, lines: number): { out: RecentLogs; err: RecentLogs } {
    const process = this.processes.get(id);
    if (!process) throw new CorralError(ErrorCode.NotFound, `no process with id ${id}`);
    return { out: process.output.recent['log:out'].last(lines), err: process.output.recent['log:err'].last(lines) };
  }

  describe(targets: string[]): ProcessDescription[] {
    return this.resolve(targets).map((process) => process.describe());
  }

  async flush(targets?: string[]): Promise<string[]> {
    const processes = targets && targets.length > 0 ? this.resolve(targets) : [...this.processes.values()];
    const files = [...new Set(processes.flatMap((process) => process.logFiles()))];
    const flushed: string[] = [];
    for (const file of files) if (await this.ctx.logFiles.truncate(file)) flushed.push(file);
    return flushed;
  }

  sendSignal(targets: string[], signal: string): ProcessInfo[] {
    const name = signal.toUpperCase().startsWith('SIG') ? signal.toUpperCase() : `SIG${signal.toUpperCase()}`;
    if (!SIGNALS.has(name)) throw new CorralError(ErrorCode.BadArgument, `signal: unknown signal ${JSON.stringify(signal)}`);
    const processes = this.resolve(targets);
    const running = processes.filter((process) => process.signal(name as NodeJS.Signals));
    if (running.length === 0) throw new CorralError(ErrorCode.NotFound, `no running process among ${targets.join(', ')}`);
    return running.map((process) => process.info());
  }

  writeStdin(id: number, data: string): ProcessInfo {
    const process = this.processes.get(id);
    if (!process) throw new CorralError(ErrorCode.NotFound, `no process with id ${id}`);
    process.writeStdin(data);
    return process.info();
  }

  private closing = false;

  async stopAll(): Promise<number> {
    this.closing = true;
    const processes = [...this.processes.values()];
    this.sampler.stop();
    await this.autoRestarts.close();
    for (const wave of this.inStopOrder(processes)) await Promise.all(wave.map((process) => process.dispose()));
    return processes.length;
  }

  private onSample(sampled: ManagedProcess[], at: number): void {
    for (const process of sampled) this.autoRestarts.checkMemory(process);
    if (this.ctx.hasSubscribers())
      this.ctx.publish('metrics', { at, processes: sampled.map((process) => ({ id: process.id, cpu: process.cpu, memory: process.memory })) });
  }

  private syncTriggers(app: AppConfig): Promise<void> {
    return this.autoRestarts.sync(app, this.byName(app.name));
  }

  notifyFileSaved(paths: string[]): string[] {
    return this.autoRestarts.notifySaved(paths);
  }

  /** Run one metrics tick now (tests and benchmarks; lists never call this). */
  sampleNow(): Promise<void> {
    return this.sampler.tick();
  }
}
