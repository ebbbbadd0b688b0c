/**
 * The extension's copy of the daemon's process table. Filled by one `list` per connection, then kept
 * current from events: state changes patch a process, deletions remove it, metrics ticks update CPU and
 * memory. Only a process never seen before costs a call (`describe`, batched). Changes are announced
 * coalesced, at most one announcement per COALESCE_MS, so a burst of events (a cluster reload, 200 starts)
 * gives a refresh or two; the first change after a quiet spell is announced on the next turn of the event
 * loop rather than COALESCE_MS later (a row follows its event in a few ms, not ~30).
 */
import * as vscode from 'vscode';
import type { ProcessEvent, ProcessInfo, StateReason } from '../shared/protocol';
import type { DaemonConnection } from './connection';

/** State changes that may come with a changed config. */
const CONFIG_REASONS: ReadonlySet<StateReason> = new Set<StateReason>(['start', 'reload', 'scale']);

export interface StoreChange {
  /** Processes came or went, or changed state (not just figures). */
  structure: boolean;
  /**
   * Processes came or went, or one changed what places it in the tree (name, namespace, exec mode,
   * instances): the tree's shape may differ. Without it, the same rows show new states or figures.
   */
  membership: boolean;
  /** App names whose processes changed in any way. */
  apps: ReadonlySet<string>;
}

const COALESCE_MS = 30;

export class ProcessStore implements vscode.Disposable {
  private readonly processes = new Map<number, ProcessInfo>();
  private readonly emitter = new vscode.EventEmitter<StoreChange>();
  /** Fires (coalesced) whenever the table changed. */
  readonly onDidChange = this.emitter.event;
  private readonly deletedEmitter = new vscode.EventEmitter<string>();
  /** An app name whose last process was deleted. */
  readonly onDidDeleteApp = this.deletedEmitter.event;
  private readonly stateEmitter = new vscode.EventEmitter<{ process: ProcessInfo; event: ProcessEvent }>();
  /** Every state change of a known process, after the store applied it. */
  readonly onDidChangeState = this.stateEmitter.event;
  private pending: { structure: boolean; membership: boolean; apps: Set<string> } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastAnnounced = -Infinity;
  private shape = 0;
  private readonly unknown = new Set<number>();
  /** Ids deleted on this connection: a `describe` answer that crossed the deletion must not bring one back. */
  private readonly deleted = new Set<number>();
  /**
   * Events applied per id. Events and `describe` answers come on two sockets, so an answer computed before
   * an event can arrive after it: the state it carries is then older than the entry's and is not applied.
   */
  private readonly eventsSeen = new Map<number, number>();
  private readonly disposables: vscode.Disposable[] = [];
  private generation = 0;
  private loaded = false;

  constructor(private readonly connection: DaemonConnection) {
    this.disposables.push(
      connection.onDidChangeState((state) => {
        if (state.kind === 'connected') void this.reload();
        else if (state.kind !== 'connecting') this.clear();
      }),
      connection.on('process:event', (event) => this.applyEvent(event)),
      connection.on('process:deleted', ({ id, name }) => this.remove(id, name)),
      connection.on('process:health', ({ id, health, last_probe }) => {
        const process = this.processes.get(id);
        if (!process) return;
        process.health = health;
        process.last_probe = last_probe;
        // Health is shown by the icon: a change of it is a state change for the view, not a figure.
        this.changed(true, new Set([process.name]));
      }),
      connection.on('process:waiting', ({ id, waiting }) => {
        const process = this.processes.get(id);
        if (!process) return;
        process.waiting = waiting;
        this.changed(true, new Set([process.name]));
      }),
      connection.on('metrics', (tick) => {
        const apps = new Set<string>();
        for (const sample of tick.processes) {
          const process = this.processes.get(sample.id);
          if (!process) continue;
          process.cpu = sample.cpu;
          process.memory = sample.memory;
          apps.add(process.name);
        }
        if (apps.size > 0) this.changed(false, apps);
      }),
    );
    if (connection.state.kind === 'connected') void this.reload();
  }

  /** True once the first list of this connection arrived. */
  get ready(): boolean {
    return this.loaded;
  }

  all(): ProcessInfo[] {
    return [...this.processes.values()];
  }

  get size(): number {
    return this.processes.size;
  }

  get(id: number): ProcessInfo | undefined {
    return this.processes.get(id);
  }

  byName(name: string): ProcessInfo[] {
    return this.all()
      .filter((process) => process.name === name)
      .sort((a, b) => a.id - b.id);
  }

  appNames(): string[] {
    return [...new Set(this.all().map((process) => process.name))].sort((a, b) => a.localeCompare(b));
  }

  /** A full re-read of the table (on connect, and the view's Refresh). */
  async reload(): Promise<void> {
    const generation = ++this.generation;
    try {
      const list = await this.connection.call('list', {});
      if (generation !== this.generation) return;
      this.deleted.clear();
      const names = new Set([...this.processes.values()].map((process) => process.name));
      this.processes.clear();
      for (const process of list) {
        this.processes.set(process.id, process);
        names.add(process.name);
      }
      this.loaded = true;
      this.changed(true, names, true);
    } catch (error) {
      console.error('corral: list failed', error);
    }
  }

  private clear(): void {
    this.generation++;
    this.loaded = false;
    if (this.processes.size === 0) return this.changed(true, new Set(), true);
    const names = new Set([...this.processes.values()].map((process) => process.name));
    this.processes.clear();
    this.changed(true, names, true);
  }

  private applyEvent(event: ProcessEvent): void {
    const process = this.processes.get(event.id);
    if (!process) {
      if (!this.deleted.has(event.id)) this.fetch(event.id);
      return;
    }
    // A start, restart or reload may apply a changed config (an ecosystem file, Toggle Watch, --update-env),
    // a scale changes every instance's count: read the app again (one call, batched). Events carry only the state.
    const restarted = event.reason === 'user' && event.status === 'online'; // a stop or delete changes no config
    if (CONFIG_REASONS.has(event.reason) || restarted) for (const sibling of this.byName(process.name)) this.fetch(sibling.id);
    this.eventsSeen.set(event.id, (this.eventsSeen.get(event.id) ?? 0) + 1);
    const wasOnline = process.status === 'online';
    process.status = event.status;
    process.pid = event.pid;
    process.restarts = event.restarts;
    process.exit_code = event.exit_code;
    process.exit_signal = event.exit_signal;
    process.last_reason = event.reason;
    process.last_reason_detail = event.detail || null;
    if (event.health !== undefined) process.health = event.health;
    if (event.status !== 'stopped') process.waiting = null;
    if (event.status === 'online' && !wasOnline) process.started_at = event.at;
    if (event.status !== 'online') {
      process.cpu = 0;
      process.memory = 0;
    }
    this.stateEmitter.fire({ process, event });
    this.changed(true, new Set([process.name]));
  }

  /** New processes (started by anyone): one `describe` for all ids seen in the same tick. */
  private fetch(id: number): void {
    const batch = this.unknown.size === 0;
    this.unknown.add(id);
    if (!batch) return;
    setTimeout(() => {
      const ids = [...this.unknown];
      this.unknown.clear();
      const generation = this.generation;
      const seenAtAsk = new Map(ids.map((id) => [id, this.eventsSeen.get(id) ?? 0]));
      this.connection.call('describe', { targets: ids.map(String) }).then(
        (described) => {
          if (generation !== this.generation) return;
          const names = new Set<string>();
          let membership = false;
          for (const { config: _config, history: _history, samples: _samples, ...info } of described) {
            if (!ids.includes(info.id) || this.deleted.has(info.id)) continue;
            const known = this.processes.get(info.id);
            const newerState = known !== undefined && (this.eventsSeen.get(info.id) ?? 0) > (seenAtAsk.get(info.id) ?? 0);
            this.processes.set(info.id, newerState ? { ...info, ...stateOf(known) } : info);
            names.add(info.name);
            if (known) names.add(known.name);
            membership ||= known === undefined || placedDifferently(known, info);
          }
          if (names.size > 0) this.changed(true, names, membership);
        },
        // A process deleted before we asked: its deletion event follows (or came) anyway.
        () => undefined,
      );
    }, 0);
  }

  private remove(id: number, name: string): void {
    this.deleted.add(id);
    this.eventsSeen.delete(id);
    if (!this.processes.delete(id)) return;
    this.changed(true, new Set([name]), true);
    if (!this.all().some((process) => process.name === name)) this.deletedEmitter.fire(name);
  }

  /** Grows at once (not coalesced) whenever a change with `membership` happens: the view's cue to rebuild its nodes. */
  get shapeVersion(): number {
    return this.shape;
  }

  private changed(structure: boolean, apps: Set<string>, membership = false): void {
    if (membership) this.shape++;
    if (!this.pending) this.pending = { structure, membership, apps: new Set(apps) };
    else {
      this.pending.structure ||= structure;
      this.pending.membership ||= membership;
      for (const app of apps) this.pending.apps.add(app);
    }
    this.timer ??= setTimeout(
      () => {
        this.timer = undefined;
        this.lastAnnounced = performance.now();
        const change = this.pending!;
        this.pending = undefined;
        this.emitter.fire(change);
      },
      Math.max(0, this.lastAnnounced + COALESCE_MS - performance.now()),
    );
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const disposable of this.disposables) disposable.dispose();
    this.emitter.dispose();
    this.deletedEmitter.dispose();
    this.stateEmitter.dispose();
  }
}

/** What decides a process's place in the view: its app row, its namespace, whether its app row is a group. */
function placedDifferently(a: ProcessInfo, b: ProcessInfo): boolean {
  return a.name !== b.name || a.namespace !== b.namespace || a.exec_mode !== b.exec_mode || a.instances !== b.instances;
}

/** The fields a process event sets (applyEvent): what a `describe` answer older than the event must not undo. */
function stateOf(process: ProcessInfo): Partial<ProcessInfo> {
  const { status, pid, restarts, exit_code, exit_signal, last_reason, last_reason_detail, health, waiting, started_at, cpu, memory } = process;
  return { status, pid, restarts, exit_code, exit_signal, last_reason, last_reason_detail, health, waiting, started_at, cpu, memory };
}
