/** The process table from Linux's /proc: stat, environ and status files, no child process. */
import * as fs from 'node:fs';
import type { ProcessEntry, ProcessTable, ProcessUsage } from './process-table';

/**
 * /proc counts CPU time and start times in USER_HZ ticks, which the kernel fixes at 100 on every
 * architecture Node runs on (it is not the kernel's internal HZ).
 */
const MS_PER_TICK = 10;

function readEntry(pid: number): ProcessEntry | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may contain spaces and parentheses): state is field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z') return null; // exited, waiting to be reaped: nothing left to signal
    // starttime: clock ticks after boot.
    return { pid, ppid: Number(fields[1]), pgid: Number(fields[2]), startTime: Number(fields[19]) };
  } catch {
    return null;
  }
}

function readEnviron(pid: number): string[] | null {
  try {
    return fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
  } catch {
    return null; // gone, or not ours to read
  }
}

let pageBytes: number | undefined;

/** The size of a memory page (stat counts RSS in pages): 4 kB on x86, 4, 16 or 64 kB on arm64. */
function pageSize(): number {
  if (pageBytes === undefined) {
    pageBytes = 4096;
    try {
      // The first mapping's page size, from its first few lines (smaps is long; nothing more is read).
      const fd = fs.openSync('/proc/self/smaps', 'r');
      try {
        const buffer = Buffer.alloc(4096);
        const read = fs.readSync(fd, buffer, 0, buffer.length, 0);
        const kB = /KernelPageSize:\s+(\d+) kB/.exec(buffer.toString('latin1', 0, read))?.[1];
        if (kB) pageBytes = Number(kB) * 1024;
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      // no smaps (a restricted /proc): the common size
    }
  }
  return pageBytes;
}

/** Seconds since boot, as /proc/uptime has them. */
function uptimeMs(): number {
  try {
    return Number(fs.readFileSync('/proc/uptime', 'latin1').split(' ')[0]) * 1000;
  } catch {
    return NaN;
  }
}

/**
 * Open /proc/<pid>/stat files of the sampled processes, read again with one pread per tick (no open,
 * fstat and close each time). A descriptor stays bound to the process it was opened for: once that
 * exits, reading fails and the descriptor is closed, so a reused pid is never read through it.
 */
const statFiles = new Map<number, number>();
const statBuffer = Buffer.alloc(4096);

function readStat(pid: number): string | null {
  let fd = statFiles.get(pid);
  try {
    if (fd === undefined) {
      fd = fs.openSync(`/proc/${pid}/stat`, 'r');
      statFiles.set(pid, fd);
    }
    const read = fs.readSync(fd, statBuffer, 0, statBuffer.length, 0);
    return statBuffer.toString('latin1', 0, read);
  } catch {
    if (fd !== undefined) closeStat(pid, fd);
    return null;
  }
}

function closeStat(pid: number, fd: number): void {
  statFiles.delete(pid);
  try {
    fs.closeSync(fd);
  } catch {
    // already closed
  }
}

/** utime, stime, start time and RSS (fields 14, 15, 22 and 24 of /proc/<pid>/stat). */
function readUsage(pid: number, now: number): ProcessUsage | null {
  const stat = readStat(pid);
  if (stat === null) return null;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  if (fields[0] === 'Z') return null;
  const startTime = Number(fields[19]);
  return {
    cpuMs: (Number(fields[11]) + Number(fields[12])) * MS_PER_TICK,
    ageMs: Math.max(0, now - startTime * MS_PER_TICK),
    rssBytes: Number(fields[21]) * pageSize(),
    startTime,
  };
}

/** VmRSS from /proc/<pid>/status (in kB): one small read, cheap enough to do often. */
function residentBytes(pid: number): number | undefined {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

export const procTable: ProcessTable = {
  source: 'proc',
  pidusageUsesPs: false,
  entries() {
    let names: string[];
    try {
      names = fs.readdirSync('/proc');
    } catch {
      return [];
    }
    const entries: ProcessEntry[] = [];
    for (const name of names) {
      if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
      const entry = readEntry(Number(name));
      if (entry) entries.push(entry);
    }
    return entries;
  },
  read(pids) {
    const found = new Map<number, ProcessEntry>();
    for (const pid of pids) {
      const entry = readEntry(pid);
      if (entry) found.set(pid, entry);
    }
    return found;
  },
  environments(entries) {
    const found = new Map<number, string[]>();
    for (const entry of entries) {
      const variables = readEnviron(entry.pid);
      if (variables) found.set(entry.pid, variables);
    }
    return found;
  },
  usage(pids) {
    const now = uptimeMs();
    const found = new Map<number, ProcessUsage>();
    for (const pid of pids) {
      const usage = readUsage(pid, now);
      if (usage) found.set(pid, usage);
    }
    // Processes no longer asked about (stopped, or no longer in a tree) give their descriptor back.
    const asked = new Set(pids);
    for (const [pid, fd] of statFiles) if (!asked.has(pid)) closeStat(pid, fd);
    return found;
  },
  residentBytes(pids) {
    const found = new Map<number, number>();
    for (const pid of pids) {
      const bytes = residentBytes(pid);
      if (bytes !== undefined) found.set(pid, bytes);
    }
    return found;
  },
};
