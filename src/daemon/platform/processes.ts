/**
 * Which processes are ours, and signals that reach nothing else. The one place that uses the process
 * table, read from /proc or from `ps` (`index.ts` chooses; see process-table.ts). Windows has none:
 * there every look finds nothing, and the launchers stop their own children by taskkill instead.
 *
 * Every process Corral launches carries INSTANCE_VARIABLE=<id>:<launch nonce> in its environment and
 * its descendants inherit it, also those that left the process group (setsid, detached spawns,
 * `cmd &` in a shell that exited). A process is signalled only if, read right before the signal, it is
 * still the process we found carrying the marker or descending from one that does (same pid and same
 * start time), so a pid the kernel has since handed to someone else is never hit. Nothing here
 * remembers pids between calls.
 */
import { currentPlatform, type Platform } from '../../shared/platform/platform';
import { processTable, type ProcessEntry } from './index';

export type { ProcessEntry } from './index';

/** Set on every app process (fork child, cluster worker): `<pm_id>:<nonce>`, a new nonce per launch. */
export const INSTANCE_VARIABLE = 'CORRAL_INSTANCE';
/** Set on a cluster app's primary: a nonce per primary. */
export const PRIMARY_VARIABLE = 'CORRAL_PRIMARY';

/**
 * One look at the process table per turn of the event loop: `delete all` of 1,000 apps signals them
 * all in the same turn, and each would otherwise read every /proc entry (and the environment of
 * every younger process) again. A snapshot a few milliseconds old lists no less than a fresh one
 * would have a moment earlier, and every pid is proven again (unchanged) right before its signal.
 */
interface Snapshot {
  entries: ProcessEntry[];
  environs: Map<number, string[] | null>;
  /** The entries by parent pid, made on first use. */
  children: Map<number, ProcessEntry[]> | null;
  /**
   * Each pid in the tree of one of the daemon's unreaped fork children (see `ownChildren`), with that
   * child's marker, as of this snapshot: made on first use, so a root reaped later in the same turn
   * still owns the tree the snapshot shows under it.
   */
  owners: Map<number, string> | null;
}

/**
 * The daemon's own fork children not yet reaped, each with the marker it was launched with. Exact: Node
 * reaps them in this process, and each leaves this map at its exit event, before its pid can be reused.
 * A process in the tree below one of them belongs to that launch (a process leaves a tree only for init
 * or a subreaper above it), so another instance's search needs no look at its environment: with 1,000
 * apps, each exit would otherwise read the environment of every app started after it.
 */
const ownChildren = new Map<number, string>();

let snapshot: Snapshot | null = null;

function currentSnapshot(): Snapshot {
  if (!snapshot) {
    snapshot = { entries: processTable().entries(), environs: new Map(), children: null, owners: null };
    setImmediate(() => (snapshot = null));
  }
  return snapshot;
}

function childrenOf(entries: ProcessEntry[]): Map<number, ProcessEntry[]> {
  const children = new Map<number, ProcessEntry[]>();
  for (const entry of entries) {
    const siblings = children.get(entry.ppid);
    if (siblings) siblings.push(entry);
    else children.set(entry.ppid, [entry]);
  }
  return children;
}

function liveEntries(): ProcessEntry[] {
  return currentSnapshot().entries;
}

/** The environments of `entries` (null: unreadable), read in one go for those not read this turn. */
function environs(entries: ProcessEntry[]): Map<number, string[] | null> {
  const { environs: known } = currentSnapshot();
  const missing = entries.filter((entry) => !known.has(entry.pid));
  if (missing.length > 0) {
    const read = processTable().environments(missing);
    for (const entry of missing) known.set(entry.pid, read.get(entry.pid) ?? null);
  }
  return known;
}

/** Those of `entries` still the same live processes as when they were listed (one read for all). */
function unchanged(entries: ProcessEntry[]): ProcessEntry[] {
  if (entries.length === 0) return [];
  const now = processTable().read(entries.map((entry) => entry.pid));
  return entries.filter((entry) => {
    const current = now.get(entry.pid);
    return current !== undefined && current.startTime === entry.startTime && current.pgid === entry.pgid;
  });
}

function kill(target: number, signal: NodeJS.Signals): void {
  try {
    process.kill(target, signal);
  } catch {
    /* gone meanwhile */
  }
}

function ownersOf(current: Snapshot): Map<number, string> {
  const owners = new Map<number, string>();
  for (const entry of current.entries) {
    const variable = entry.ppid === process.pid ? ownChildren.get(entry.pid) : undefined;
    if (variable !== undefined) for (const member of withDescendants([entry])) owners.set(member.pid, variable);
  }
  return owners;
}

/** `roots` and everything below them in the process tree of this turn's snapshot. */
function withDescendants(roots: ProcessEntry[]): ProcessEntry[] {
  const current = currentSnapshot();
  const children = (current.children ??= childrenOf(current.entries));
  const found = new Map(roots.map((entry) => [entry.pid, entry]));
  const queue = [...roots];
  for (let next = 0; next < queue.length; next++) {
    for (const child of children.get(queue[next].pid) ?? []) {
      if (found.has(child.pid)) continue;
      found.set(child.pid, child);
      queue.push(child);
    }
  }
  return [...found.values()];
}

/** Descendants of a process, now (metrics with monitor_tree); none where there is no table to find them in (Windows). */
export function descendants(root: number, platform: Platform = currentPlatform()): number[] {
  if (processTable(platform).source === 'none') return [];
  const entries = liveEntries();
  const self = entries.find((entry) => entry.pid === root);
  return self
    ? withDescendants([self])
        .filter((entry) => entry.pid !== root)
        .map((entry) => entry.pid)
    : [];
}

/** Live processes whose environment satisfies `matches` (those we may read: our own user's). */
export function processesWhere(matches: (variables: string[]) => boolean): ProcessEntry[] {
  const entries = liveEntries();
  const variables = environs(entries);
  return entries.filter((entry) => {
    const found = variables.get(entry.pid);
    return found !== null && found !== undefined && matches(found);
  });
}

/** Signals each listed process that is still the one listed. */
export function signalEach(entries: ProcessEntry[], signal: NodeJS.Signals): void {
  for (const entry of unchanged(entries)) kill(entry.pid, signal);
}

/** SIGINT, then SIGKILL for whatever of `entries` is left after `graceMs`; resolves once all are gone (at most 2 s more). */
export async function endProcesses(entries: ProcessEntry[], graceMs: number): Promise<void> {
  const left = (): ProcessEntry[] => unchanged(entries);
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
  /** The table's start floor at construction (before the spawn), if it has one. */
  private readonly earliest = processTable().startFloor?.();

  constructor(
    marker: string,
    /** The root leads its own process group (fork mode), which then is signalled as a whole. */
    private readonly leadsGroup: boolean,
  ) {
    this.variable = `${INSTANCE_VARIABLE}=${marker}`;
  }

  /**
   * The root has started: remember its pid and start time. `ownChild`: the root is the daemon's own
   * child (fork mode), reaped here; then reaped() must be called at its exit event.
   */
  rooted(pid: number, ownChild = false): void {
    this.root = pid;
    // Taken before the spawn where the table has a clock (one read less per spawn); the marker, new for
    // each launch, is what tells this instance's processes, the floor only leaves older ones unread.
    this.floor = this.earliest ?? processTable().read([pid]).get(pid)?.startTime ?? 0;
    if (ownChild) ownChildren.set(pid, this.variable);
  }

  /** The root, the daemon's own child, has been reaped (its exit event): its pid may be reused from now on. */
  reaped(): void {
    if (this.root !== null && ownChildren.get(this.root) === this.variable) ownChildren.delete(this.root);
  }

  list(): ProcessEntry[] {
    const current = currentSnapshot();
    const owners = (current.owners ??= ownersOf(current));
    // This launch's own fork tree as the snapshot shows it; outside every fork tree, what carries the marker.
    const marked: ProcessEntry[] = [];
    const unowned: ProcessEntry[] = [];
    for (const entry of current.entries) {
      const owner = owners.get(entry.pid);
      if (owner === this.variable) marked.push(entry);
      else if (owner === undefined && entry.startTime >= this.floor) unowned.push(entry);
    }
    const variables = environs(unowned);
    for (const entry of unowned) if (variables.get(entry.pid)?.includes(this.variable)) marked.push(entry);
    return withDescendants(marked);
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
      else if (unchanged(found.filter((entry) => entry.pgid === root)).length > 0) group = root;
    }
    if (group !== null) kill(-group, signal);
    signalEach(
      found.filter((entry) => entry.pgid !== group),
      signal,
    );
  }
}
