import * as assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { Lifetime } from '../../../src/daemon/lifetime';

/** A full garbage collection, without starting node with --expose-gc. */
function collectGarbage(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

/** How many of these lifetimes are still reachable after a full collection. */
async function stillReachable(refs: Array<WeakRef<Lifetime>>): Promise<number> {
  await tick(); // a WeakRef keeps its target until the job that made it is over
  collectGarbage();
  return refs.filter((ref) => ref.deref() !== undefined).length;
}

/** Weak references to `count` lifetimes, each put through `use` and dropped (made in their own frames, which end here). */
async function used(count: number, use: (lifetime: Lifetime, i: number) => Promise<void>): Promise<Array<WeakRef<Lifetime>>> {
  const refs: Array<WeakRef<Lifetime>> = [];
  const one = async (i: number): Promise<void> => {
    const lifetime = new Lifetime();
    refs.push(new WeakRef(lifetime));
    await use(lifetime, i);
  };
  for (let i = 0; i < count; i++) await one(i);
  return refs;
}

describe('Lifetime', () => {
  it('sleep: true once the time is up, false when the lifetime ends first; no timer left either way', async () => {
    const up = new Lifetime();
    assert.equal(await up.sleep(1), true);
    assert.equal(up.armedTimers, 0);
    const cut = new Lifetime();
    const sleeping = cut.sleep(60_000);
    assert.equal(cut.armedTimers, 1);
    cut.end();
    assert.equal(await sleeping, false);
    assert.equal(cut.armedTimers, 0);
    assert.equal(await cut.sleep(1), false); // ended already
  });

  // Each sleep used to hang a reaction on one promise that never settles: a crash restart's delay and every
  // liveness period kept a closure, its timer and its lifetime for as long as the daemon ran (the soak, issue #21).
  it('a sleep leaves nothing behind: lifetimes that slept (run out or cut short) are collected', async () => {
    const refs = await used(50, async (lifetime, i) => {
      if (i % 2 === 0) {
        assert.equal(await lifetime.sleep(0), true);
      } else {
        const sleeping = lifetime.sleep(60_000);
        lifetime.end();
        assert.equal(await sleeping, false);
      }
    });
    assert.equal(await stillReachable(refs), 0);
  });

  it('within: once the awaited promise settles, nothing is left behind', async () => {
    const refs = await used(50, async (lifetime, i) => {
      assert.equal(await lifetime.within(Promise.resolve(i), 60_000), i);
      assert.equal(lifetime.armedTimers, 0);
    });
    assert.equal(await stillReachable(refs), 0);
  });
});
