/**
 * Processes a dead daemon of this home left running: every app process (and its children, which
 * inherit the env) carries CORRAL_HOME=<home> and pm_id. A new daemon stops them before it starts
 * anything, so a resurrect never doubles an app and no orphan keeps its port.
 */
import * as fs from 'node:fs';

export function findOrphans(home: string, self: number = process.pid): number[] {
  const found: number[] = [];
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return found;
  }
  const homeEntry = `CORRAL_HOME=${home}`;
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === self) continue;
    try {
      const environ = fs.readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      if (environ.includes(homeEntry) && environ.some((variable) => variable.startsWith('pm_id='))) found.push(Number(entry));
    } catch {
      /* gone, or not ours to read */
    }
  }
  return found;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** SIGINT, then SIGKILL for whatever is left after `graceMs`. Resolves with the pids it ended. */
export async function stopOrphans(home: string, graceMs: number, log: (message: string) => void): Promise<number[]> {
  const orphans = findOrphans(home);
  if (orphans.length === 0) return [];
  log(`stopping ${orphans.length} process(es) left by a previous daemon: ${orphans.join(', ')}`);
  const signal = (pids: number[], name: NodeJS.Signals): void => {
    for (const pid of pids) {
      try {
        process.kill(pid, name);
      } catch {
        /* already gone */
      }
    }
  };
  signal(orphans, 'SIGINT');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && orphans.some(alive)) await new Promise((resolve) => setTimeout(resolve, 20));
  signal(orphans.filter(alive), 'SIGKILL');
  const killDeadline = Date.now() + 2000;
  while (Date.now() < killDeadline && orphans.some(alive)) await new Promise((resolve) => setTimeout(resolve, 10));
  return orphans;
}
