/**
 * CPU and memory sampling, one pass per tick for every running process; lists read the cached figures
 * and never cause a sample. A process with monitor_tree counts its descendants. Where the process
 * table can read the counters itself (/proc: one read of each stat file, synchronous, no callbacks)
 * it does, and CPU is the time used since the previous tick; elsewhere one batched pidusage call.
 */
import pidusage from 'pidusage';
import type { MetricsSample } from '../shared/protocol';
import { processTable } from './platform/index';
import type { ProcessUsage } from './platform/process-table';
import { descendants } from './platform/processes';

export const HISTORY_SAMPLES = 60;

export interface Sampled {
  readonly id: number;
  readonly pid: number | null;
  readonly app: { monitor_tree: boolean };
  cpu: number;
  memory: number;
  readonly samples: MetricsSample[];
}

/** CPU % (of one core) and RSS by pid. */
type Usage = Map<number, { cpu: number; memory: number }>;

/** Apps with max_memory_restart are checked this often, between full samples. */
export const MEMORY_CHECK_MS = 250;

export class MetricsSampler {
  private timer: NodeJS.Timeout | null = null;
  private memoryTimer: NodeJS.Timeout | null = null;
  private running = false;
  /** The counters of the previous tick by pid, for CPU as the time used between two ticks. */
  private previous = new Map<number, { usage: ProcessUsage; at: number }>();

  constructor(
    private readonly intervalMs: number,
    private readonly processes: () => Iterable<Sampled & { app: { max_memory_restart: number | null } }>,
    private readonly onSample: (sampled: Sampled[], at: number) => void,
    private readonly onMemory: (process: Sampled) => void = () => undefined,
  ) {}

  /** Starts ticking (idempotent). */
  ensure(): void {
    if (this.intervalMs <= 0) return;
    if (!this.timer) {
      this.timer = setInterval(() => void this.tick(), this.intervalMs);
      this.timer.unref();
    }
    if (!this.memoryTimer) {
      this.memoryTimer = setInterval(() => this.checkMemory(), MEMORY_CHECK_MS);
      this.memoryTimer.unref();
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.memoryTimer) clearInterval(this.memoryTimer);
    this.timer = null;
    this.memoryTimer = null;
  }

  /**
   * The fast path for memory limits: only processes that have one, own RSS only. Windows has no table to
   * read it from (platform/no-table.ts): there the full samples (pidusage by wmic or gwmi) check the limit.
   */
  private checkMemory(): void {
    const limited = [...this.processes()].filter((process) => process.app.max_memory_restart !== null && process.pid !== null && !process.app.monitor_tree);
    if (limited.length === 0) return;
    const resident = processTable().residentBytes(limited.map((process) => process.pid as number));
    for (const process of limited) {
      const rss = resident.get(process.pid as number);
      if (rss === undefined || process.app.max_memory_restart === null) continue;
      process.memory = rss;
      if (rss > process.app.max_memory_restart) this.onMemory(process);
    }
  }

  async tick(): Promise<void> {
    if (this.running) return;
    // One pass over the processes, no intermediate lists: with 1,000 apps this runs every 2 s.
    const targets: Sampled[] = [];
    const pids: number[] = [];
    let trees: Map<number, number[]> | null = null;
    for (const process of this.processes()) {
      const pid = process.pid;
      if (pid === null) continue;
      targets.push(process);
      pids.push(pid);
      if (process.app.monitor_tree) {
        const tree = descendants(pid);
        (trees ??= new Map()).set(process.id, tree);
        for (const child of tree) pids.push(child);
      }
    }
    if (targets.length === 0) return;
    this.running = true;
    try {
      const at = Date.now();
      const asked = trees ? [...new Set(pids)] : pids;
      // graceful: a pid that exited since the list was made is left out, not an error for all.
      const usage = this.fromTable(asked, performance.now()) ?? (await this.fromPidusage(asked));
      const sampled: Sampled[] = [];
      for (const process of targets) {
        const own = usage.get(process.pid as number);
        if (!own) continue;
        let cpu = own.cpu;
        let memory = own.memory;
        for (const child of trees?.get(process.id) ?? []) {
          const figures = usage.get(child);
          if (!figures) continue;
          cpu += figures.cpu;
          memory += figures.memory;
        }
        process.cpu = Math.round(cpu * 10) / 10;
        process.memory = memory;
        const { samples } = process;
        if (samples.length >= HISTORY_SAMPLES) samples.splice(0, samples.length - HISTORY_SAMPLES + 1);
        samples.push({ at, cpu: process.cpu, memory });
        sampled.push(process);
      }
      this.onSample(sampled, at);
    } finally {
      this.running = false;
    }
  }

  private async fromPidusage(pids: number[]): Promise<Usage> {
    const found: Record<string, { cpu: number; memory: number } | undefined> = await pidusage(pids, { usePs: processTable().pidusageUsesPs }).catch(() => ({}));
    const usage: Usage = new Map();
    for (const pid of pids) {
      const figures = found[String(pid)];
      if (figures) usage.set(pid, { cpu: figures.cpu, memory: figures.memory });
    }
    return usage;
  }

  /**
   * CPU % (of one core, as pidusage) and RSS from the table's counters; null when the table cannot read them.
   * `at`: a monotonic clock (performance.now), so a wall-clock step does not distort a share.
   */
  private fromTable(pids: number[], at: number): Usage | null {
    const read = processTable().usage(pids);
    if (!read) return null;
    const usage: Usage = new Map();
    const previous = this.previous;
    for (const [pid, now] of read) {
      const before = previous.get(pid);
      const same = before !== undefined && before.usage.startTime === now.startTime && at > before.at;
      const cpuMs = same ? now.cpuMs - before.usage.cpuMs : now.cpuMs;
      const wallMs = same ? at - before.at : now.ageMs;
      usage.set(pid, { cpu: wallMs > 0 ? (Math.max(0, cpuMs) / wallMs) * 100 : 0, memory: now.rssBytes });
      if (before) {
        before.usage = now;
        before.at = at;
      } else previous.set(pid, { usage: now, at });
    }
    // Counters of processes no longer read (stopped, or gone) are dropped.
    if (previous.size > read.size) for (const pid of previous.keys()) if (!read.has(pid)) previous.delete(pid);
    return usage;
  }
}
