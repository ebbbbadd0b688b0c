/**
 * The stop plan per platform, and deliverSignal running it: the Windows branch on Linux, with a real
 * Node child (IPC) and a runner that records taskkill's argv instead of running it.
 */
import * as assert from 'node:assert/strict';
import { fork, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { deliverSignal, runStopSteps, signalSteps, stopPlan, type StopStep } from '../../../../src/shared/platform/stop-plan';
import { taskkillPath } from '../../../../src/shared/platform/taskkill';

const ROOT = (() => {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
})();
/** Exits 0 on the 'shutdown' message, ignores SIGINT. */
const SHUTDOWN_FIXTURE = path.join(ROOT, 'test/fixtures/shutdown-message.js');

const alive = { pid: 4242, rootAlive: true };

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

describe('platform stop plan', () => {
  it('POSIX: exactly the signal as asked, for the launcher to send as it always has (any pid state)', () => {
    for (const platform of ['linux', 'darwin', 'freebsd'] as const) {
      for (const signal of ['SIGINT', 'SIGTERM', 'SIGKILL', 'SIGUSR2'] as const) {
        for (const hasIpc of [true, false]) {
          assert.deepEqual(signalSteps({ platform, ...alive, hasIpc, signal }), [{ kind: 'signal', signal }]);
          assert.deepEqual(signalSteps({ platform, pid: null, rootAlive: false, hasIpc, signal }), [{ kind: 'signal', signal }]);
        }
      }
      assert.deepEqual(stopPlan({ platform, ...alive, hasIpc: true, killSignal: 'SIGINT' }), {
        graceful: [{ kind: 'signal', signal: 'SIGINT' }],
        forced: [{ kind: 'signal', signal: 'SIGKILL' }],
      });
    }
  });

  it('Windows: the shutdown message for a Node app with IPC and taskkill /T, then taskkill /T /F', () => {
    assert.deepEqual(stopPlan({ platform: 'win32', ...alive, hasIpc: true, killSignal: 'SIGINT' }), {
      graceful: [
        { kind: 'message', message: 'shutdown' },
        { kind: 'taskkill', args: ['/PID', '4242', '/T'] },
      ],
      forced: [{ kind: 'taskkill', args: ['/PID', '4242', '/T', '/F'] }],
    });
    assert.deepEqual(stopPlan({ platform: 'win32', ...alive, hasIpc: false, killSignal: 'SIGTERM' }), {
      graceful: [{ kind: 'taskkill', args: ['/PID', '4242', '/T'] }],
      forced: [{ kind: 'taskkill', args: ['/PID', '4242', '/T', '/F'] }],
    });
  });

  it('Windows: nothing for a pid not known to be our unreaped child, nor for signals with no counterpart', () => {
    for (const signal of ['SIGINT', 'SIGKILL'] as const) {
      assert.deepEqual(signalSteps({ platform: 'win32', pid: 4242, rootAlive: false, hasIpc: true, signal }), []);
      assert.deepEqual(signalSteps({ platform: 'win32', pid: null, rootAlive: false, hasIpc: true, signal }), []);
    }
    for (const signal of ['SIGUSR1', 'SIGUSR2', 'SIGHUP'] as const) assert.deepEqual(signalSteps({ platform: 'win32', ...alive, hasIpc: true, signal }), []);
  });

  it('runs the steps in order through the given effects', () => {
    const seen: string[] = [];
    const steps: StopStep[] = [
      { kind: 'message', message: 'shutdown' },
      { kind: 'taskkill', args: ['/PID', '1', '/T'] },
      { kind: 'signal', signal: 'SIGTERM' },
    ];
    runStopSteps(steps, {
      send: (message) => (seen.push(`send ${message}`), true),
      taskkill: (args) => seen.push(`taskkill ${args.join(' ')}`),
      signal: (signal) => seen.push(`signal ${signal}`),
    });
    assert.deepEqual(seen, ['send shutdown', 'taskkill /PID 1 /T', 'signal SIGTERM']);
  });

  it('finds taskkill.exe in System32 by its full path', () => {
    assert.equal(taskkillPath({ SystemRoot: 'D:\\Win' }), 'D:\\Win\\System32\\taskkill.exe');
    assert.equal(taskkillPath({}), 'C:\\Windows\\System32\\taskkill.exe');
  });

  describe('deliverSignal with a real child', function () {
    this.timeout(10_000);
    const children: ChildProcess[] = [];
    afterEach(() => {
      for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });

    it('Windows branch: the Node app gets the shutdown message and exits; taskkill gets /PID <pid> /T; nothing once reaped', async () => {
      const child = fork(SHUTDOWN_FIXTURE, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
      children.push(child);
      await new Promise((resolve) => child.once('spawn', resolve));
      const calls: string[][] = [];
      const posix: string[] = [];
      const options = { platform: 'win32' as const, taskkill: (args: string[]) => calls.push(args), signalTree: (signal: string) => posix.push(signal) };
      deliverSignal(child, 'SIGINT', options);
      assert.deepEqual(calls, [['/PID', String(child.pid), '/T']]);
      assert.deepEqual(await exited(child), { code: 0, signal: null }, 'it stopped on the message');
      deliverSignal(child, 'SIGKILL', options);
      deliverSignal(child, 'SIGINT', options);
      assert.deepEqual(calls, [['/PID', String(child.pid), '/T']], 'a reaped pid is never handed to taskkill');
      assert.deepEqual(posix, []);
    });

    it('Windows branch: a child without IPC gets taskkill only; SIGKILL is taskkill /T /F', async () => {
      const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
      children.push(child);
      await new Promise((resolve) => child.once('spawn', resolve));
      const calls: string[][] = [];
      const options = {
        platform: 'win32' as const,
        taskkill: (args: string[]) => calls.push(args),
        signalTree: () => assert.fail('no POSIX signal on Windows'),
      };
      deliverSignal(child, 'SIGTERM', options);
      deliverSignal(child, 'SIGKILL', options);
      assert.deepEqual(calls, [
        ['/PID', String(child.pid), '/T'],
        ['/PID', String(child.pid), '/T', '/F'],
      ]);
      assert.equal(child.exitCode, null, 'the recording runner killed nothing');
    });

    it('POSIX branch: the launcher signals, told whether the child is unreaped; no message is sent', async () => {
      const child = fork(SHUTDOWN_FIXTURE, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
      children.push(child);
      await new Promise((resolve) => child.once('spawn', resolve));
      const seen: Array<[string, boolean]> = [];
      const options = {
        platform: 'linux' as const,
        taskkill: () => assert.fail('no taskkill off Windows'),
        signalTree: (signal: string, rootAlive: boolean) => seen.push([signal, rootAlive]),
      };
      deliverSignal(child, 'SIGINT', options);
      child.kill('SIGKILL');
      await exited(child);
      deliverSignal(child, 'SIGKILL', options);
      assert.deepEqual(seen, [
        ['SIGINT', true],
        ['SIGKILL', false],
      ]);
    });
  });
});
