import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { takePipeLock } from '../../../src/daemon/lock';

// Windows' named pipes and Linux's abstract sockets share what the lock relies on: a name lives as
// long as its listener, and only one may listen on it. So the Windows lock runs here on an abstract name.
const abstractName = (): string => `\0corral-test-lock-${randomBytes(6).toString('hex')}`;

describe('the named-pipe lock (Windows), on an abstract socket', () => {
  it('one holder at a time; the others are told its pid; free again once released', async () => {
    const name = abstractName();
    const first = await takePipeLock(name);
    assert.equal(first.held, true);
    const contenders = await Promise.all([takePipeLock(name), takePipeLock(name), takePipeLock(name)]);
    assert.deepEqual(contenders, Array(3).fill({ held: false, holderPid: process.pid }));
    if (first.held) first.lock.release();
    const next = await takePipeLock(name);
    assert.equal(next.held, true);
    if (next.held) next.lock.release();
  });

  it('a holder killed with SIGKILL leaves nothing behind: the next contender takes the lock', async () => {
    const name = abstractName();
    // A holder in another process, listening as takePipeLock does, then killed without a chance to let go.
    const holder = spawn(
      process.execPath,
      ['-e', `require('net').createServer((s) => s.end(process.pid + '\\n')).listen(${JSON.stringify(name)}, () => console.log('held'))`],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    try {
      await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));
      assert.deepEqual(await takePipeLock(name), { held: false, holderPid: holder.pid });
    } finally {
      holder.kill('SIGKILL');
    }
    await new Promise((resolve) => holder.once('exit', resolve));
    const after = await takePipeLock(name);
    assert.equal(after.held, true);
    if (after.held) after.lock.release();
  });
});
