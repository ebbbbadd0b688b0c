import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ProcessDescription, ProcessInfo } from '../../src/shared/protocol';
import { fixture, TestHome, until, workersListening } from '../support/harness';
import { freePort, Load } from '../support/load';

describe('health probes (readiness_probe, liveness_probe)', () => {
  let home: TestHome;
  let load: Load | undefined;
  beforeEach(() => (home = new TestHome()));
  afterEach(async () => {
    await load?.stop();
    load = undefined;
    await home.cleanup();
  });

  /** An ecosystem file in the test's home with these apps. */
  function ecosystem(apps: Array<Record<string, unknown>>): string {
    const file = path.join(home.home, 'ecosystem.json');
    fs.writeFileSync(file, JSON.stringify({ apps }));
    return file;
  }

  const byName = async (name: string): Promise<ProcessInfo[]> => (await home.jlist()).filter((process) => process.name === name);

  it('an app whose readiness endpoint passes after 1.5 s stays launching (not ready) until then, then goes online', async function () {
    this.timeout(30_000);
    const port = await freePort();
    const events = await home.events();
    const file = ecosystem([
      {
        name: 'slow',
        script: fixture('probed-http.js'),
        env: { PORT: port, READY_AFTER_MS: 1500 },
        listen_timeout: 15_000,
        readiness_probe: { http_get: { port: 'PORT', path: '/ready' }, period_ms: 100 },
      },
    ]);
    const starting = home.ok(['start', file]);
    const launching = await events.status('slow', 'launching');
    const [during] = await byName('slow');
    assert.equal(during.status, 'launching');
    assert.equal(during.health, 'not-ready');
    await starting; // `start` answers once the app is ready
    const online = await events.some((event) => event.name === 'slow' && event.status === 'online', 'slow online');
    assert.ok(online.at - launching.at >= 1400, `online ${online.at - launching.at} ms after launching`);
    const [after] = await byName('slow');
    assert.equal(after.status, 'online');
    assert.equal(after.health, 'healthy');
    assert.equal(after.last_probe?.probe, 'readiness');
    assert.equal(after.last_probe?.ok, true);
    assert.equal(after.last_probe?.detail, 'HTTP 200');
    const jlist = JSON.parse((await home.ok(['jlist'])).stdout) as Array<{ pm2_env: Record<string, unknown> }>;
    assert.equal(jlist[0].pm2_env.health, 'healthy');
    const described = (await home.ok(['describe', 'slow'])).stdout;
    assert.match(described, /health\s+│?\s*healthy/);
    assert.match(described, /readiness probe .*http_get http:\/\/127\.0\.0\.1:PORT\/ready every 100 ms/);
  });

  it('one that never becomes ready is "not ready" after listen_timeout: restarted as after a crash, errored without autorestart', async function () {
    this.timeout(30_000);
    const events = await home.events();
    const probe = { http_get: { port: 'PORT', path: '/ready' }, period_ms: 100 };
    const file = ecosystem([
      {
        name: 'never',
        script: fixture('probed-http.js'),
        env: { PORT: await freePort(), READY_AFTER_MS: 'never' },
        listen_timeout: 1000,
        readiness_probe: probe,
      },
      {
        name: 'never-once',
        script: fixture('probed-http.js'),
        env: { PORT: await freePort(), READY_AFTER_MS: 'never' },
        listen_timeout: 1000,
        autorestart: false,
        readiness_probe: probe,
      },
    ]);
    // `start` says which app did not start, and exits 1.
    const started = await home.cli(['start', file]);
    assert.equal(started.code, 1, started.stdout);
    assert.match(
      started.stderr,
      /^corral: never-once \(id 1\) failed to start: not ready within listen_timeout \(1000 ms\): .*HTTP 503; .*autorestart is off$/m,
    );
    const restarting = await events.some((event) => event.name === 'never' && event.status === 'waiting-restart', 'never to restart');
    assert.equal(restarting.reason, 'not-ready');
    assert.match(restarting.detail, /^not ready within listen_timeout \(1000 ms\): http_get http:\/\/127\.0\.0\.1:PORT\/ready: HTTP 503; /);
    await events.some((event) => event.name === 'never' && event.status === 'launching' && event.reason === 'not-ready', 'never to launch again');
    const errored = await events.some((event) => event.name === 'never-once' && event.status === 'errored', 'never-once errored');
    assert.equal(errored.reason, 'not-ready');
    const [once] = await byName('never-once');
    assert.equal(once.status, 'errored');
    assert.equal(once.last_reason, 'not-ready');
    assert.match(once.last_reason_detail ?? '', /not ready within listen_timeout \(1000 ms\).*HTTP 503.*autorestart is off/);
    assert.equal(once.last_probe?.ok, false);
  });

  it('liveness restarts an app whose health endpoint starts failing, with the reason in jlist and describe', async function () {
    this.timeout(30_000);
    const events = await home.events();
    const failing = path.join(home.home, 'fail-health');
    const file = ecosystem([
      {
        name: 'live',
        script: fixture('probed-http.js'),
        env: { PORT: await freePort(), FAIL_IF_EXISTS: failing },
        // The delay: liveness starts once the process is online, which (without a readiness probe) is before it listens.
        liveness_probe: { http_get: { port: 'PORT', path: '/health' }, initial_delay_ms: 1000, period_ms: 100, failure_threshold: 2 },
      },
    ]);
    await home.ok(['start', file]);
    const [before] = await byName('live');
    assert.equal(before.health, 'healthy');
    fs.writeFileSync(failing, '');
    const restarting = await events.next((event) => event.name === 'live' && event.status === 'waiting-restart', 'live to restart');
    fs.rmSync(failing);
    assert.equal(restarting.reason, 'liveness');
    assert.match(restarting.detail, /^http_get http:\/\/127\.0\.0\.1:PORT\/health: HTTP 500 \(2 failures in a row\); /);
    await events.next((event) => event.name === 'live' && event.status === 'online', 'live online again');
    const [after] = await byName('live');
    assert.equal(after.restarts, 1);
    assert.notEqual(after.pid, before.pid);
    assert.equal(after.last_reason, 'liveness');
    assert.match(after.last_reason_detail ?? '', /HTTP 500 \(2 failures in a row\)/);
    const [described] = JSON.parse((await home.ok(['describe', 'live', '--json'])).stdout) as ProcessDescription[];
    assert.ok(
      described.history.some((entry) => entry.reason === 'liveness' && /waiting-restart: .*HTTP 500/.test(entry.detail)),
      JSON.stringify(described.history),
    );
    assert.equal(described.config.liveness_probe?.failure_threshold, 2);
  });

  it('fork mode: restart answers only once the new process is ready, and exits 1 when it does not get ready', async function () {
    this.timeout(30_000);
    const events = await home.events();
    const file = ecosystem([
      {
        name: 'again',
        script: fixture('probed-http.js'),
        env: { PORT: await freePort() },
        listen_timeout: 3000,
        readiness_probe: { http_get: { port: 'PORT', path: '/ready' }, period_ms: 50 },
      },
    ]);
    // READY_AFTER_MS comes from the caller's environment (the app's `env` would win over --update-env).
    await home.ok(['start', file], { env: { READY_AFTER_MS: '800' } });
    const launched = events.next((event) => event.name === 'again' && event.status === 'launching', 'the restart to launch');
    let online: number | null = null;
    void events.next((event) => event.name === 'again' && event.status === 'online', 'online again', 20_000).then((event) => (online = event.at));
    await home.ok(['restart', 'again'], { env: { READY_AFTER_MS: '800' } });
    const answered = Date.now();
    assert.ok(online !== null && online <= answered, 'online was announced before restart answered');
    assert.ok(online - (await launched).at >= 700, `online ${online - (await launched).at} ms after the relaunch`);
    // A new process that never gets ready: restart says so and exits 1.
    const failed = await home.cli(['restart', 'again', '--update-env'], { env: { READY_AFTER_MS: 'never' } });
    assert.equal(failed.code, 1, failed.stdout);
    assert.match(failed.stderr, /^corral: again\[0\]: restarted but not ready within listen_timeout \(3000 ms\): http_get .*HTTP 503/m);
  });

  it('cluster reload with a readiness probe: 0 failed requests, every worker replaced; scale waits for readiness', async function () {
    this.timeout(60_000);
    const port = await freePort();
    const file = ecosystem([
      {
        name: 'web',
        script: fixture('probed-http.js'),
        instances: 2,
        env: { PORT: port, READY_AFTER_MS: 300 },
        listen_timeout: 10_000,
        readiness_probe: { http_get: { port: 'PORT', path: '/ready' }, period_ms: 100 },
      },
    ]);
    await home.ok(['start', file]);
    const before = await byName('web');
    assert.deepEqual(
      before.map((process) => [process.exec_mode, process.status, process.health]),
      [
        ['cluster', 'online', 'healthy'],
        ['cluster', 'online', 'healthy'],
      ],
    );
    await workersListening(before);
    load = new Load(port, 20);
    await load.flowing();
    for (let i = 0; i < 2; i++) {
      await home.ok(['reload', 'web']);
      await load.flowing(100);
    }
    const report = await load.stop();
    load = undefined;
    assert.equal(report.failed, 0, report.errors.slice(0, 5).join('; '));
    const after = await byName('web');
    assert.ok(after.every((process) => process.status === 'online' && process.restarts === 2));
    for (const process of after) assert.ok(!before.some((old) => old.pid === process.pid), 'every pid changed');
    // Scale up answers once the new worker passed its readiness probe.
    await home.ok(['scale', 'web', '3']);
    const scaled = await byName('web');
    assert.deepEqual(
      scaled.map((process) => [process.status, process.health]),
      [
        ['online', 'healthy'],
        ['online', 'healthy'],
        ['online', 'healthy'],
      ],
    );
    assert.equal(scaled[2].last_probe?.probe, 'readiness');
  });

  it('an exec probe runs its argv without a shell', async function () {
    this.timeout(30_000);
    const events = await home.events();
    const marker = path.join(home.home, 'ready-now');
    const file = ecosystem([
      {
        name: 'exec',
        script: fixture('idle.js'),
        listen_timeout: 20_000,
        readiness_probe: { exec: { command: [process.execPath, fixture('probe-check.js'), marker, '$HOME and spaces'] }, period_ms: 100 },
      },
    ]);
    const starting = home.ok(['start', file]);
    await events.status('exec', 'launching');
    const [waiting] = await until(async () => {
      const list = await byName('exec');
      return list[0]?.last_probe ? list : undefined;
    }, 'a first exec check');
    assert.equal(waiting.status, 'launching');
    assert.equal(waiting.last_probe?.ok, false);
    assert.match(waiting.last_probe?.detail ?? '', /^exit code 1: not yet: /, 'the arguments arrived literally (exit code 2 otherwise)');
    fs.writeFileSync(marker, '');
    await starting;
    const [ready] = await byName('exec');
    assert.equal(ready.status, 'online');
    assert.deepEqual([ready.last_probe?.ok, ready.last_probe?.detail], [true, 'exit code 0']);
  });

  it("a port given as an env var name is each instance's own (increment_var)", async function () {
    this.timeout(30_000);
    const events = await home.events();
    const base = await freePort();
    const file = ecosystem([
      {
        name: 'pair',
        script: fixture('probed-http.js'),
        instances: 2,
        exec_mode: 'fork',
        increment_var: 'PORT',
        env: { PORT: base, NEVER_READY_INSTANCE: 1 },
        listen_timeout: 1500,
        autorestart: false,
        readiness_probe: { tcp_socket: { port: 'PORT' }, period_ms: 100, success_threshold: 1 },
        liveness_probe: { http_get: { port: 'PORT', path: '/ready' }, period_ms: 100 },
      },
    ]);
    await home.ok(['start', file]);
    // Instance 1 listens (the TCP readiness probe passes on its own port) but its /ready never does: liveness ends it.
    const ended = await events.some((event) => event.name === 'pair' && event.status === 'errored', 'instance 1 to fail its liveness probe');
    assert.equal(ended.reason, 'liveness');
    const list = await byName('pair');
    assert.deepEqual(
      list.map((process) => [process.instance, process.status]),
      [
        [0, 'online'],
        [1, 'errored'],
      ],
    );
    assert.equal(list[0].health, 'healthy');
    assert.equal(list[0].last_probe?.detail, 'HTTP 200');
  });

  describe('bad input: one line naming the field, exit 1, nothing started', () => {
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      [
        'an unknown probe kind',
        { readiness_probe: { grpc: { port: 1 } } },
        /apps\[0\]\.readiness_probe\.grpc: unknown probe kind or field \(kinds: http_get, tcp_socket, exec;/,
      ],
      [
        'two kinds in one probe',
        { liveness_probe: { http_get: { port: 1 }, tcp_socket: { port: 1 } } },
        /apps\[0\]\.liveness_probe: exactly one of .*got http_get and tcp_socket$/,
      ],
      [
        'a negative period',
        { readiness_probe: { tcp_socket: { port: 1 }, period_ms: -1 } },
        /apps\[0\]\.readiness_probe\.period_ms: must be a positive integer, got -1$/,
      ],
      [
        'a port neither a number nor an env name',
        { readiness_probe: { tcp_socket: { port: '12ab' } } },
        /apps\[0\]\.readiness_probe\.tcp_socket\.port: expected a port number .*got "12ab"$/,
      ],
      [
        'a threshold below 1',
        { liveness_probe: { exec: { command: ['true'] }, failure_threshold: 0 } },
        /apps\[0\]\.liveness_probe\.failure_threshold: must be a positive integer, got 0$/,
      ],
    ];
    for (const [what, probe, expected] of cases) {
      it(what, async () => {
        const result = await home.cli(['start', ecosystem([{ name: 'bad', script: fixture('idle.js'), ...probe }])]);
        assert.equal(result.code, 1, result.stdout);
        const lines = result.stderr.trim().split('\n');
        assert.equal(lines.length, 1, result.stderr);
        assert.match(lines[0], /^corral: /);
        assert.match(lines[0], expected);
        assert.deepEqual(await home.jlist(), []);
      });
    }
  });
});
