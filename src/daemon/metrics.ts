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

type Usage = Record<string, { cpu: number; memory: number } | undefined>;

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
    const targets = [...this.processes()].filter((process) => process.pid !== null);
    if (targets.length === 0) return;
    this.running = true;
    try {
      const trees = new Map<number, number[]>();
      for (const process of targets) if (process.app.monitor_tree) trees.set(process.id, descendants(process.pid as number));
      const pids = [...new Set(targets.flatMap((process) => [process.pid as number, ...(trees.get(process.id) ?? [])]))];
      const at = Date.now();
      // graceful: a pid that exited since the list was made is left out, not an error for all.
      const usage: Usage = this.fromTable(pids, performance.now()) ?? (await pidusage(pids, { usePs: processTable().pidusageUsesPs }).catch(() => ({})));
      const sampled: Sampled[] = [];
      for (const process of targets) {
        const own = usage[String(process.pid)];
        if (!own) continue;
        let cpu = own.cpu;
        let memory = own.memory;
        for (const child of trees.get(process.id) ?? []) {
          cpu += usage[String(child)]?.cpu ?? 0;
          memory += usage[String(child)]?.memory ?? 0;
        }
        process.cpu = Math.round(cpu * 10) / 10;
        process.memory = memory;
        process.samples.push({ at, cpu: process.cpu, memory });
        if (process.samples.length > HISTORY_SAMPLES) process.samples.shift();
        sampled.push(process);
      }
      this.onSample(sampled, at);
    } finally {
      this.running = false;
    }
  }

  /**
   * CPU % (of one core, as pidusage) and RSS from the table's counters; null when the table cannot read them.
   * `at`: a monotonic clock (performance.now), so a wall-clock step does not distort a share.
   */
  private fromTable(pids: number[], at: number): Usage | null {
    const read = processTable().usage(pids);
    if (!read) return null;
    const usage: Usage = {};
    const next = new Map<number, { usage: ProcessUsage; at: number }>();
    for (const [pid, now] of read) {
      const before = this.previous.get(pid);
      const same = before !== undefined && before.usage.startTime === now.startTime && at > before.at;
      const cpuMs = same ? now.cpuMs - before.usage.cpuMs : now.cpuMs;
      const wallMs = same ? at - before.at : now.ageMs;
      usage[String(pid)] = { cpu: wallMs > 0 ? (Math.max(0, cpuMs) / wallMs) * 100 : 0, memory: now.rssBytes };
      next.set(pid, { usage: now, at });
    }
    this.previous = next;
    return usage;
  }
}
