import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fixture, processAlive, TestHome, until } from '../support/harness';
import { daemonsFor } from '../support/proc';

describe('daemon', () => {
  let home: TestHome;
  beforeEach(() => (home = new TestHome()));
  afterEach(() => home.cleanup());

  it('five concurrent pings with no daemon end with exactly one daemon; home 0700, sockets 0600', async () => {
    const results = await Promise.all(Array.from({ length: 5 }, () => home.ok(['ping'])));
    const pids = new Set(results.map((result) => JSON.parse(result.stdout).pid));
    assert.equal(pids.size, 1, `every ping reached the same daemon: ${[...pids].join(', ')}`);
    const [pid] = pids;
    home.track(pid);
    const alive = await until(
      () => {
        const found = daemonsFor(home.home);
        return found.length === 1 ? found : undefined;
      },
      'the losing daemons to exit',
      5000,
    );
    assert.deepEqual(alive, [pid]);
    assert.equal(fs.statSync(home.home).mode & 0o777, 0o700);
    for (const socket of ['rpc.sock', 'pub.sock']) {
      const stat = fs.statSync(path.join(home.home, socket));
      assert.ok(stat.isSocket());
      assert.equal(stat.mode & 0o777, 0o600, `${socket} is 0600`);
    }
    assert.equal(fs.readFileSync(path.join(home.home, 'daemon.pid'), 'utf8').trim(), String(pid));
  });

  it('replaces a stale socket left by a dead daemon', async () => {
    const first = JSON.parse((await home.ok(['ping'])).stdout).pid as number;
    process.kill(first, 'SIGKILL');
    await until(() => !processAlive(first), 'the daemon to die');
    assert.ok(fs.existsSync(path.join(home.home, 'rpc.sock')), 'the socket file is left behind');
    const second = JSON.parse((await home.ok(['ping'])).stdout).pid as number;
    home.track(second);
    assert.notEqual(second, first);
  });

  it('kill stops every app and the daemon and leaves no process behind', async () => {
    await home.ok(['start', fixture('idle.js'), '--name', 'one']);
    await home.ok(['start', fixture('spawn-child.js'), '--name', 'two']);
    await home.ok(['start', fixture('ignore-sigint.js'), '--name', 'three', '--kill-timeout', '300']);
    const list = await home.jlist();
    const two = list.find((p) => p.name === 'two');
    const grandchild = Number(await until(() => /child (\d+)/.exec(fs.readFileSync(two!.out_log, 'utf8'))?.[1], 'the child pid'));
    home.track(grandchild);
    const daemon = home.daemonPid() as number;
    const result = await home.ok(['kill']);
    assert.match(result.stdout, /stopped 3 processes and the daemon/);
    for (const pid of [daemon, grandchild, ...list.map((p) => p.pid as number)]) assert.ok(!processAlive(pid), `pid ${pid} is gone`);
    assert.deepEqual(daemonsFor(home.home), []);
    assert.ok(!fs.existsSync(path.join(home.home, 'rpc.sock')));
    const again = await home.ok(['kill']);
    assert.match(again.stdout, /No daemon is running/);
  });

  it('SIGTERM to the daemon stops its apps before it exits', async () => {
    await home.ok(['start', fixture('idle.js'), '--name', 'idle']);
    const [idle] = await home.jlist();
    const daemon = home.daemonPid() as number;
    process.kill(daemon, 'SIGTERM');
    await until(() => !processAlive(daemon), 'the daemon to exit');
    assert.ok(!processAlive(idle.pid as number));
  });

  it('reports protocol and daemon facts on ping and logs no env values', async () => {
    const pong = JSON.parse((await home.ok(['ping'])).stdout);
    assert.equal(pong.msg, 'pong');
    assert.equal(pong.home, home.home);
    await home.ok(['start', fixture('idle.js'), '--name', 'secretive'], { env: { DB_PASSWORD: 's3cret-value-42' } });
    await home.ok(['restart', 'secretive']);
    const describe = await home.ok(['describe', 'secretive']);
    const jlist = await home.ok(['jlist']);
    const daemonLog = fs.readFileSync(path.join(home.home, 'daemon.log'), 'utf8');
    for (const text of [describe.stdout, jlist.stdout, daemonLog]) assert.ok(!text.includes('s3cret-value-42'));
  });
});
