/**
 * Which processes are ours, and signals that reach nothing else (Linux: /proc). The one place that
 * reads the process table, so macOS and Windows can later give it their own implementation.
 *
 * Every process Corral launches carries INSTANCE_VARIABLE=<id>:<launch nonce> in its environment and
 * its descendants inherit it, also those that left the process group (setsid, detached spawns,
 * `cmd &` in a shell that exited). A process is signalled only if, read right before the signal, it is
 * still the process we found carrying the marker or descending from one that does (same pid and same
 * start time), so a pid the kernel has since handed to someone else is never hit. Nothing here
 * remembers pids between calls.
 */
import * as fs from 'node:fs';

/** Set on every app process (fork child, cluster worker): `<pm_id>:<nonce>`, a new nonce per launch. */
export const INSTANCE_VARIABLE = 'CORRAL_INSTANCE';
/** Set on a cluster app's primary: a nonce per primary. */
export const PRIMARY_VARIABLE = 'CORRAL_PRIMARY';

export interface ProcessEntry {
  pid: number;
  ppid: number;
  pgid: number;
  /** Clock ticks after boot: with the pid, what identifies a process over time. */
  startTime: number;
}

function readEntry(pid: number): ProcessEntry | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may contain spaces and parentheses): state is field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z') return null; // exited, waiting to be reaped: nothing left to signal
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

/**
 * One look at the process table per turn of the event loop: `delete all` of 1,000 apps signals them
 * all in the same turn, and each would otherwise read every /proc entry (and the environment of
 * every younger process) again. A snapshot a few milliseconds old lists no less than a fresh one
 * would have a moment earlier, and every pid is proven again (unchanged) right before its signal.
 */
let snapshot: { entries: ProcessEntry[]; environs: Map<number, string[] | null> } | null = null;

function currentSnapshot(): NonNullable<typeof snapshot> {
  if (!snapshot) {
    snapshot = { entries: scanEntries(), environs: new Map() };
    setImmediate(() => (snapshot = null));
  }
  return snapshot;
}

function liveEntries(): ProcessEntry[] {
  return currentSnapshot().entries;
}

function environ(pid: number): string[] | null {
  const { environs } = currentSnapshot();
  if (!environs.has(pid)) environs.set(pid, readEnviron(pid));
  return environs.get(pid) ?? null;
}

function scanEntries(): ProcessEntry[] {
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
}

/** Still the same live process as when it was listed. */
function unchanged(entry: ProcessEntry): boolean {
  const now = readEntry(entry.pid);
  return now !== null && now.startTime === entry.startTime && now.pgid === entry.pgid;
}

function kill(target: number, signal: NodeJS.Signals): void {
  try {
    process.kill(target, signal);
  } catch {
    /* gone meanwhile */
  }
}

/** `roots` and everything below them in the process tree of `entries`. */
function withDescendants(roots: ProcessEntry[], entries: ProcessEntry[]): ProcessEntry[] {
  const children = new Map<number, ProcessEntry[]>();
  for (const entry of entries) children.set(entry.ppid, [...(children.get(entry.ppid) ?? []), entry]);
  const found = new Map(roots.map((entry) => [entry.pid, entry]));
  const queue = [...roots];
  while (queue.length > 0) {
    for (const child of children.get((queue.shift() as ProcessEntry).pid) ?? []) {
      if (found.has(child.pid)) continue;
      found.set(child.pid, child);
      queue.push(child);
    }
  }
  return [...found.values()];
}

/** Descendants of a process, now (metrics with monitor_tree). */
export function descendants(root: number): number[] {
  const entries = liveEntries();
  const self = entries.find((entry) => entry.pid === root);
  return self
    ? withDescendants([self], entries)
        .filter((entry) => entry.pid !== root)
        .map((entry) => entry.pid)
    : [];
}

/** Live processes whose environment satisfies `matches` (those we may read: our own user's). */
export function processesWhere(matches: (variables: string[]) => boolean): ProcessEntry[] {
  return liveEntries().filter((entry) => {
    const variables = environ(entry.pid);
    return variables !== null && matches(variables);
  });
}

/** Signals each listed process that is still the one listed. */
export function signalEach(entries: ProcessEntry[], signal: NodeJS.Signals): void {
  for (const entry of entries) if (unchanged(entry)) kill(entry.pid, signal);
}

/** SIGINT, then SIGKILL for whatever of `entries` is left after `graceMs`; resolves once all are gone (at most 2 s more). */
export async function endProcesses(entries: ProcessEntry[], graceMs: number): Promise<void> {
  const left = (): ProcessEntry[] => entries.filter(unchanged);
  const wait = async (ms: number): Promise<void> => {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline && left().length > 0) await new Promise((resolve) => setTimeout(resolve, 20));
  };
  signalEach(entries, 'SIGINT');
  await wait(graceMs);
  signalEach(left(), 'SIGKILL');
  await wait(2000);
}

/**
 * The processes of one launch of an app instance: its root (the process Corral started), whatever
 * carries its marker, and the descendants of those (also ones that replaced their environment).
 */
export class InstanceProcesses {
  private readonly variable: string;
  private root: number | null = null;
  /** Descendants start after the root: older processes need no look at their environment. */
  private floor = 0;

  constructor(
    marker: string,
    /** The root leads its own process group (fork mode), which then is signalled as a whole. */
    private readonly leadsGroup: boolean,
  ) {
    this.variable = `${INSTANCE_VARIABLE}=${marker}`;
  }

  /** The root has started: remember its pid and start time. */
  rooted(pid: number): void {
    this.root = pid;
    this.floor = readEntry(pid)?.startTime ?? 0;
  }

  list(): ProcessEntry[] {
    const entries = liveEntries();
    const marked = entries.filter((entry) => entry.startTime >= this.floor && (environ(entry.pid)?.includes(this.variable) ?? false));
    return withDescendants(marked, entries);
  }

  /**
   * Sends `signal` to every process of the instance. `rootAlive`: the launcher knows the root has not
   * been reaped yet (it is its parent's unreaped child, so its pid and group id are still its own):
   * then a root that leads its group gets kill(-pid), which also reaches members that dropped the
   * marker; a root that does not lead one is left to the launcher, which signals it through its parent.
   * Once the root is gone, its group is signalled only while a member proven ours is still in it (the
   * kernel never reuses the id of a group that has members). Everything else, one by one.
   */
  signal(signal: NodeJS.Signals, rootAlive: boolean): void {
    const root = this.root;
    const found = this.list().filter((entry) => !(rootAlive && entry.pid === root));
    let group: number | null = null;
    if (this.leadsGroup && root !== null) {
      if (rootAlive) group = root;
      else if (found.some((entry) => entry.pgid === root && unchanged(entry))) group = root;
    }
    if (group !== null) kill(-group, signal);
    signalEach(
      found.filter((entry) => entry.pgid !== group),
      signal,
    );
  }
}
