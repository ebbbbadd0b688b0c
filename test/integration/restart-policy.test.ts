import * as assert from 'node:assert/strict';
import { fixture, processAlive, TestHome, until } from '../support/harness';

describe('restart policy', () => {
  let home: TestHome;
  beforeEach(() => (home = new TestHome()));
  afterEach(() => home.cleanup());

  it('restarts an app that exits 1 after 200 ms', async () => {
    const events = await home.events();
    const crashed = events.next((e) => e.name === 'crasher' && e.status === 'waiting-restart', 'a crash');
    await home.ok(['start', fixture('exit-after.js'), '--name', 'crasher', '--min-uptime', '100'], { env: { DELAY_MS: '200', EXIT_CODE: '1' } });
    const crash = await crashed;
    assert.equal(crash.reason, 'crash');
    assert.equal(crash.exit_code, 1);
    const relaunched = await events.next((e) => e.name === 'crasher' && e.status === 'online', 'online again');
    assert.equal(relaunched.reason, 'crash');
    assert.equal(relaunched.restarts, 1);
  });

  it('an app that dies every 30 ms ends errored after max_restarts, with the reason in describe', async () => {
    const events = await home.events();
    const errored = events.status('flappy', 'errored', 20_000);
    await home.ok(['start', fixture('exit-after.js'), '--name', 'flappy'], { env: { DELAY_MS: '30' } });
    const event = await errored;
    assert.equal(event.reason, 'unstable');
    const [flappy] = await home.jlist();
    assert.equal(flappy.status, 'errored');
    assert.equal(flappy.restarts, 16, 'default max_restarts is 16');
    assert.equal(flappy.pid, null);
    const describe = await home.ok(['describe', 'flappy']);
    assert.match(describe.stdout, /errored/);
    assert.match(describe.stdout, /unstable: .*16 consecutive restarts within min_uptime \(1000 ms\)/);
  });

  it('a crash loop whose runs outlast min_uptime (a slow boot) ends errored by the rate window', async () => {
    const events = await home.events();
    const errored = events.status('slowboot', 'errored', 20_000);
    // Each run lasts 300 ms, three times min_uptime: PM2's rule alone restarts it forever.
    await home.ok(['start', fixture('exit-after.js'), '--name', 'slowboot', '--min-uptime', '100', '--max-restarts', '3', '--max-restarts-window', '60s'], {
      env: { DELAY_MS: '300', EXIT_CODE: '3' },
    });
    const event = await errored;
    assert.equal(event.reason, 'unstable');
    const [slowboot] = await home.jlist();
    assert.equal(slowboot.restarts, 3);
    const describe = await home.ok(['describe', 'slowboot']);
    assert.match(describe.stdout, /4 crashes within max_restarts_window \(60000 ms\), more than max_restarts \(3\): a crash loop/);
    assert.match(describe.stdout, /max restarts window +│ 60000 ms/);
  });

  it('honours --max-restarts', async () => {
    const events = await home.events();
    const errored = events.status('few', 'errored');
    await home.ok(['start', fixture('exit-after.js'), '--name', 'few', '--max-restarts', '2'], { env: { DELAY_MS: '10' } });
    await errored;
    const [few] = await home.jlist();
    assert.equal(few.restarts, 2);
  });

  it('with stop_exit_codes [0] an app exiting 0 stays stopped', async () => {
    const events = await home.events();
    const stopped = events.status('clean', 'stopped');
    await home.ok(['start', fixture('exit-after.js'), '--name', 'clean', '--stop-exit-codes', '0'], { env: { DELAY_MS: '100', EXIT_CODE: '0' } });
    const event = await stopped;
    assert.equal(event.reason, 'exit');
    assert.equal(event.exit_code, 0);
    const [clean] = await home.jlist();
    assert.equal(clean.status, 'stopped');
    assert.equal(clean.restarts, 0);
  });

  it('--no-autorestart leaves a crashed app stopped', async () => {
    const events = await home.events();
    const stopped = events.status('once', 'stopped');
    await home.ok(['start', fixture('exit-after.js'), '--name', 'once', '--no-autorestart'], { env: { DELAY_MS: '50' } });
    assert.equal((await stopped).reason, 'exit');
  });

  it('restart_delay waits before restarting', async () => {
    const events = await home.events();
    const waiting = events.status('slow', 'waiting-restart');
    const relaunch = events.next((e) => e.name === 'slow' && e.status === 'launching' && e.reason === 'crash', 'the relaunch');
    await home.ok(['start', fixture('exit-after.js'), '--name', 'slow', '--restart-delay', '600'], { env: { DELAY_MS: '50' } });
    const [w, l] = await Promise.all([waiting, relaunch]);
    assert.ok(l.at - w.at >= 550, `relaunched ${l.at - w.at} ms after the exit`);
  });

  it('an app that ignores SIGINT is SIGKILLed after kill_timeout', async () => {
    await home.ok(['start', fixture('ignore-sigint.js'), '--name', 'stubborn', '--kill-timeout', '500']);
    const [before] = await home.jlist();
    const started = Date.now();
    await home.ok(['stop', 'stubborn']);
    const took = Date.now() - started;
    const [after] = await home.jlist();
    assert.equal(after.status, 'stopped');
    assert.equal(after.exit_signal, 'SIGKILL');
    assert.ok(took >= 450, `stop took ${took} ms, so SIGINT was ignored until kill_timeout`);
    assert.ok(!processAlive(before.pid as number));
  });

  it('after stop neither an app nor the child it spawned is alive', async () => {
    await home.ok(['start', fixture('spawn-child.js'), '--name', 'parent', '--kill-timeout', '500']);
    const [parent] = await home.jlist();
    const fs = await import('node:fs');
    const childPid = Number(await until(() => /child (\d+)/.exec(fs.readFileSync(parent.out_log, 'utf8'))?.[1], 'the child pid'));
    home.track(childPid);
    assert.ok(processAlive(childPid));
    await home.ok(['stop', 'parent']);
    assert.ok(!processAlive(parent.pid as number), 'parent gone');
    await until(() => !processAlive(childPid), 'the grandchild to end', 3000);
  });

  it('a missing interpreter ends errored with a clear reason and no restarts', async () => {
    const result = await home.cli(['start', fixture('idle.js'), '--name', 'noint', '--interpreter', 'no-such-interpreter-xyz']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /no-such-interpreter-xyz: not found/);
    const [noint] = await home.jlist();
    assert.equal(noint.status, 'errored');
    assert.equal(noint.last_reason, 'launch-failed');
  });
});
