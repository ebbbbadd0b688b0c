/**
 * Processes a dead daemon of this home left running: every app process (and its children, which
 * inherit the env) carries CORRAL_HOME=<home> and pm_id and its launch marker; a cluster app's primary
 * carries CORRAL_HOME and its own marker. A new daemon stops them before it starts anything, so a
 * resurrect never doubles an app and no orphan keeps its port. Where there is no process table to find
 * them in (Windows), the sweep is skipped and says so.
 */
import { currentPlatform, type Platform } from '../shared/platform/platform';
import { processTableUnavailable } from '../shared/platform/process-table-source';
import { endProcesses, INSTANCE_VARIABLE, PRIMARY_VARIABLE, processesWhere, type ProcessEntry } from './platform/processes';

const MARKERS = ['pm_id=', `${INSTANCE_VARIABLE}=`, `${PRIMARY_VARIABLE}=`];

export function findOrphans(home: string): ProcessEntry[] {
  const homeEntry = `CORRAL_HOME=${home}`;
  return processesWhere((variables) => variables.includes(homeEntry) && variables.some((variable) => MARKERS.some((marker) => variable.startsWith(marker))));
}

/** SIGINT, then SIGKILL for whatever is left after `graceMs`. Resolves with the pids it ended. */
export async function stopOrphans(home: string, graceMs: number, log: (message: string) => void, platform: Platform = currentPlatform()): Promise<number[]> {
  const unavailable = processTableUnavailable(platform);
  if (unavailable !== null) {
    log(`orphan sweep skipped: ${unavailable}; processes a previous daemon left running are not stopped`);
    return [];
  }
  const orphans = findOrphans(home);
  if (orphans.length === 0) return [];
  const pids = orphans.map((entry) => entry.pid);
  log(`stopping ${orphans.length} process(es) left by a previous daemon: ${pids.join(', ')}`);
  await endProcesses(orphans, graceMs);
  return pids;
}
