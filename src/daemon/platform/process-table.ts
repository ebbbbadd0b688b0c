import type { ProcessTableSource } from '../../shared/platform/process-table-source';

/** What the daemon needs from the process table, read one of two ways or not at all (`index.ts` chooses). */
export interface ProcessEntry {
  pid: number;
  ppid: number;
  pgid: number;
  /** With the pid, what identifies a process over time (units are the reader's own: compare, never show). */
  startTime: number;
}

/** A process's counters at one moment (process-table.ts `usage`). */
export interface ProcessUsage {
  /** CPU time used so far, user + system, in milliseconds. */
  cpuMs: number;
  /** How long it has run, in milliseconds (for a first sample, which has no earlier one to compare with). */
  ageMs: number;
  /** Resident memory in bytes. */
  rssBytes: number;
  /** As ProcessEntry's: a pid reused by another process is not compared with the old one. */
  startTime: number;
}

export interface ProcessTable {
  readonly source: ProcessTableSource;
  /** Every live process but the daemon itself (zombies left out: nothing left to signal). */
  entries(): ProcessEntry[];
  /** A fresh look at these pids; a pid that is gone, a zombie or unreadable is missing from the map. */
  read(pids: readonly number[]): Map<number, ProcessEntry>;
  /**
   * The environments (`NAME=value` strings) of these processes, if each is still the listed one;
   * missing from the map when gone, not ours to read, or not read with certainty.
   */
  environments(entries: readonly ProcessEntry[]): Map<number, string[]>;
  /** Resident memory in bytes; missing when gone. */
  residentBytes(pids: readonly number[]): Map<number, number>;
  /**
   * CPU time and memory of these pids read in one pass (a pid that is gone is missing), or null when this
   * table cannot: the metrics sampler then asks pidusage. Each call names every pid still sampled (the
   * table may keep a file open per pid until then).
   */
  usage(pids: readonly number[]): Map<number, ProcessUsage> | null;
  /**
   * A start time (ProcessEntry's units) no process spawned from now on can be older than, without reading
   * the table; undefined where the table has no such clock (the caller then reads the new process).
   */
  startFloor?(): number;
  /** pidusage must sample with `ps` too (it reads /proc on Linux otherwise). */
  readonly pidusageUsesPs: boolean;
}
