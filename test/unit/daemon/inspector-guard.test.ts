import * as assert from 'node:assert/strict';
import { InspectorGuard } from '../../../src/daemon/inspector-guard';

/** A guard whose close is a promise of the reason it gave. */
function guarded(idleMs: number, graceMs = 20): { guard: InspectorGuard; closed: Promise<string>; calls: () => number } {
  let calls = 0;
  let guard!: InspectorGuard;
  const closed = new Promise<string>((resolve) => {
    guard = new InspectorGuard(idleMs, (why) => (calls++, resolve(why)), graceMs);
  });
  return { guard, closed, calls: () => calls };
}

describe('InspectorGuard', () => {
  it('closes after the bound when no debugger attaches', async () => {
    const { closed } = guarded(30);
    assert.equal(await closed, 'no debugger attached within 30 ms');
  });

  it('stays open while attached, closes after the grace once the last session ended', async () => {
    const { guard, closed, calls } = guarded(30, 40);
    guard.noteOutput('Debugger attached.\n');
    await new Promise((resolve) => setTimeout(resolve, 80)); // past the bound: attached, so nothing
    assert.equal(calls(), 0);
    guard.noteOutput('Debugger ending on ws://127.0.0.1:9229/x\nFor help, see: https://nodejs.org/en/docs/inspector\n');
    assert.equal(await closed, 'the debugger detached');
    assert.equal(calls(), 1);
  });

  it('reads the lines in order within one chunk: a reconnect inside the grace keeps it open', async () => {
    const { guard, calls } = guarded(30, 40);
    guard.noteOutput('Debugger attached.\nDebugger ending on ws://127.0.0.1:1/x\nDebugger attached.\n');
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(calls(), 0);
    guard.dispose();
  });

  it('does nothing once disposed', async () => {
    const { guard, calls } = guarded(20);
    guard.dispose();
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(calls(), 0);
  });
});
