/**
 * A ChildHandle with no process behind it, driven by the test: spawn it, make it exit, send it
 * messages. It answers SIGINT / the shutdown message / SIGKILL the way an app would (an exit, one
 * turn of the event loop later) unless told to ignore the graceful ones.
 */
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { ExitClock, type ChildHandle, type ExitResult } from '../../src/daemon/child-handle';
import type { LaunchSpec } from '../../src/daemon/fork-launcher';

export class FakeChild implements ChildHandle {
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  readonly spawned: Promise<void>;
  readonly exited: Promise<ExitResult>;
  readonly drained: Promise<void>;
  readonly listening?: Promise<void>;
  readonly drain?: (timeoutMs: number) => Promise<void>;
  /** Signals, messages and drains received, in order. */
  readonly received: string[] = [];
  /** What SIGINT or the shutdown message does: the app exits, or carries on. */
  graceful: 'exit' | 'ignore' = 'exit';
  private readonly clock = new ExitClock();
  private readonly listeners: Array<(message: unknown) => void> = [];
  private alive = false;
  private done = false;
  private resolveSpawned!: () => void;
  private rejectSpawned!: (error: Error) => void;
  private resolveExited!: (result: ExitResult) => void;
  private resolveListening: () => void = () => undefined;

  constructor(
    readonly pid: number,
    readonly spec: LaunchSpec,
    /** Shared by every child of one launcher: what happened to which, in order. */
    private readonly journal: string[] = [],
  ) {
    this.spawned = new Promise((resolve, reject) => ((this.resolveSpawned = resolve), (this.rejectSpawned = reject)));
    this.spawned.catch(() => undefined);
    this.exited = new Promise((resolve) => (this.resolveExited = resolve));
    this.drained = this.exited.then(() => undefined);
    if (spec.app.exec_mode === 'cluster') {
      this.listening = new Promise((resolve) => (this.resolveListening = resolve));
      this.drain = async () => {
        this.received.push('drain');
      };
    }
  }

  // --- driven by the test ---

  spawn(): void {
    this.alive = true;
    this.clock.spawned();
    this.resolveSpawned();
  }

  failSpawn(message: string): void {
    this.rejectSpawned(new Error(message));
    this.finish(null, null);
  }

  exit(code: number | null, signal: NodeJS.Signals | null = null): void {
    if (!this.done) this.finish(code, signal);
  }

  /** A message from the app over IPC ('ready', ...). */
  say(message: unknown): void {
    for (const listener of this.listeners) listener(message);
  }

  listen(): void {
    this.resolveListening();
  }

  // --- ChildHandle ---

  onMessage(listener: (message: unknown) => void): void {
    this.listeners.push(listener);
  }

  send(message: unknown): boolean {
    if (!this.alive) return false;
    this.received.push(`message ${JSON.stringify(message)}`);
    if (message === 'shutdown' && this.graceful === 'exit') setImmediate(() => this.exit(0));
    return true;
  }

  writeStdin(): boolean {
    return this.alive;
  }

  signal(signal: NodeJS.Signals): void {
    this.received.push(signal);
    this.journal.push(`${this.pid} ${signal}`);
    if (!this.alive) return;
    if (signal === 'SIGKILL' || (signal === 'SIGINT' && this.graceful === 'exit')) setImmediate(() => this.exit(null, signal));
  }

  forceKill(): void {
    this.clock.forcing();
    this.signal('SIGKILL');
  }

  hasIpc(): boolean {
    return this.alive;
  }

  private finish(code: number | null, signal: NodeJS.Signals | null): void {
    this.done = true;
    this.alive = false;
    this.stdout.end();
    this.stderr.end();
    this.resolveExited(this.clock.result(code, signal));
  }
}

/** ProcessContext.launch for tests: every launch a new FakeChild, spawned a turn later unless `autoSpawn` is off. */
export class FakeLauncher {
  readonly children: FakeChild[] = [];
  /** Launches and signals of every child, in order. */
  readonly journal: string[] = [];
  autoSpawn = true;
  private nextPid = 1000;
  private readonly bus = new EventEmitter();

  launch(spec: LaunchSpec): ChildHandle {
    const child = new FakeChild(++this.nextPid, spec, this.journal);
    this.children.push(child);
    this.journal.push(`launch ${child.pid}`);
    if (this.autoSpawn) setImmediate(() => child.spawn());
    this.bus.emit('launch');
    return child;
  }

  /** Resolves with the `count`th child once it has been launched. */
  launched(count: number): Promise<FakeChild> {
    return new Promise((resolve) => {
      const check = (): void => {
        const child = this.children[count - 1];
        if (!child) return;
        this.bus.off('launch', check);
        resolve(child);
      };
      this.bus.on('launch', check);
      check();
    });
  }

  get last(): FakeChild {
    const child = this.children.at(-1);
    if (!child) throw new Error('nothing was launched');
    return child;
  }
}
