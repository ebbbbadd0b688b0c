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

function closeStat(pid: number, fd: number): void {
  statFiles.delete(pid);
  try {
    fs.closeSync(fd);
  } catch {
    // already closed
  }
}

/** Reads the stat file into statBuffer: its length, or -1 when the process is gone (descriptor closed). */
function readStat(pid: number): number {
  let fd = statFiles.get(pid);
  try {
    if (fd === undefined) {
      fd = fs.openSync(`/proc/${pid}/stat`, 'r');
      statFiles.set(pid, fd);
    }
    return fs.readSync(fd, statBuffer, 0, statBuffer.length, 0);
  } catch {
    if (fd !== undefined) closeStat(pid, fd);
    return -1;
  }
}

const SPACE = 0x20;
const CLOSE = 0x29; // ')'
const ZOMBIE = 0x5a; // 'Z'
/** Fields after the command (1-based numbering of proc(5), minus 3): state, utime, stime, starttime, rss. */
const STATE = 0;
const UTIME = 11;
const STIME = 12;
const STARTTIME = 19;
const RSS = 21;

/**
 * utime, stime, start time and RSS (fields 14, 15, 22 and 24 of /proc/<pid>/stat), parsed from the
 * bytes as they are read: no string per process, no split into 52 fields, every tick for the fleet.
 */
function readUsage(pid: number, now: number): ProcessUsage | null {
  const length = readStat(pid);
  if (length < 0) return null;
  let at = statBuffer.lastIndexOf(CLOSE, length - 1);
  if (at < 0) return null;
  at += 2; // ") "
  if (statBuffer[at] === ZOMBIE) return null;
  let field = STATE;
  let utime = 0;
  let stime = 0;
  let startTime = 0;
  let rss = 0;
  let value = 0;
  for (; at <= length && field <= RSS; at++) {
    const byte = at < length ? statBuffer[at] : SPACE;
    if (byte !== SPACE) {
      value = value * 10 + (byte - 0x30);
      continue;
    }
    if (field === UTIME) utime = value;
    else if (field === STIME) stime = value;
    else if (field === STARTTIME) startTime = value;
    else if (field === RSS) rss = value;
    field++;
    value = 0;
  }
  if (field <= RSS) return null; // a short read: not a stat line
  return {
    cpuMs: (utime + stime) * MS_PER_TICK,
    ageMs: Math.max(0, now - startTime * MS_PER_TICK),
    rssBytes: rss * pageSize(),
    startTime,
  };
}

/**
 * Boot time in ms (as starttime counts) minus the monotonic clock, taken once: a start floor from then on
 * costs no read. A suspend moves boot time ahead of the monotonic clock, so the floor only gets earlier.
 */
let bootOffsetMs: number | undefined;
/** How far before "now" the floor is put: clock granularity and rounding, with room to spare. */
const FLOOR_MARGIN_MS = 1000;

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
  startFloor() {
    if (bootOffsetMs === undefined) {
      const uptime = uptimeMs();
      if (!Number.isFinite(uptime)) return 0;
      bootOffsetMs = uptime - performance.now();
    }
    return Math.max(0, Math.floor((bootOffsetMs + performance.now() - FLOOR_MARGIN_MS) / MS_PER_TICK));
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
