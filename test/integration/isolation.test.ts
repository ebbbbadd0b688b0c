import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fixture, httpGet, processAlive, TestHome, until, workersListening } from '../support/harness';
import { freePort } from '../support/load';
import { appProcesses, daemonsFor, environ, primaries } from '../support/proc';

/** The pids of the `count`-th line of `file` that starts with `prefix` (1-based), once it is there. */
async function pidsFromLine(file: string, prefix: string, count = 1): Promise<number[]> {
  const line = await until(() => {
    if (!fs.existsSync(file)) return undefined;
    return fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter((candidate) => candidate.startsWith(`${prefix} `))[count - 1];
  }, `line ${count} "${prefix} ..." in ${file}`);
  return line.split(' ').slice(1).map(Number);
}

const allGone = (pids: number[], what: string): Promise<boolean> =>
  until(() => pids.every((pid) => !processAlive(pid)), `${what}: ${pids.filter(processAlive).join(', ')} still running`, 5000);

describe('isolation: cluster apps have a primary of their own', () => {
  let home: TestHome;
  beforeEach(() => (home = new TestHome()));
  afterEach(() => home.cleanup());

  it('`kill 0` in a cluster worker reaches neither the daemon nor another app; the app recovers', async function () {
    this.timeout(30_000);
    const events = await home.events();
    const daemon = home.daemonPid() as number;
    await home.ok(['start', fixture('idle.js'), '--name', 'bystander']);
    await home.ok(['start', fixture('cluster-http.js'), '--name', 'neighbour', '-i', '1'], { env: { PORT: String(await freePort()) } });
    const [bystander, neighbour] = await home.jlist();
    const once = path.join(home.home, 'killed-once');
    const recovered = events.next(
      (event) => event.name === 'group' && event.status === 'online' && event.reason === 'crash',
      'a worker of group to come back after the SIGTERM',
    );
    await home.ok(['start', fixture('kill-group.js'), '--name', 'group', '-i', '2'], { env: { ONCE_FILE: once } });
    await until(() => fs.existsSync(once), 'the worker to run kill 0');
    await recovered;
    const list = await home.jlist();
    assert.ok(processAlive(daemon), 'the daemon lives');
    assert.equal(home.daemonPid(), daemon);
    assert.deepEqual(
      list.filter((p) => p.name !== 'group').map((p) => [p.name, p.pid, p.status]),
      [
        ['bystander', bystander.pid, 'online'],
        ['neighbour', neighbour.pid, 'online'],
      ],
    );
    await until(async () => (await home.jlist()).filter((p) => p.name === 'group' && p.status === 'online').length === 2, 'both group workers online');
  });

  it("a cluster worker's env has nothing of the daemon's env", async function () {
    this.timeout(30_000);
    // The first CLI starts the daemon: its env becomes the daemon's.
    await home.ok(['start', fixture('idle.js'), '--name', 'a'], { env: { API_KEY: 's3cr3t' } });
    assert.ok(environ(home.daemonPid() as number)?.includes('API_KEY=s3cr3t'), 'the daemon carries the variable');
    await home.ok(['start', fixture('print-env.js'), '--name', 'c', '-i', '2'], { env: { PRINT_VARS: 'API_KEY,NODE_APP_INSTANCE' } });
    const workers = (await home.jlist()).filter((p) => p.name === 'c');
    assert.deepEqual(
      workers.map((p) => p.exec_mode),
      ['cluster', 'cluster'],
    );
    for (const worker of workers) {
      const line = await until(() => fs.existsSync(worker.out_log) && fs.readFileSync(worker.out_log, 'utf8').split('\n')[0], `${worker.id} output`);
      assert.deepEqual(JSON.parse(line), { API_KEY: null, NODE_APP_INSTANCE: String(worker.instance) });
      // Exactly the app's env (corral env), its launch marker, and Node's IPC and node:cluster plumbing.
      const expected = (await home.ok(['env', String(worker.id)])).stdout.trim().split('\n');
      const actual = (environ(worker.pid as number) ?? []).filter(Boolean);
      assert.deepEqual(
        actual.filter((entry) => !/^(CORRAL_INSTANCE|NODE_UNIQUE_ID|NODE_CHANNEL_FD|NODE_CHANNEL_SERIALIZATION_MODE)=/.test(entry)).sort(),
        expected.sort(),
      );
      assert.ok(actual.some((entry) => entry.startsWith('CORRAL_INSTANCE=')) && actual.some((entry) => entry.startsWith('NODE_UNIQUE_ID=')));
    }
    const [primary] = primaries(home.home);
    assert.ok(primary, 'the app has a primary');
    assert.ok(!environ(primary)?.some((entry) => entry.startsWith('API_KEY=')), 'nor does its primary');
  });

  it('SIGKILL of the daemon: the primary and its workers end by themselves; the next daemon brings the app back', async function () {
    this.timeout(40_000);
    const port = await freePort();
    await home.ok(['start', fixture('cluster-http.js'), '--name', 'web', '-i', '2'], { env: { PORT: String(port) } });
    const before = await home.jlist();
    await workersListening(before);
    const [primary, ...more] = primaries(home.home);
    assert.ok(primary && more.length === 0, 'one primary for the app');
    home.track(primary);
    process.kill(home.daemonPid() as number, 'SIGKILL');
    await allGone([primary, ...before.map((p) => p.pid as number)], 'the primary and workers of a dead daemon');
    const after = await home.jlist();
    assert.deepEqual(
      after.map((p) => [p.name, p.status]),
      [
        ['web', 'online'],
        ['web', 'online'],
      ],
    );
    await until(
      () =>
        httpGet(port).then(
          (r) => after.some((p) => String(p.pid) === r.body),
          () => false,
        ),
      'the port to answer from a new worker',
    );
    assert.equal(primaries(home.home).length, 1);
  });

  it('the start-up sweep ends a primary and workers a dead daemon left (a frozen primary that could not end them)', async function () {
    this.timeout(40_000);
    await home.ok(['start', fixture('cluster-http.js'), '--name', 'web', '-i', '2'], { env: { PORT: String(await freePort()) } });
    const before = await home.jlist();
    await workersListening(before);
    const [primary] = primaries(home.home);
    home.track(primary);
    process.kill(primary, 'SIGSTOP');
    const daemon = home.daemonPid() as number;
    process.kill(daemon, 'SIGKILL');
    await until(() => !processAlive(daemon), 'the daemon to die');
    assert.ok(processAlive(primary) && before.every((p) => processAlive(p.pid as number)), 'a frozen primary keeps its workers');
    const after = await home.jlist();
    assert.ok(!processAlive(primary), 'the old primary is gone');
    for (const p of before) assert.ok(!processAlive(p.pid as number), `old worker ${p.pid} is gone`);
    assert.deepEqual(
      after.map((p) => p.status),
      ['online', 'online'],
    );
    assert.deepEqual(appProcesses(home.home).get('web')?.sort(), after.map((p) => p.pid).sort());
    assert.deepEqual(daemonsFor(home.home), [home.daemonPid()]);
  });
});

describe('isolation: signals reach only processes that are ours', () => {
  let home: TestHome;
  let stranger: ChildProcess | undefined;
  beforeEach(() => (home = new TestHome()));
  afterEach(async () => {
    stranger?.kill('SIGKILL');
    stranger = undefined;
    await home.cleanup();
  });

  for (const mode of ['fork', 'cluster'] as const) {
    it(`${mode}: children that left the group (setsid, detached, sh -c 'sleep &') end with stop, restart, delete and the app's own exit`, async function () {
      this.timeout(60_000);
      const args = mode === 'cluster' ? ['-i', '1'] : [];
      await home.ok(['start', fixture('escaper.js'), '--name', 'esc', ...args]);
      const [esc] = await home.jlist();
      assert.equal(esc.exec_mode, mode);
      const escaped = async (count: number): Promise<number[]> => {
        const pids = await pidsFromLine(esc.out_log, 'escaped', count);
        for (const pid of pids) home.track(pid);
        assert.ok(pids.every(processAlive), `escaped children ${pids} run`);
        return pids;
      };
      const first = await escaped(1);
      await home.ok(['restart', 'esc']);
      await allGone(first, 'children of the first launch after restart');
      const second = await escaped(2);
      await home.ok(['stop', 'esc']);
      await allGone(second, 'children after stop');
      await home.ok(['start', 'esc']);
      const third = await escaped(3);
      await home.ok(['delete', 'esc']);
      await allGone(third, 'children after delete');

      // The app exits by itself and leaves them behind.
      await home.ok(['start', fixture('escaper.js'), '--name', 'quitter', '--no-autorestart', ...args], { env: { EXIT_AFTER_MS: '300' } });
      const [quitter] = await home.jlist();
      const pids = await pidsFromLine(quitter.out_log, 'escaped');
      for (const pid of pids) home.track(pid);
      await until(async () => (await home.jlist())[0].status === 'stopped', 'the app to exit');
      await allGone(pids, "children after the app's own exit");
    });
  }

  it('a pid a worker once had, now another process of ours without its marker, is not signalled', async function () {
    this.timeout(40_000);
    const lastPid = '/proc/sys/kernel/ns_last_pid';
    try {
      fs.accessSync(lastPid, fs.constants.W_OK);
    } catch {
      this.skip(); // pid reuse can only be staged where ns_last_pid is writable (root in the pid namespace)
    }
    await home.ok(['start', fixture('child-outlives-sigint.js'), '--name', 'holder', '-i', '1', '--kill-timeout', '4000']);
    const [holder] = await home.jlist();
    const [child] = await pidsFromLine(holder.out_log, 'child');
    home.track(child);
    // stop: SIGINT ends the child (the worker ignores it); SIGKILL follows after kill_timeout.
    const stopping = home.ok(['stop', 'holder']);
    await until(() => !fs.existsSync(`/proc/${child}`), 'the worker child to end of SIGINT and be reaped');
    // The kernel hands out the next pid after ns_last_pid: give the child's pid to a stranger.
    for (let attempt = 0; attempt < 50 && stranger?.pid !== child; attempt++) {
      stranger?.kill('SIGKILL');
      if (fs.existsSync(`/proc/${child}`)) break; // someone else took it meanwhile
      fs.writeFileSync(lastPid, String(child - 1));
      stranger = spawn('sleep', ['300'], { stdio: 'ignore' });
    }
    if (stranger?.pid !== child) this.skip(); // another process took the pid first: nothing to stage
    await stopping;
    assert.ok(processAlive(child), 'the stranger with the old pid was not signalled');
    assert.equal((await home.jlist())[0].status, 'stopped');
  });
});
