/**
 * One launch of a process: its child and the Lifetime (lifetime.ts) that owns the launch's timers
 * (kill_timeout, listen_timeout, the drain bound), its pipe listeners and its waits. The launch ends,
 * and everything it owns with it, once the child has exited and its output is read, or DRAIN_WAIT_MS
 * after the exit: a process that escaped the group could hold a pipe open forever.
 */
import { randomBytes } from 'node:crypto';
import type { AppConfig } from '../shared/config';
import type { ChildHandle, ExitResult } from './child-handle';
import type { LaunchSpec } from './fork-launcher';
import { Lifetime, type OpenLifetimes } from './lifetime';
import { INSTANCE_VARIABLE } from './platform/processes';
import { describeExit } from './restart-policy';

export const DRAIN_WAIT_MS = 2000;

const isReady = (message: unknown): boolean =>
  message === 'ready' || (typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'ready');

/** Random bytes taken 6 at a time for launch markers, drawn in blocks: one draw per 256 launches, not one each (a fleet start). */
const NONCE_BYTES = 6;
let nonces = Buffer.alloc(0);
let nonceAt = 0;

function nonce(): string {
  if (nonceAt + NONCE_BYTES > nonces.length) {
    nonces = randomBytes(NONCE_BYTES * 256);
    nonceAt = 0;
  }
  nonceAt += NONCE_BYTES;
  return nonces.toString('hex', nonceAt - NONCE_BYTES, nonceAt);
}

export class Launch {
  readonly lifetime = new Lifetime();
  /** Null until attach(): the launching state is entered (and told) before the spawn. */
  child: ChildHandle | null = null;
  /** The child spawned (its exit is then a state change; a spawn failure is the launch's own). */
  started = false;
  /** How the child ended, once it has. */
  exit: ExitResult | null = null;
  /** Resolves with the exit, after the launch's own clean-up of it. */
  exited: Promise<ExitResult> = new Promise<never>(() => undefined);
  private finished: Promise<void> = Promise.resolve();
  /** Set when Corral ends this child because a probe failed: its exit then counts as that failure. */
  failure: { reason: 'not-ready' | 'liveness'; detail: string } | null = null;
  private readonly probeLifetimes = new Set<Lifetime>();
  /**
   * Debug from Start (--inspect-brk): the child waits for a debugger, then stops where it is told, so
   * nothing it does on its own time counts until its debug session is over: listen_timeout starts
   * then, and liveness is probed from then on. Resolves at release() or when the launch ends.
   */
  private hold: Promise<void> | null = null;
  private releaseHold: () => void = () => undefined;

  /** `owner`: where the launch counts as open until it ends. */
  constructor(owner?: OpenLifetimes) {
    owner?.add(this.lifetime);
  }

  /**
   * Spawns the child through `launcher` with a marker of its own, `<pm_id>:<nonce>`: what proves a
   * process belongs to this launch when it is signalled. Throws what the launcher throws, and ends.
   */
  spawn(launcher: (spec: LaunchSpec) => ChildHandle, processId: number, spec: Omit<LaunchSpec, 'marker'>): ChildHandle {
    const marker = `${processId}:${nonce()}`;
    let child: ChildHandle;
    try {
      child = launcher({ ...spec, env: { ...spec.env, [INSTANCE_VARIABLE]: marker }, marker });
    } catch (error) {
      this.end();
      throw error;
    }
    this.attach(child);
    return child;
  }

  private attach(child: ChildHandle): void {
    this.child = child;
    void child.spawned.then(
      () => (this.started = true),
      () => undefined,
    );
    this.exited = child.exited.then((exit) => {
      this.exit = exit;
      this.endProbes();
      // Whatever the app left behind in its process group goes with it.
      if (this.started) child.signal('SIGKILL');
      return exit;
    });
    this.finished = this.exited.then(() => this.lifetime.within(child.drained, DRAIN_WAIT_MS)).then(() => this.lifetime.end());
  }

  /**
   * A lifetime for one probe loop (probes.ts), counted in `owner`: it ends with the launch, at the
   * child's exit, or at endProbes() (a stop begins), whichever comes first.
   */
  probeLifetime(owner?: OpenLifetimes): Lifetime {
    const lifetime = owner ? owner.add(new Lifetime()) : new Lifetime();
    if (this.lifetime.ended || this.exit) {
      lifetime.end();
      return lifetime;
    }
    this.probeLifetimes.add(lifetime);
    lifetime.onEnd(() => this.probeLifetimes.delete(lifetime));
    return lifetime;
  }

  /** Holds this launch for a debugger (see `hold`); before the spawn. */
  holdForDebugger(): void {
    this.hold = new Promise<void>((resolve) => {
      this.releaseHold = resolve;
      this.lifetime.onEnd(resolve);
    });
  }

  get heldForDebugger(): boolean {
    return this.hold !== null;
  }

  /** The debug session is over (its inspector closed): the launch's own clock runs from now. */
  release(): void {
    this.releaseHold();
  }

  /** Resolves once no debugger holds the launch (at once for a launch that was never held). */
  released(): Promise<void> {
    return this.hold ?? Promise.resolve();
  }

  /**
   * `wait` within `ms`, as lifetime.within; for a launch held for a debugger the `ms` start once it
   * is released, and a `wait` that settles during the hold is taken as it is.
   */
  async withinAfterHold<T>(wait: Promise<T>, ms: number): Promise<T | 'timeout' | 'ended'> {
    if (this.hold) {
      const early = await Promise.race([
        wait.then(
          (value) => ({ value }),
          () => ({ value: 'ended' as const }),
        ),
        this.hold.then(() => null),
      ]);
      if (early) return early.value;
      if (this.lifetime.ended) return 'ended';
    }
    return this.lifetime.within(wait, ms);
  }

  endProbes(): void {
    for (const lifetime of [...this.probeLifetimes]) lifetime.end();
  }

  /** wait_ready: 'ready', or 'timeout' after `listenTimeoutMs`; null when the child exited or the launch ended first. */
  async readiness(listenTimeoutMs: number): Promise<'ready' | 'timeout' | null> {
    const outcome = await this.withinAfterHold(this.ready(), listenTimeoutMs);
    return outcome === true ? 'ready' : outcome === 'timeout' ? 'timeout' : null;
  }

  /**
   * A cluster reload's replacement: spawned, then listening as the worker it replaces did (or
   * 'ready' with wait_ready), or 'timeout' once listen_timeout passed. Throws, saying how, when the
   * child could not start or exited first.
   */
  async takeOver(app: Pick<AppConfig, 'wait_ready' | 'listen_timeout'>, listened: boolean): Promise<'up' | 'timeout'> {
    const child = this.child as ChildHandle;
    try {
      await child.spawned;
    } catch (error) {
      this.end();
      throw new Error(`did not start (${(error as Error).message})`);
    }
    // A worker that serves nothing (a queue consumer) is up once it runs.
    const up = app.wait_ready ? this.ready() : listened && child.listening ? child.listening.then(() => true) : Promise.resolve(true);
    const outcome = await this.lifetime.within(Promise.race([up, this.exited.then(() => false)]), app.listen_timeout);
    if ((outcome === true || outcome === 'timeout') && !this.exit) return outcome === true ? 'up' : 'timeout';
    const exit = await this.exited;
    throw new Error(`${describeExit({ ...exit, uptimeMs: 0 }).replace(/ after 0 ms$/, '')} before it was ready`);
  }

  /** True once the child sent 'ready' (wait_ready); false once it exited or the launch ended. */
  ready(): Promise<boolean> {
    const { child } = this;
    if (!child || this.lifetime.ended) return Promise.resolve(false);
    return new Promise((resolve) => {
      child.onMessage((message) => {
        if (isReady(message)) resolve(true);
      });
      void this.exited.then(() => resolve(false));
      this.lifetime.onEnd(() => resolve(false));
    });
  }

  /**
   * Graceful stop: the shutdown message (shutdown_with_message) or SIGINT to the group, forceKill
   * after kill_timeout (`onForce` first). Resolves once the launch has ended.
   */
  async terminate(app: Pick<AppConfig, 'shutdown_with_message' | 'kill_timeout'>, onForce: () => void): Promise<void> {
    const { child } = this;
    this.endProbes();
    if (child && !this.exit) {
      const graceful = app.shutdown_with_message && child.send('shutdown');
      if (!graceful) child.signal('SIGINT');
      const disarm = this.lifetime.timeout(app.kill_timeout, () => {
        onForce();
        child.forceKill();
      });
      await this.exited;
      disarm();
    }
    await this.finished;
  }

  end(): void {
    this.endProbes();
    this.lifetime.end();
  }
}
