/**
 * What belongs to one lifetime (a launch, a restart delay) and ends with it: an AbortController,
 * and every timer armed through it, cleared when it aborts. It counts the timers still armed, so a
 * test can prove that nothing outlives the lifetime it belongs to.
 */
export class Lifetime {
  private readonly controller = new AbortController();
  private readonly timers = new Set<NodeJS.Timeout>();

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get ended(): boolean {
    return this.controller.signal.aborted;
  }

  get armedTimers(): number {
    return this.timers.size;
  }

  /** Runs `fn` after `ms` unless the lifetime ends first; the returned function disarms it. */
  timeout(ms: number, fn: () => void): () => void {
    if (this.ended) return () => undefined;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
    return () => {
      clearTimeout(timer);
      this.timers.delete(timer);
    };
  }

  /** Calls `fn` when the lifetime ends (at once if it has); the returned function unsubscribes. */
  onEnd(fn: () => void): () => void {
    if (this.ended) {
      fn();
      return () => undefined;
    }
    this.signal.addEventListener('abort', fn, { once: true });
    return () => this.signal.removeEventListener('abort', fn);
  }

  /**
   * `wait`'s value; 'timeout' when `ms` pass first, 'ended' when the lifetime ends first. The timer goes either way,
   * but the reaction stays on `wait` until it settles: give it a promise that settles (for a plain delay, `sleep`).
   */
  within<T>(wait: Promise<T>, ms: number): Promise<T | 'timeout' | 'ended'> {
    if (this.ended) return Promise.resolve('ended');
    return new Promise((resolve) => {
      const settle = (value: T | 'timeout' | 'ended'): void => {
        disarm();
        unsubscribe();
        resolve(value);
      };
      const disarm = this.timeout(ms, () => settle('timeout'));
      const unsubscribe = this.onEnd(() => settle('ended'));
      wait.then(settle, () => settle('ended'));
    });
  }

  /**
   * True after `ms`; false as soon as the lifetime ends. Nothing is left behind either way: no reaction on a
   * promise that never settles (one per sleep, kept forever, was a leak of a closure, a timer and this lifetime
   * per crash restart and per liveness period).
   */
  sleep(ms: number): Promise<boolean> {
    if (this.ended) return Promise.resolve(false);
    return new Promise((resolve) => {
      const unsubscribe = this.onEnd(() => {
        disarm();
        resolve(false);
      });
      const disarm = this.timeout(ms, () => {
        unsubscribe();
        resolve(true);
      });
    });
  }

  /** Ends the lifetime: its timers are cleared and its signal aborts (idempotent). */
  end(): void {
    if (this.ended) return;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.controller.abort();
  }
}

/** The lifetimes of one owner that have not ended, and the timers they hold: a test checks that none is left. */
export class OpenLifetimes {
  private readonly open = new Set<Lifetime>();
  private waiters: Array<() => void> = [];

  add<T extends Lifetime>(lifetime: T): T {
    this.open.add(lifetime);
    lifetime.onEnd(() => {
      this.open.delete(lifetime);
      if (this.open.size > 0) return;
      const waiters = this.waiters;
      this.waiters = [];
      for (const resolve of waiters) resolve();
    });
    return lifetime;
  }

  /** Resolves once none is open. */
  none(): Promise<void> {
    if (this.open.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  count(): { open: number; timers: number } {
    return { open: this.open.size, timers: [...this.open].reduce((sum, lifetime) => sum + lifetime.armedTimers, 0) };
  }
}
