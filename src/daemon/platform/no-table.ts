/**
 * Windows: no process table (shared/platform/process-table-source.ts says why). Every read is empty,
 * so nothing is found by marker and nothing is signalled from here; no process is spawned to look.
 */
import type { ProcessTable } from './process-table';

export const noTable: ProcessTable = {
  source: 'none',
  entries: () => [],
  read: () => new Map(),
  environments: () => new Map(),
  // max_memory_restart is then checked on the full samples only (pidusage: wmic or gwmi there).
  residentBytes: () => new Map(),
  usage: () => null,
  pidusageUsesPs: false,
};
