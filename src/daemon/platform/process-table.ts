import type { ProcessTableSource } from '../../shared/platform/process-table-source';

/** What the daemon needs from the process table, read one of two ways or not at all (`index.ts` chooses). */
export interface ProcessEntry {
  pid: number;
  ppid: number;
  pgid: number;
  /** With the pid, what identifies a process over time (units are the reader's own: compare, never show). */
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
  /** pidusage must sample with `ps` too (it reads /proc on Linux otherwise). */
  readonly pidusageUsesPs: boolean;
}
