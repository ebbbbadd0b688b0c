/**
 * depends_on in the daemon: one start (of a file, or of known apps) starts each app once every app it
 * depends on is ready: all its instances online (which, with a readiness probe, means it passed).
 * Independent apps start in parallel. The graph rules (validation, stop order) are in
 * shared/config/depends-on.ts; this is only the waiting.
 */
import { ProcessStatus } from '../shared/protocol';
import type { ManagedProcess } from './managed-process';

export interface StartOrderHost {
  instancesOf(name: string): ManagedProcess[];
  /** Still in the table (not deleted meanwhile). */
  holds(process: ManagedProcess): boolean;
  closing(): boolean;
  log(message: string): void;
}

/** Called by an app's start right before its processes start: true to go ahead; false leaves them stopped, saying why. */
export type Gate = (processes: ManagedProcess[]) => Promise<boolean>;

export interface StartEntry {
  name: string;
  dependsOn: readonly string[];
  start(gate: Gate): Promise<ManagedProcess[]>;
}

export class StartRun {
  private readonly entries = new Map<string, StartEntry>();
  private readonly started = new Map<string, Promise<ManagedProcess[]>>();
  /** null: ready; otherwise why not ("errored", "stopped", "not started"). */
  private readonly outcomes = new Map<string, Promise<string | null>>();

  constructor(private readonly host: StartOrderHost) {}

  /** Starts every entry (each calls its gate); resolves with their processes once all have settled. */
  run(entries: StartEntry[]): Promise<ManagedProcess[][]> {
    for (const entry of entries) this.entries.set(entry.name, entry);
    // Synchronously: each start puts its processes in the table before any await.
    return Promise.all(entries.map((entry) => this.start(entry.name)));
  }

  private start(name: string): Promise<ManagedProcess[]> {
    let started = this.started.get(name);
    if (!started) {
      const entry = this.entries.get(name) as StartEntry;
      started = entry.start(this.gate(entry));
      this.started.set(name, started);
    }
    return started;
  }

  private outcome(name: string): Promise<string | null> {
    let outcome = this.outcomes.get(name);
    if (!outcome) {
      outcome = this.settle(name);
      this.outcomes.set(name, outcome);
    }
    return outcome;
  }

  private async settle(name: string): Promise<string | null> {
    if (!this.entries.has(name)) {
      // A known app outside this start: started first if it is not running (compose's rule).
      const processes = this.host.instancesOf(name);
      if (processes.length === 0) return 'not known';
      const idle = processes.filter((process) => !process.isRunning() && process.status !== ProcessStatus.WaitingRestart);
      if (idle.length > 0) {
        this.host.log(`${name}: starting it first (a depends_on of this start)`);
        const dependsOn = processes[0].app.depends_on;
        this.entries.set(name, {
          name,
          dependsOn,
          start: async (gate) => {
            if (await gate(idle)) await Promise.all(idle.map((process) => process.start('start')));
            return processes;
          },
        });
      }
    }
    const processes = this.entries.has(name) ? await this.start(name) : this.host.instancesOf(name);
    const statuses = await Promise.all(processes.map((process) => process.outcome()));
    if (statuses.every((status) => status === ProcessStatus.Online)) return null;
    if (processes.some((process) => process.waiting !== null)) return 'not started';
    return statuses.find((status) => status !== ProcessStatus.Online) ?? null;
  }

  private gate(entry: StartEntry): Gate {
    return async (processes) => {
      const dependsOn = entry.dependsOn;
      if (dependsOn.length === 0) return true;
      // A stop or delete while waiting clears `waiting` (Supervisor): that cancels this start.
      const cancelled = (): boolean => this.host.closing() || processes.some((process) => process.waiting === null || !this.host.holds(process));
      const pending = new Set(dependsOn);
      for (const process of processes) process.setWaiting(`waiting for ${dependsOn.join(', ')}`);
      const failures = await Promise.all(
        dependsOn.map(async (dependency) => {
          const why = await this.outcome(dependency);
          pending.delete(dependency);
          if (why === null && pending.size > 0 && !cancelled()) for (const process of processes) process.setWaiting(`waiting for ${[...pending].join(', ')}`);
          return why === null ? null : `waiting for ${dependency}: ${why}`;
        }),
      );
      if (cancelled()) return false;
      const failure = failures.find((why) => why !== null);
      if (failure) {
        this.host.log(`${entry.name}: not started, ${failure}`);
        for (const process of processes) process.setWaiting(failure);
        return false;
      }
      for (const process of processes) process.setWaiting(null);
      return true;
    };
  }
}
