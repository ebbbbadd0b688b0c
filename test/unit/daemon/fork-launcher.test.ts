/**
 * The fork launcher's handle stops by the platform's plan: the Windows branch runs here with the
 * platform passed in and a runner that records taskkill's argv (the real child is a Linux one).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ChildHandle } from '../../../src/daemon/child-handle';
import { launchFork } from '../../../src/daemon/fork-launcher';
import { normalizeApp } from '../../../src/shared/config';

const ROOT = (() => {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
})();

function launch(script: string, calls: string[][], extra: Record<string, unknown> = {}): ChildHandle {
  const { app } = normalizeApp(
    { script, ...extra },
    {
      source: '',
      baseDir: path.join(ROOT, 'test/fixtures'),
      baseEnv: { PATH: process.env.PATH },
      cpuCount: 1,
      fileExists: fs.existsSync,
      which: () => undefined,
    },
  );
  return launchFork(
    { app, env: { PATH: process.env.PATH ?? '', CORRAL_INSTANCE: '0:test' }, marker: '0:test', nodePath: process.execPath },
    { platform: 'win32', taskkill: (args) => calls.push(args) },
  );
}

describe('daemon/fork-launcher: the Windows stop path', function () {
  this.timeout(10_000);
  const handles: ChildHandle[] = [];
  afterEach(async () => {
    for (const handle of handles.splice(0)) {
      // Only while unreaped (the exit not seen yet), so a recycled pid is never hit.
      const running = await Promise.race([handle.exited.then(() => false), new Promise<boolean>((resolve) => setImmediate(() => resolve(true)))]);
      if (running) process.kill(handle.pid, 'SIGKILL');
    }
  });

  it('stop: the shutdown message and taskkill /PID <pid> /T; the app exits on the message', async () => {
    const calls: string[][] = [];
    const handle = launch('shutdown-message.js', calls);
    handles.push(handle);
    await handle.spawned;
    assert.ok(handle.hasIpc());
    handle.signal('SIGINT');
    assert.deepEqual(calls, [['/PID', String(handle.pid), '/T']]);
    const exit = await handle.exited;
    assert.deepEqual([exit.code, exit.signal, exit.forced], [0, null, false]);
    handle.signal('SIGKILL'); // what a launch sends after the exit for leftovers: the pid is no longer ours
    assert.equal(calls.length, 1);
  });

  it('kill_timeout passed: forceKill is taskkill /PID <pid> /T /F and the exit says forced', async () => {
    const calls: string[][] = [];
    const handle = launch('ignore-sigint.js', calls, {
      interpreter: 'none',
      script: process.execPath,
      args: [path.join(ROOT, 'test/fixtures/ignore-sigint.js')],
    });
    handles.push(handle);
    await handle.spawned;
    assert.equal(handle.hasIpc(), false);
    handle.signal('SIGINT');
    handle.forceKill();
    assert.deepEqual(calls, [
      ['/PID', String(handle.pid), '/T'],
      ['/PID', String(handle.pid), '/T', '/F'],
    ]);
    process.kill(handle.pid, 'SIGKILL'); // what taskkill /F would have done
    assert.equal((await handle.exited).forced, true);
  });
});
