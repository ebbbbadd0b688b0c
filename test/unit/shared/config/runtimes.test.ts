import * as assert from 'node:assert/strict';
import { commandFor } from '../../../../src/daemon/fork-launcher';
import { ConfigError, jsRuntimeOf, normalizeApp, runtimeArgs } from '../../../../src/shared/config';

const context = { source: '', index: 0, baseDir: '/srv', baseEnv: {}, cpuCount: 4, fileExists: () => true };

describe('config: Bun and Deno interpreters', () => {
  it('knows them by name or path, and nothing else', () => {
    assert.equal(jsRuntimeOf('bun'), 'bun');
    assert.equal(jsRuntimeOf('/home/me/.bun/bin/bun'), 'bun');
    assert.equal(jsRuntimeOf('deno'), 'deno');
    assert.equal(jsRuntimeOf('C:\\deno\\Deno.exe', 'win32'), 'deno');
    assert.equal(jsRuntimeOf('bunyan'), null);
    assert.equal(jsRuntimeOf('node'), null);
    assert.equal(jsRuntimeOf('/srv/node_modules/bun/bin/bun.exe', 'linux'), 'bun'); // the npm package's name for it
    assert.equal(jsRuntimeOf('Bun', 'linux'), null);
  });

  it('places the arguments as each runtime expects (deno run -A unless interpreter_args say otherwise)', () => {
    assert.deepEqual(runtimeArgs('bun', [], 'a.ts', ['x']), ['a.ts', 'x']);
    assert.deepEqual(runtimeArgs('bun', ['--smol'], 'a.ts', []), ['--smol', 'a.ts']);
    assert.deepEqual(runtimeArgs('deno', [], 'a.ts', ['x']), ['run', '-A', 'a.ts', 'x']);
    assert.deepEqual(runtimeArgs('deno', ['--allow-net'], 'a.ts', []), ['run', '--allow-net', 'a.ts']);
    assert.deepEqual(runtimeArgs('deno', ['serve', '-A'], 'a.ts', []), ['serve', '-A', 'a.ts']);
  });

  it('gives them no IPC channel and no Node binary', () => {
    const spec = (interpreter: string) => ({ app: normalizeApp({ script: '/srv/a.ts', interpreter }, context).app, env: {}, marker: '0:x', nodePath: '/node' });
    assert.deepEqual(commandFor(spec('deno')), { command: 'deno', args: ['run', '-A', '/srv/a.ts'], ipc: false });
    assert.deepEqual(commandFor(spec('/opt/bun')), { command: '/opt/bun', args: ['/srv/a.ts'], ipc: false });
    assert.equal(commandFor(spec('node')).ipc, true);
  });

  it('refuses cluster mode naming the field; instances alone mean fork', () => {
    assert.throws(
      () => normalizeApp({ script: '/srv/a.js', interpreter: 'bun', exec_mode: 'cluster', instances: 2 }, context),
      (error: unknown) => error instanceof ConfigError && /^apps\[0\]\.exec_mode: "cluster" runs on Node's node:cluster only, not bun/.test(error.problems[0]),
    );
    const { app } = normalizeApp({ script: '/srv/a.js', interpreter: 'deno', instances: 2 }, context);
    assert.equal(app.exec_mode, 'fork');
  });
});
