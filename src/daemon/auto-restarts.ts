/**
 * Restarts nobody asked for: the memory limit (checked on every metrics sample), file changes and
 * cron (app-triggers.ts). A restart is a reload in cluster mode (all instances at once, each old worker
 * serving until its replacement listens), so none of them costs a request;
 * what a client stopped stays stopped.
 */
import type { AppConfig } from '../shared/config';
import { formatBytes } from '../shared/units';
import { AppTriggers } from './app-triggers';
import type { Cause, ManagedProcess, ProcessContext } from './managed-process';

export class AutoRestarts {
  private readonly triggers = new Map<string, AppTriggers>();
  /** Instances with a memory restart under way: one at a time each. */
  private readonly memoryRestarts = new Set<number>();

  constructor(
    private readonly ctx: ProcessContext,
    private readonly instancesOf: (name: string) => ManagedProcess[],
  ) {}

  /** Over max_memory_restart: restart that instance. */
  checkMemory(process: ManagedProcess): void {
    const limit = process.app.max_memory_restart;
    if (limit === null || process.memory <= limit || this.memoryRestarts.has(process.id) || process.status !== 'online') return;
    this.memoryRestarts.add(process.id);
    const cause = {
      reason: 'memory' as const,
      detail: `memory ${formatBytes(process.memory)} (${process.memory} bytes) over max_memory_restart ${formatBytes(limit)}`,
    };
    const operation = process.app.exec_mode === 'cluster' ? process.reload(cause) : process.restart(cause);
    void operation
      .catch((error: Error) => this.ctx.log(`${process.app.name}[${process.id}] memory restart failed: ${error.message}`))
      .finally(() => this.memoryRestarts.delete(process.id));
  }

  /** The app's watch and cron triggers as its config says now (replacing any before). */
  async sync(app: AppConfig, instances: ManagedProcess[]): Promise<void> {
    await this.triggers.get(app.name)?.close();
    this.triggers.delete(app.name);
    if (app.watch === false && !app.cron_restart) return;
    const own = instances.flatMap((process) => process.logFiles());
    const triggers = new AppTriggers(app, {
      alwaysIgnored: [this.ctx.paths.logsDir, this.ctx.paths.pidsDir, this.ctx.paths.daemonLog, this.ctx.paths.dump, ...own],
      fire: (cause) => this.fire(app.name, cause),
      log: (message) => this.ctx.log(message),
    });
    this.triggers.set(app.name, triggers);
    await triggers.ready;
  }

  /** The app is gone: its triggers go too. */
  forget(name: string): void {
    void this.triggers.get(name)?.close();
    this.triggers.delete(name);
  }

  /** Saves the editor reported: the apps whose watchers took them. */
  notifySaved(paths: string[]): string[] {
    const apps: string[] = [];
    for (const [name, triggers] of this.triggers) if (triggers.notifySaved(paths)) apps.push(name);
    return apps;
  }

  async close(): Promise<void> {
    await Promise.all([...this.triggers.values()].map((triggers) => triggers.close()));
    this.triggers.clear();
  }

  /** A watch or cron trigger: restart the app (reload in cluster mode), except what a client stopped. */
  private fire(name: string, cause: Cause): void {
    const processes = this.instancesOf(name).filter((process) => !process.stoppedByUser());
    if (processes.length === 0) return;
    const cluster = processes[0].app.exec_mode === 'cluster';
    // Cluster: every instance's replacement starts at once; each old worker keeps serving until its own
    // replacement listens, then drains (Connection: close on its next answers), so no request fails and
    // the new code answers after one worker boot instead of one per instance.
    const run = (process: ManagedProcess): Promise<void> => (cluster ? process.reload(cause) : process.restart(cause));
    void Promise.all(
      processes.map((process) => run(process).catch((error: Error) => this.ctx.log(`${name}: ${cause.reason} restart failed: ${error.message}`))),
    );
  }
}
