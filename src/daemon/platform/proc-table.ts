/** The process table from Linux's /proc: stat, environ and status files, no child process. */
import * as fs from 'node:fs';
import type { ProcessEntry, ProcessTable } from './process-table';

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
  residentBytes(pids) {
    const found = new Map<number, number>();
    for (const pid of pids) {
      const bytes = residentBytes(pid);
      if (bytes !== undefined) found.set(pid, bytes);
    }
    return found;
  },
};
