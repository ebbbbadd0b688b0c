import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fixture, httpGet, processAlive, ROOT, TestHome, until, workersListening } from '../support/harness';
import { freePort, Load } from '../support/load';

const CPUS = os.availableParallelism?.() ?? os.cpus().length;

describe('cluster mode', () => {
  let home: TestHome;
  let load: Load | undefined;
  beforeEach(() => (home = new TestHome()));
  afterEach(async () => {
    await load?.stop();
    load = undefined;
    await home.cleanup();
  });

  for (const sync of [false, true])
    it(`three reloads under keep-alive load${sync ? ' (an app that answers synchronously)' : ''}: 0 failed requests, every answer from a live worker, all pids changed`, async function () {
      this.timeout(90_000);
      const port = await freePort();
      await home.ok(['start', fixture('cluster-http.js'), '--name', 'web', '-i', '2'], { env: { PORT: String(port), SYNC: sync ? '1' : '0' } });
      const before = await home.jlist();
      assert.deepEqual(
        before.map((p) => [p.exec_mode, p.status]),
        [
          ['cluster', 'online'],
          ['cluster', 'online'],
        ],
      );
      await workersListening(before);
      const seenPids = new Set(before.map((p) => String(p.pid)));
      load = new Load(port, 50);
      await load.flowing();
      const started = Date.now();
      for (let i = 0; i < 3; i++) {
        await home.ok(['reload', 'web']);
        for (const p of await home.jlist()) seenPids.add(String(p.pid));
        await load.flowing(100);
      }
      while (Date.now() - started < 5000) await load.flowing(100);
      const report = await load.stop();
      load = undefined;
      assert.equal(report.failed, 0, `failures: ${report.errors.slice(0, 5).join('; ')}`);
      assert.ok(report.ok > 1000, `${report.ok} requests`);
      for (const body of report.bodies.keys()) assert.ok(seenPids.has(body), `answer from ${body}, a worker Corral started`);
      const after = await home.jlist();
      for (const p of after) assert.ok(!before.some((b) => b.pid === p.pid), 'every pid changed');
      for (const p of before) assert.ok(!processAlive(p.pid as number), 'old workers are gone');
      assert.deepEqual(
        after.map((p) => p.restarts),
        [3, 3],
      );
    });

  it('wait_ready: 0 failed requests, and no old worker stops before its replacement said ready', async function () {
    this.timeout(60_000);
    const port = await freePort();
    const eventsFile = path.join(home.home, 'events.txt');
    const env = { PORT: String(port), READY_AFTER_MS: '500', EVENTS_FILE: eventsFile };
    await home.ok(['start', fixture('cluster-http.js'), '--name', 'ready', '-i', '2', '--wait-ready', '--listen-timeout', '5000'], { env });
    const before = await home.jlist();
    await workersListening(before);
    load = new Load(port, 50);
    await load.flowing();
    fs.writeFileSync(eventsFile, '');
    await home.ok(['reload', 'ready']);
    await load.flowing(100);
    const report = await load.stop();
    load = undefined;
    assert.equal(report.failed, 0, report.errors.slice(0, 5).join('; '));
    const after = await home.jlist();
    const events = fs
      .readFileSync(eventsFile, 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.split(' '));
    const at = (what: string, pid: number | null): number => Number(events.find(([kind, p]) => kind === what && p === String(pid))?.[2]);
    for (let i = 0; i < 2; i++) {
      const ready = at('ready', after[i].pid);
      const exit = at('exit', before[i].pid);
      assert.ok(ready > 0 && exit > 0, `events: ${JSON.stringify(events)}`);
      assert.ok(exit >= ready, `old worker ${before[i].pid} stopped ${ready - exit} ms before its replacement was ready`);
    }
  });

  it('runs an ESM entry and a CommonJS entry with 4 instances each, answering on one port', async function () {
    this.timeout(60_000);
    for (const [file, name] of [
      ['cluster-http.mjs', 'esm'],
      ['cluster-http.js', 'cjs'],
    ]) {
      const port = await freePort();
      await home.ok(['start', fixture(file), '--name', name, '-i', '4'], { env: { PORT: String(port) } });
      const list = (await home.jlist()).filter((p) => p.name === name);
      assert.equal(list.length, 4);
      await until(
        () =>
          httpGet(port).then(
            () => true,
            () => false,
          ),
        `${name} to listen`,
      );
      assert.ok(list.every((p) => p.status === 'online' && p.exec_mode === 'cluster'));
      assert.deepEqual(
        list.map((p) => p.instance),
        [0, 1, 2, 3],
      );
      const answers = new Set<string>();
      await until(async () => {
        answers.add((await httpGet(port)).body.replace('esm ', ''));
        return answers.size === 4;
      }, `four ${name} workers to answer`);
      assert.deepEqual([...answers].sort(), list.map((p) => String(p.pid)).sort(), 'every worker answers on the shared port');
    }
  });

  it('a replacement that crashes on start: the old worker keeps serving and reload exits 1 with the reason', async function () {
    this.timeout(30_000);
    const port = await freePort();
    const marker = path.join(home.home, 'crash-now');
    await home.ok(['start', fixture('cluster-http.js'), '--name', 'fragile', '-i', '2'], { env: { PORT: String(port), CRASH_IF_EXISTS: marker } });
    const before = await home.jlist();
    await workersListening(before);
    fs.writeFileSync(marker, '');
    const result = await home.cli(['reload', 'fragile']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /reload failed, the new worker exited with code 1 before it was ready; the old worker keeps serving/);
    const after = await home.jlist();
    assert.deepEqual(
      after.map((p) => p.pid),
      before.map((p) => p.pid),
      fs.readFileSync(path.join(home.home, 'daemon.log'), 'utf8'),
    );
    assert.ok(after.every((p) => p.status === 'online'));
    const body = (await httpGet(port)).body;
    assert.ok(before.some((p) => String(p.pid) === body));
  });

  it('scale up and down under load: 0 failed requests', async function () {
    this.timeout(60_000);
    const port = await freePort();
    await home.ok(['start', fixture('cluster-http.js'), '--name', 'web', '-i', '2'], { env: { PORT: String(port) } });
    await workersListening(await home.jlist());
    load = new Load(port, 50);
    await load.flowing();
    await home.ok(['scale', 'web', '4']);
    assert.equal((await home.jlist()).filter((p) => p.status === 'online').length, 4);
    await load.flowing(200);
    await home.ok(['scale', 'web', '1']);
    await load.flowing(200);
    await home.ok(['scale', 'web', '+1']);
    await load.flowing(200);
    const report = await load.stop();
    load = undefined;
    assert.equal(report.failed, 0, report.errors.slice(0, 5).join('; '));
    const list = await home.jlist();
    assert.equal(list.length, 2);
    const bad = await home.cli(['scale', 'web', 'lots']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /scale: expected a number of instances/);
    const none = await home.cli(['scale', 'web', '-5']);
    assert.match(none.stderr, /keep between 1 and 1024/);
  });

  it('-i max starts one worker per CPU; instances -1 one fewer (at least 1)', async function () {
    this.timeout(30_000);
    const port = await freePort();
    await home.ok(['start', fixture('cluster-http.js'), '--name', 'max', '-i', 'max'], { env: { PORT: String(port) } });
    assert.equal((await home.jlist()).length, CPUS);
    await home.ok(['delete', 'all']);
    await home.ok(['start', fixture('cluster-http.js'), '--name', 'fewer', '-i', '-1'], { env: { PORT: String(port) } });
    assert.equal((await home.jlist()).length, Math.max(1, CPUS - 1));
  });

  it('restart and crash recovery work per worker; node_args apply per app', async function () {
    this.timeout(30_000);
    const port = await freePort();
    const preload = path.join(home.home, 'preload.js');
    fs.writeFileSync(preload, "console.log('preloaded for ' + process.env.name);\n");
    const events = await home.events();
    await home.ok(['start', fixture('cluster-http.js'), '--name', 'a', '-i', '2', `--node-args=--require ${preload}`], { env: { PORT: String(port) } });
    await home.ok(['start', fixture('cluster-http.mjs'), '--name', 'b', '-i', '1'], { env: { PORT: String(await freePort()) } });
    const list = await home.jlist();
    const [a0, , b0] = list;
    await until(() => fs.readFileSync(a0.out_log, 'utf8').includes('preloaded for a'), 'the preload in app a');
    assert.ok(!fs.existsSync(b0.out_log) || !fs.readFileSync(b0.out_log, 'utf8').includes('preloaded'), 'app b does not get app a node_args');
    const back = events.next((e) => e.id === a0.id && e.status === 'online' && e.reason === 'crash', 'worker restarted after a crash');
    process.kill(a0.pid as number, 'SIGKILL');
    await back;
    await home.ok(['restart', 'a']);
    const after = await home.jlist();
    assert.ok(after.filter((p) => p.name === 'a').every((p) => p.status === 'online' && p.restarts >= 1));
  });

  it('reload of a fork-mode app is a restart; increment_var gives each instance its own value', async function () {
    this.timeout(30_000);
    await home.ok(['start', fixture('idle.js'), '--name', 'forked']);
    const [before] = await home.jlist();
    await home.ok(['reload', 'forked']);
    const [after] = await home.jlist();
    assert.notEqual(after.pid, before.pid);
    assert.equal(after.restarts, 1);
    assert.equal(after.status, 'online');

    const dir = home.home;
    fs.writeFileSync(
      path.join(dir, 'eco.config.js'),
      `module.exports = { apps: [{ name: 'inc', script: ${JSON.stringify(fixture('print-env.js'))}, exec_mode: 'cluster', instances: 3, increment_var: 'PORT', env: { PORT: 4000, PRINT_VARS: 'PORT,NODE_APP_INSTANCE' } }] };`,
    );
    await home.ok(['start', path.join(dir, 'eco.config.js')]);
    const inc = (await home.jlist()).filter((p) => p.name === 'inc');
    const seen = await Promise.all(
      inc.map((p) => until(() => fs.existsSync(p.out_log) && fs.readFileSync(p.out_log, 'utf8').split('\n')[0], `${p.id} output`)),
    );
    assert.deepEqual(
      seen.map((line) => JSON.parse(line)),
      [0, 1, 2].map((i) => ({ PORT: String(4000 + i), NODE_APP_INSTANCE: String(i) })),
    );
  });
});

describe('cluster worker drain handshake', () => {
  // node:cluster's primary may hand a worker a connection just before it learns the worker closed its
  // server; killing the worker before it has read that hand-off strands the connection in the primary
  // (the client waits forever: CI once saw one such timeout while scaling down). The worker must not
  // report itself drained before the daemon's flush, which is queued behind every such hand-off.
  let child: import('node:child_process').ChildProcess | undefined;
  afterEach(() => {
    child?.kill('SIGKILL');
    child = undefined;
  });

  it('reports closed, and drained only after the flush that follows every pending hand-off', async function () {
    this.timeout(20_000);
    const { fork } = await import('node:child_process');
    const port = await freePort();
    const worker = fork(path.join(ROOT, 'dist', 'container.js'), [fixture('cluster-http.js')], { env: { ...process.env, PORT: String(port) }, silent: true });
    child = worker;
    const seen: string[] = [];
    const next = (type: string): Promise<void> =>
      new Promise((resolve, reject) => {
        const onMessage = (message: { type?: string }): void => {
          seen.push(String(message?.type));
          if (message?.type === type) {
            worker.off('message', onMessage);
            resolve();
          }
        };
        worker.on('message', onMessage);
        worker.once('exit', () => reject(new Error(`the worker exited before ${type}; saw ${seen.join(', ')}`)));
        setTimeout(() => reject(new Error(`no ${type} within 5 s; saw ${seen.join(', ') || 'nothing'}`)), 5000).unref();
      });
    await new Promise<void>((resolve) => worker.stdout?.on('data', (chunk: Buffer) => chunk.toString().includes('listening') && resolve()));
    assert.equal((await httpGet(port)).status, 200);
    const closed = next('corral:closed');
    worker.send({ type: 'corral:drain' });
    await closed;
    assert.deepEqual(seen, ['corral:closed'], 'nothing but closed before the flush');
    const drained = next('corral:drained');
    worker.send({ type: 'corral:flush' });
    await drained;
    assert.deepEqual(seen, ['corral:closed', 'corral:drained']);
  });
});
