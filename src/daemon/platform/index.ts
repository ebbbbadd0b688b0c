/**
 * The daemon's process table: /proc on Linux, `ps` elsewhere and with CORRAL_PORTABLE=1, none on Windows
 * (the rule is shared/platform/process-table-source.ts). Asked on each use, so a test can switch it with
 * the variable or pass the platform.
 */
import { currentPlatform, type Platform } from '../../shared/platform/platform';
import { processTableSource, psFlavour, type ProcessTableSource } from '../../shared/platform/process-table-source';
import { noTable } from './no-table';
import { procTable } from './proc-table';
import type { ProcessTable } from './process-table';
import { psTable } from './ps-table';

export type { ProcessEntry, ProcessTable } from './process-table';

const ps = psTable(psFlavour());

const TABLES = { proc: procTable, ps, none: noTable } satisfies Record<ProcessTableSource, ProcessTable>;

export function processTable(platform: Platform = currentPlatform()): ProcessTable {
  return TABLES[processTableSource(process.env, platform)];
}
