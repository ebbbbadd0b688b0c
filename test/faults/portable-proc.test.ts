/**
 * CORRAL_PORTABLE=1 reads nothing in /proc for process management: the daemon runs under
 * `strace -f`, through an orphan sweep, a resurrect, metrics with a memory limit and a process
 * tree, a restart, a stop and a kill; no thread of the daemon process may open /proc itself or
 * /proc/<pid>/... (Node's own start-up reads of /proc/self/* and /proc/meminfo are not process
 * management). The same run without the switch must show /proc/<pid> reads, or the trace proves
 * nothing. Skipped where strace is missing or cannot trace; the unit test
 * test/unit/daemon/platform/ps-table.test.ts proves the same in-process and is never skipped.
 */
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fixture, processAlive, ROOT, TestHome, until } from '../support/harness';

const DAEMON = path.join(ROOT, 'dist', 'daemon.js');

function straceWorks(): string | null {
  const probe = spawnSync('strace', ['-f', '-qq', '-e', 'trace=openat', '-o', '/dev/null', 'true'], { stdio: 'ignore' });
  if (probe.error) return `strace is not installed (${probe.error.message})`;
  return probe.status === 0 ? null : `strace cannot trace here (exit ${probe.status})`;
}

/** The /proc entries opened by the daemon process (its first pid and every thread it cloned; not its children: ps, apps). */
export function procOpens(trace: string): string[] {
  const leader = new Map<number, number>();
  const pendingThread = new Map<number, boolean>();
  let root: number | null = null;
  const opened: string[] = [];
  const leaderOf = (tid: number): number => leader.get(tid) ?? tid;
  for (const line of trace.split('\n')) {
    const head = /^(\d+) +(.*)$/.exec(line); // strace pads the pid column
    if (!head) continue;
    const tid = Number(head[1]);
    const call = head[2];
    root ??= tid;
    const clone = /^(clone3?|vfork|fork)\(/.test(call);
    const resumed = /^<\.\.\. (clone3?|vfork|fork) resumed>/.test(call);
    if (clone || resumed) {
      const thread = clone ? /CLONE_THREAD/.test(call) : (pendingThread.get(tid) ?? false);
      if (call.includes('<unfinished ...>')) pendingThread.set(tid, thread);
      const child = /= (\d+)$/.exec(call);
      if (child) leader.set(Number(child[1]), thread ? leaderOf(tid) : Number(child[1]));
      continue;
    }
    const open = /^openat\([^,]+, "([^"]*)"/.exec(call);
    if (open && /^\/proc(\/\d+(\/|$)|\/?$)/.test(open[1])) if (leaderOf(tid) === root) opened.push(open[1]);
  }
  return opened;
}

describe('faults: CORRAL_PORTABLE=1 reads no /proc for process management (strace)', function () {
  this.timeout(120_000);
  let home: TestHome;
  before(function () {
    const reason = straceWorks();
    if (reason) {
      console.log(`      skipped: ${reason}`);
      this.skip();
    }
  });
  beforeEach(() => (home = new TestHome()));
  afterEach(async () => home.cleanup());

  /** The scenario under strace; resolves with the trace text. */
  async function tracedRun(portable: boolean): Promise<string> {
    const env = { CORRAL_PORTABLE: portable ? '1' : '' };
    await home.ok(['start', fixture('spawn-child.js'), '--name', 'tree', '--max-memory-restart', '500M'], { env });
    await home.ok(['start', fixture('idle.js'), '--name', 'whole', '--monitor-tree'], { env });
    await until(
      () => fs.existsSync(path.join(home.home, 'dump.json')) && fs.readFileSync(path.join(home.home, 'dump.json'), 'utf8').includes('"whole"'),
      'the autosave',
    );
    const first = home.daemonPid() as number;
    process.kill(first, 'SIGKILL'); // the apps stay: orphans for the traced daemon's sweep
    await until(() => !processAlive(first), 'the daemon to die');
    const traceFile = path.join(home.home, 'strace.txt');
    const strace = spawn('strace', ['-f', '-qq', '-e', 'trace=openat,clone,clone3,fork,vfork', '-o', traceFile, process.execPath, DAEMON], {
      env: { ...process.env, ...env, CORRAL_HOME: home.home },
      stdio: 'ignore',
      detached: true,
    });
    const ended = new Promise((resolve) => strace.once('exit', resolve));
    if (strace.pid) home.track(strace.pid);
    await until(() => home.daemonPid() !== first && home.daemonPid() !== null, 'the traced daemon to start', 20_000);
    const list = await until(
      async () => {
        const apps = await home.jlist();
        return apps.length === 2 && apps.every((app) => app.status === 'online' && app.memory > 0) ? apps : undefined;
      },
      'the apps back and sampled',
      30_000,
    );
    assert.equal(list.length, 2);
    await home.ok(['restart', 'tree'], { env });
    await home.ok(['stop', 'all'], { env });
    await home.ok(['kill'], { env });
    await ended;
    return fs.readFileSync(traceFile, 'utf8');
  }

  it('the traced daemon opens no /proc entry with the switch, and does without it', async () => {
    const portable = procOpens(await tracedRun(true));
    assert.deepEqual(portable, [], `/proc read with CORRAL_PORTABLE=1: ${portable.slice(0, 20).join(', ')}`);
    await home.cleanup();
    home = new TestHome();
    const control = procOpens(await tracedRun(false));
    assert.ok(
      control.some((file) => /^\/proc\/\d+\/(stat|environ)$/.test(file)),
      `the trace sees the /proc reader: ${control.slice(0, 5).join(', ')}`,
    );
  });
});
