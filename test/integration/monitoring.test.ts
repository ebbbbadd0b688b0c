import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fixture, TestHome, until, workersListening } from '../support/harness';
import { freePort, Load } from '../support/load';
import { cpuSeconds, rss } from '../support/proc';

describe('monitoring and automatic restarts', () => {
  let home: TestHome;
  let load: Load | undefined;
  beforeEach(() => (home = new TestHome()));
  afterEach(async () => {
    await load?.stop();
    load = undefined;
    await home.cleanup();
  });

  it('max_memory_restart: a growing app is restarted with reason memory before it passes ~120 MB', async function () {
    this.timeout(30_000);
    const events = await home.events();
    const restarted = events.next((e) => e.name === 'grower' && e.reason === 'memory', 'a memory restart', 20_000);
    await home.ok(['start', fixture('memory-grower.js'), '--name', 'grower', '--max-memory-restart', '80M']);
    const event = await restarted;
    const measured = Number(/\((\d+) bytes\)/.exec(event.detail)?.[1]);
    assert.ok(measured > 80 * 1024 * 1024, `measured ${measured}`);
    assert.ok(measured < 120 * 1024 * 1024, `restarted at ${Math.round(measured / 1048576)} MB`);
    await events.some((e) => e.name === 'grower' && e.status === 'online' && e.reason === 'memory', 'online again');
    const describe = await home.ok(['describe', 'grower']);
    assert.match(describe.stdout, /memory: memory [\d.]+ MB \(\d+ bytes\) over max_memory_restart 80\.0 MB/);
  });

  it('jlist shows memory within 20 % of VmRSS and the CPU share the kernel counted for a busy loop', async function () {
    this.timeout(30_000);
    const client = await home.connect();
    const subscription = await client.subscribe();
    await home.ok(['start', fixture('busy.js'), '--name', 'busy']);
    const [{ id, pid }] = await home.jlist();
    // CPU is measured between consecutive samples: compare the figure of one tick with what the kernel
    // counted for the process since the tick before (on a loaded machine a busy loop gets less than 100 %).
    const marks: Array<{ at: number; seconds: number; cpu: number }> = [];
    await new Promise<void>((resolve) =>
      subscription.on('metrics', (event) => {
        const sample = event.processes.find((p) => p.id === id);
        if (!sample || marks.length >= 3) return;
        marks.push({ at: Date.now(), seconds: cpuSeconds(pid as number), cpu: sample.cpu });
        if (marks.length === 3) resolve();
      }),
    );
    const [, first, second] = marks;
    const counted = ((second.seconds - first.seconds) / ((second.at - first.at) / 1000)) * 100;
    assert.ok(counted > 20, `the busy loop ran (${counted.toFixed(0)} %)`);
    assert.ok(Math.abs(second.cpu - counted) < 25, `cpu ${second.cpu} vs ${counted.toFixed(0)} % counted by the kernel`);
    const [busy] = await home.jlist();
    const resident = rss(busy.pid as number);
    assert.ok(Math.abs(busy.memory - resident) / resident < 0.2, `jlist ${busy.memory} vs VmRSS ${resident}`);
    const [description] = JSON.parse((await home.ok(['describe', 'busy', '--json'])).stdout);
    assert.ok(description.samples.length >= 2, 'describe keeps the sample history');
  });

  it('cron_restart every 2 s restarts the app at least twice in 5 s', async function () {
    this.timeout(20_000);
    const events = await home.events();
    const started = Date.now();
    const cronRestarts: number[] = [];
    const twice = new Promise<void>((resolve) => {
      void (async () => {
        for (;;) {
          const event = await events.next((e) => e.name === 'ticker' && e.status === 'online' && e.reason === 'cron', 'a cron restart', 6000);
          cronRestarts.push(event.at);
          if (cronRestarts.length === 2) return resolve();
        }
      })();
    });
    await home.ok(['start', fixture('idle.js'), '--name', 'ticker', '--cron-restart', '*/2 * * * * *']);
    await twice;
    assert.ok(cronRestarts[1] - started <= 5500, `second cron restart after ${cronRestarts[1] - started} ms`);
    const [ticker] = await home.jlist();
    assert.ok(ticker.restarts >= 2);
  });

  describe('watch', () => {
    function project(): string {
      const dir = path.join(home.home, 'project');
      fs.mkdirSync(path.join(dir, 'node_modules', 'dep'), { recursive: true });
      fs.mkdirSync(path.join(dir, 'src'));
      fs.mkdirSync(path.join(dir, 'tmp'));
      fs.copyFileSync(fixture('idle.js'), path.join(dir, 'server.js'));
      fs.writeFileSync(path.join(dir, 'src', 'a.js'), '1');
      fs.writeFileSync(path.join(dir, 'node_modules', 'dep', 'index.js'), '1');
      fs.writeFileSync(path.join(dir, 'tmp', 'scratch.txt'), '1');
      return dir;
    }

    it('one edit: exactly one restart, naming the file; ignored paths do not restart', async function () {
      this.timeout(20_000);
      const dir = project();
      const events = await home.events();
      await home.ok(['start', path.join(dir, 'server.js'), '--name', 'dev', '--watch', '--ignore-watch', 'tmp'], { cwd: dir });
      const [before] = await home.jlist();
      // Ignored: node_modules (default), tmp (--ignore-watch), dotfiles. Then one real edit.
      fs.writeFileSync(path.join(dir, 'node_modules', 'dep', 'index.js'), '2');
      fs.writeFileSync(path.join(dir, 'tmp', 'scratch.txt'), '2');
      fs.writeFileSync(path.join(dir, '.env.local'), 'X=1');
      const edited = Date.now();
      const restart = events.next((e) => e.name === 'dev' && e.reason === 'watch' && e.status === 'online', 'a watch restart', 5000);
      fs.writeFileSync(path.join(dir, 'src', 'a.js'), '2');
      const event = await restart;
      assert.ok(event.at - edited < 1000, `restarted ${event.at - edited} ms after the edit`);
      assert.deepEqual(event.files, [path.join(dir, 'src', 'a.js')]);
      assert.match(event.detail, /changed src\/a\.js/);
      // One more edit proves the count: it must be the second watch restart, not the third.
      const second = events.next((e) => e.name === 'dev' && e.reason === 'watch' && e.status === 'online', 'a second watch restart', 5000);
      fs.writeFileSync(path.join(dir, 'server.js'), fs.readFileSync(fixture('idle.js')));
      await second;
      const [after] = await home.jlist();
      assert.equal(after.restarts, before.restarts + 2);
      const describe = await home.ok(['describe', 'dev']);
      assert.match(describe.stdout, /last reason\s+│ watch: changed server\.js/);
    });

    it('20 writes in 200 ms give one restart', async function () {
      this.timeout(20_000);
      const dir = project();
      const events = await home.events();
      await home.ok(['start', path.join(dir, 'server.js'), '--name', 'burst', '--watch'], { cwd: dir });
      const first = events.next((e) => e.name === 'burst' && e.reason === 'watch' && e.status === 'online', 'the burst restart');
      for (let i = 0; i < 20; i++) {
        fs.writeFileSync(path.join(dir, 'src', `f${i % 4}.js`), String(i));
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const event = await first;
      assert.ok((event.files ?? []).length >= 1);
      // A marker edit after the burst: its restart must be the very next one.
      const next = events.next((e) => e.name === 'burst' && e.reason === 'watch' && e.status === 'online', 'the marker restart');
      fs.writeFileSync(path.join(dir, 'src', 'marker.js'), 'm');
      const marker = await next;
      assert.deepEqual(marker.files, [path.join(dir, 'src', 'marker.js')], 'no restart left over from the burst');
    });

    it('a save notified by the editor and seen by the watcher gives one restart', async function () {
      this.timeout(20_000);
      const dir = project();
      const events = await home.events();
      const client = await home.connect();
      await home.ok(['start', path.join(dir, 'server.js'), '--name', 'saved', '--watch'], { cwd: dir });
      const restart = events.next((e) => e.name === 'saved' && e.reason === 'watch' && e.status === 'online', 'the save restart');
      const file = path.join(dir, 'src', 'a.js');
      fs.writeFileSync(file, 'saved');
      assert.deepEqual((await client.call('notifyFileSaved', { paths: [file] })).apps, ['saved']);
      await restart;
      const next = events.next((e) => e.name === 'saved' && e.reason === 'watch' && e.status === 'online', 'the marker restart');
      fs.writeFileSync(path.join(dir, 'src', 'marker.js'), 'm');
      assert.deepEqual((await next).files, [path.join(dir, 'src', 'marker.js')], 'the save caused exactly one restart');
      assert.deepEqual((await client.call('notifyFileSaved', { paths: [path.join(dir, 'node_modules', 'dep', 'index.js')] })).apps, []);
      await assert.rejects(client.call('notifyFileSaved', { paths: ['relative.js'] }), /absolute file paths/);
    });

    it('a save reported by the editor after the watcher already restarted the app causes no second restart', async function () {
      this.timeout(20_000);
      const dir = project();
      const events = await home.events();
      const client = await home.connect();
      await home.ok(['start', path.join(dir, 'server.js'), '--name', 'late', '--watch'], { cwd: dir });
      const file = path.join(dir, 'src', 'a.js');
      const first = events.next((e) => e.name === 'late' && e.reason === 'watch' && e.status === 'online', 'the watcher restart');
      fs.writeFileSync(file, 'saved once');
      await first;
      // The editor's report arrives well after the debounce: the same version of the file, no restart.
      await client.call('notifyFileSaved', { paths: [file] });
      const next = events.next((e) => e.name === 'late' && e.reason === 'watch' && e.status === 'online', 'the marker restart');
      fs.writeFileSync(path.join(dir, 'src', 'marker.js'), 'm');
      assert.deepEqual((await next).files, [path.join(dir, 'src', 'marker.js')], 'the late report restarted nothing');
      // A new save of the same file is a new version: it restarts.
      const again = events.next((e) => e.name === 'late' && e.reason === 'watch' && e.status === 'online', 'a restart for the new save');
      fs.writeFileSync(file, 'saved twice');
      await client.call('notifyFileSaved', { paths: [file] });
      assert.deepEqual((await again).files, [file]);
    });

    it('a watched app that crash-looped to errored comes back after the next change', async function () {
      this.timeout(30_000);
      const dir = project();
      fs.writeFileSync(path.join(dir, 'server.js'), 'setTimeout(() => process.exit(1), 20);\n');
      const events = await home.events();
      const errored = events.status('loop', 'errored', 20_000);
      await home.ok(['start', path.join(dir, 'server.js'), '--name', 'loop', '--watch', '--max-restarts', '3'], { cwd: dir });
      await errored;
      const back = events.next((e) => e.name === 'loop' && e.status === 'online' && e.reason === 'watch', 'online after the fix');
      fs.copyFileSync(fixture('idle.js'), path.join(dir, 'server.js'));
      await back;
      const [loop] = await home.jlist();
      assert.equal(loop.status, 'online');
    });

    it('a cluster app with watch reloads with 0 failed requests under load', async function () {
      this.timeout(30_000);
      const dir = project();
      fs.copyFileSync(fixture('cluster-http.js'), path.join(dir, 'server.js'));
      const port = await freePort();
      const events = await home.events();
      await home.ok(['start', path.join(dir, 'server.js'), '--name', 'hot', '-i', '2', '--watch'], { env: { PORT: String(port) }, cwd: dir });
      const workers = await home.jlist();
      await workersListening(workers);
      load = new Load(port, 50);
      await load.flowing();
      const reloaded = events.next((e) => e.id === workers[1].id && e.reason === 'watch' && e.status === 'online', 'the second worker reloaded', 10_000);
      fs.writeFileSync(path.join(dir, 'src', 'a.js'), 'changed');
      await reloaded;
      await load.flowing(200);
      const report = await load.stop();
      load = undefined;
      assert.equal(report.failed, 0, report.errors.slice(0, 5).join('; '));
      const after = await home.jlist();
      assert.ok(after.every((p, i) => p.pid !== workers[i].pid));
    });
  });
});

describe('monit', () => {
  let home: TestHome;
  beforeEach(() => (home = new TestHome()));
  afterEach(() => home.cleanup());

  it('prints a live table with cpu and memory and quits on SIGINT', async function () {
    this.timeout(20_000);
    const { spawn } = await import('node:child_process');
    const { CLI } = await import('../support/harness');
    await home.ok(['start', fixture('idle.js'), '--name', 'watched']);
    const monit = spawn(process.execPath, [CLI, 'monit'], {
      env: { ...process.env, CORRAL_HOME: home.home, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    home.track(monit.pid as number);
    let output = '';
    monit.stdout.on('data', (chunk: Buffer) => (output += chunk));
    // The first screen comes at once; a second one after a metrics tick carries a sparkline.
    await until(() => /│ watched │ online │ [\d.]+% +│ [\d.]+ MB +│ ▁/.test(output), 'a monit row with figures', 10_000);
    const exited = new Promise<number | null>((resolve) => monit.once('exit', (code) => resolve(code)));
    monit.kill('SIGINT');
    assert.equal(await exited, 0);
  });
});
