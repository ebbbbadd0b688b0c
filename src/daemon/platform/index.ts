/**
 * The daemon's process table: /proc on Linux, `ps` elsewhere and with CORRAL_PORTABLE=1 (the rule is
 * shared/platform/process-table-source.ts). Asked on each use, so a test can switch it with the variable.
 */
import { processTableSource, psFlavour } from '../../shared/platform/process-table-source';
import { procTable } from './proc-table';
import type { ProcessTable } from './process-table';
import { psTable } from './ps-table';

export type { ProcessEntry, ProcessTable } from './process-table';

const ps = psTable(psFlavour());

export function processTable(): ProcessTable {
  return processTableSource() === 'proc' ? procTable : ps;
}
