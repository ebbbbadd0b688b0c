/** What tests read from /proc: memory, process environments and parents (Linux; root reads every environ). */
import * as fs from 'node:fs';

/** Resident memory in bytes (VmRSS). */
export function rss(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) * 1024;
}

/** CPU time the kernel has counted for a process (user + system), in seconds; CLK_TCK is 100 on Linux. */
export function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Live pids, zombies left out (read here, not with processAlive: under CORRAL_PORTABLE=1 that runs ps once per pid). */
function livePids(): number[] {
  return fs
    .readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => {
      try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
      } catch {
        return false;
      }
    });
}

export function environ(pid: number): string[] | null {
  try {
    return fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
  } catch {
    return null; // gone, or not ours to read
  }
}

/** App processes of a home (they carry CORRAL_HOME and pm_id), by app name. */
export function appProcesses(home: string): Map<string, number[]> {
  const found = new Map<string, number[]>();
  for (const pid of livePids()) {
    const variables = environ(pid);
    if (!variables?.includes(`CORRAL_HOME=${home}`) || !variables.some((variable) => variable.startsWith('pm_id='))) continue;
    const name = variables.find((variable) => variable.startsWith('CORRAL_APP_NAME='))?.slice('CORRAL_APP_NAME='.length) ?? '';
    found.set(name, [...(found.get(name) ?? []), pid]);
  }
  return found;
}

/** Cluster primaries of a home (they carry CORRAL_HOME and CORRAL_PRIMARY). */
export function primaries(home: string): number[] {
  return livePids().filter((pid) => {
    const variables = environ(pid);
    return (variables?.includes(`CORRAL_HOME=${home}`) ?? false) && (variables?.some((variable) => variable.startsWith('CORRAL_PRIMARY=')) ?? false);
  });
}

/** Daemon processes serving a home. */
export function daemonsFor(home: string): number[] {
  return livePids().filter((pid) => {
    try {
      return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('daemon.js') && (environ(pid)?.includes(`CORRAL_HOME=${home}`) ?? false);
    } catch {
      return false;
    }
  });
}

/** Children of a process, optionally only those in one state (e.g. 'Z' for zombies). */
export function childrenOf(parent: number, state?: string): number[] {
  return fs
    .readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((entry) => {
      try {
        const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return Number(fields[1]) === parent && (!state || fields[0] === state) ? [Number(entry)] : [];
      } catch {
        return [];
      }
    });
}
