import type * as ChildProcesses from 'node:child_process';
import { readFileSync } from 'node:fs';
import { currentPlatform } from '../shared/platform/platform';
import { processTableSource } from '../shared/platform/process-table-source';

/** The process state letter from `ps` ('' when it lists no such pid); C locale, no shell. */
function psState(pid: number): string {
  try {
    // Loaded here, not at start-up: child_process (and dgram, which it loads) cost every CLI call ~10 ms.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { execFileSync } = require('node:child_process') as typeof ChildProcesses;
    return execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], {
      encoding: 'utf8',
      timeout: 5000,
      stdio: ['ignore', 'pipe', 'ignore'],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C' },
    }).trim();
  } catch {
    return ''; // exit status 1: no such process
  }
}

/** True while `pid` runs. A zombie (exited, not yet reaped by its parent) counts as gone. */
export function processAlive(pid: number): boolean {
  const platform = currentPlatform();
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  const source = processTableSource(process.env, platform);
  if (source === 'none') return true; // Windows: no zombies to tell apart, and no ps to ask
  if (source === 'ps') {
    const state = psState(pid);
    // ps lists every live pid: one it does not list has just gone.
    return state !== '' && !state.startsWith('Z');
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false; // /proc lists every live pid: gone meanwhile
  }
}
