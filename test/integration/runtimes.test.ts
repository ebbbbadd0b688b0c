/**
 * Bun and Deno as interpreters, with the binaries the devDependencies bring (node_modules/.bin) or
 * ones on PATH; each runtime's tests are skipped, saying why, when it is not installed.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { which } from '../../src/client/which';
import type { ProcessInfo } from '../../src/shared/protocol';
import { fixture, ROOT, TestHome, until } from '../support/harness';

function binary(name: string): string | undefined {
  const local = path.join(ROOT, 'node_modules', '.bin', name);
  return fs.existsSync(local) ? fs.realpathSync(local) : which(name);
}

for (const runtime of ['bun', 'deno'] as const) {
  describe(`interpreter ${runtime}`, () => {
    const interpreter = binary(runtime);
    let home: TestHome;
    before(function () {
      if (!interpreter) {
        console.log(`    (skipped: no ${runtime} in node_modules/.bin or on PATH; npm ci installs it)`);
        this.skip();
      }
    });
    beforeEach(() => (home = new TestHome()));
    afterEach(() => home?.cleanup());

    function ecosystem(apps: Array<Record<string, unknown>>): string {
      const file = path.join(home.home, 'ecosystem.json');
      const env = { DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' };
      fs.writeFileSync(file, JSON.stringify({ apps: apps.map((app) => ({ interpreter, env, ...app })) }));
      return file;
    }

    const read = (file: string): string => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '');
    const only = async (name: string): Promise<ProcessInfo> => (await home.jlist()).find((process) => process.name === name) as ProcessInfo;

    for (const entry of ['runtime-app.mjs', 'runtime-app.ts']) {
      it(`runs a ${path.extname(entry)} entry: logs, stop (SIGINT reaches it), restart`, async function () {
        this.timeout(60_000);
        await home.ok(['start', ecosystem([{ name: 'app', script: fixture(entry), args: ['one', 'two'] }])]);
        const started = await only('app');
        assert.equal(started.status, 'online');
        assert.equal(started.interpreter, interpreter);
        await until(() => read(started.out_log).includes(`hello from ${runtime} pid=${started.pid} args=one,two`), 'the hello line', 20_000);
        await until(() => read(started.err_log).includes(`stderr from ${runtime}`), 'the stderr line', 20_000);
        const logs = await home.ok(['logs', 'app', '--nostream', '--lines', '5']);
        assert.match(logs.stdout, new RegExp(`hello from ${runtime}`));

        await home.ok(['restart', 'app']);
        const restarted = await only('app');
        assert.notEqual(restarted.pid, started.pid);
        assert.equal(restarted.restarts, 1);
        await until(() => read(started.out_log).includes(`hello from ${runtime} pid=${restarted.pid}`), 'hello again', 20_000);
        assert.match(read(started.out_log), new RegExp(`bye from ${runtime}`), 'the restart stopped it with SIGINT');

        await home.ok(['stop', 'app']);
        const stopped = await only('app');
        assert.equal(stopped.status, 'stopped');
        assert.equal(stopped.exit_code, 0, 'it exited on SIGINT by itself (no SIGKILL)');
      });
    }

    it('gets nothing Node-only: no IPC channel, no ELECTRON_RUN_AS_NODE; inspect is refused', async function () {
      this.timeout(30_000);
      const env = { DENO_NO_UPDATE_CHECK: '1', PRINT_VARS: 'NODE_CHANNEL_FD,ELECTRON_RUN_AS_NODE' };
      await home.ok(['start', ecosystem([{ name: 'envy', script: fixture('print-env.js'), env }])]);
      const process = await only('envy');
      const text = await until(() => read(process.out_log).trim() || false, 'the env', 20_000);
      assert.deepEqual(JSON.parse(text), { NODE_CHANNEL_FD: null, ELECTRON_RUN_AS_NODE: null });
      const client = await home.connect();
      await assert.rejects(client.call('inspect', { id: process.id }), /not a Node\.js process/);
    });

    it('watch restarts it when a file of its folder changes', async function () {
      this.timeout(30_000);
      const folder = fs.mkdtempSync(path.join(home.home, 'watched-'));
      const script = path.join(folder, 'app.mjs');
      fs.copyFileSync(fixture('runtime-app.mjs'), script);
      const events = await home.events();
      await home.ok(['start', ecosystem([{ name: 'watched', script, cwd: folder, watch: true }])]);
      const restarted = events.next((event) => event.name === 'watched' && event.status === 'online' && event.reason === 'watch', 'a watch restart', 20_000);
      fs.writeFileSync(path.join(folder, 'data.txt'), 'changed');
      await restarted;
    });

    it('cluster mode is a validation error naming the field; nothing starts', async function () {
      this.timeout(20_000);
      const result = await home.cli(['start', ecosystem([{ name: 'clustered', script: fixture('runtime-app.mjs'), exec_mode: 'cluster', instances: 2 }])]);
      assert.equal(result.code, 1);
      assert.match(result.stderr, new RegExp(`apps\\[0\\]\\.exec_mode: "cluster" runs on Node's node:cluster only, not ${runtime}`));
      assert.deepEqual(await home.jlist(), []);
    });

    if (runtime === 'bun') {
      it('max_memory_restart restarts a growing bun app, reason memory', async function () {
        this.timeout(40_000);
        const events = await home.events();
        const restarted = events.next((event) => event.name === 'grower' && event.reason === 'memory', 'a memory restart', 30_000);
        await home.ok(['start', ecosystem([{ name: 'grower', script: fixture('memory-grower.js'), max_memory_restart: '80M' }])]);
        const event = await restarted;
        assert.ok(Number(/\((\d+) bytes\)/.exec(event.detail)?.[1]) > 80 * 1024 * 1024, event.detail);
        await events.some((e) => e.name === 'grower' && e.status === 'online' && e.reason === 'memory', 'online again', 20_000);
      });
    }
  });
}
