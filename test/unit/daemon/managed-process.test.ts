import * as assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { LogFiles } from '../../../src/daemon/log-files';
import { ManagedProcess, type ProcessContext } from '../../../src/daemon/managed-process';
import { ProbeSlots } from '../../../src/daemon/probes';
import { revalidateApp } from '../../../src/shared/config';
import { homePaths } from '../../../src/shared/paths';
import type { ProcessEvent, ProcessStatus, StateReason } from '../../../src/shared/protocol';
import { FakeLauncher } from '../../support/fake-child';

const LONG = 60_000; // a timer this long must be cleared, or the run would hang on it

interface Harness {
  process: ManagedProcess;
  launcher: FakeLauncher;
  events: ProcessEvent[];
  logs: string[];
  /** The (status reason) of every event so far. */
  story(): string[];
  /** Resolves at the `nth` event with this status (and reason), published already or still to come. */
  until(status: ProcessStatus, reason?: StateReason, nth?: number): Promise<ProcessEvent>;
}

const homes: string[] = [];
after(() => {
  for (const home of homes) rmSync(home, { recursive: true, force: true });
});

function harness(options: Record<string, unknown> = {}): Harness {
  const home = mkdtempSync(path.join(os.tmpdir(), 'corral-mp-'));
  homes.push(home);
  const events: ProcessEvent[] = [];
  const logs: string[] = [];
  const bus = new EventEmitter();
  const launcher = new FakeLauncher();
  const ctx: ProcessContext = {
    paths: homePaths(home),
    logFiles: new LogFiles(() => undefined),
    nodePath: process.execPath,
    launch: (spec) => launcher.launch(spec),
    publish: (event, payload) => {
      if (event !== 'process:event') return;
      events.push(payload as ProcessEvent);
      bus.emit('event');
    },
    hasSubscribers: () => false,
    log: (line) => logs.push(line),
    probeSlots: new ProbeSlots(),
  };
  const app = revalidateApp(
    { name: 'app', script: path.join(home, 'app.js'), cwd: home, env: {}, out_file: '/dev/null', error_file: '/dev/null', ...options },
    0,
  );
  const managed = new ManagedProcess(0, app, 0, ctx);
  const matching = (status: ProcessStatus, reason?: StateReason): ProcessEvent[] =>
    events.filter((event) => event.status === status && (reason === undefined || event.reason === reason));
  return {
    process: managed,
    launcher,
    events,
    logs,
    story: () => events.map((event) => `${event.status} ${event.reason}`),
    until: (status, reason, nth = 1) =>
      new Promise((resolve) => {
        const check = (): void => {
          const found = matching(status, reason)[nth - 1];
          if (!found) return;
          bus.off('event', check);
          resolve(found);
        };
        bus.on('event', check);
        check();
      }),
  };
}

const nothingLeft = { open: 0, timers: 0 };
const onlyTheRunningLaunch = { open: 1, timers: 0 };

describe('ManagedProcess with a fake child', () => {
  it('start then stop: launching, online, stopping, stopped; the child got SIGINT; nothing left', async () => {
    const { process, launcher, story } = harness();
    await process.start();
    assert.equal(process.status, 'online');
    assert.equal(process.pid, launcher.last.pid);
    assert.deepEqual(process.lifetimes(), onlyTheRunningLaunch);
    await process.stop();
    assert.deepEqual(story(), ['launching start', 'online start', 'stopping user', 'stopped user']);
    assert.equal(process.pid, null);
    assert.deepEqual(launcher.last.received, ['SIGINT', 'SIGKILL']); // SIGKILL: what it left behind in its group, after its exit
    assert.deepEqual(process.lifetimes(), nothingLeft);
  });

  it('the launching event carries no pid yet; the online one the child pid', async () => {
    const { process, launcher, events } = harness();
    await process.start();
    assert.deepEqual(
      events.map((event) => [event.status, event.pid]),
      [
        ['launching', null],
        ['online', launcher.last.pid],
      ],
    );
    await process.stop();
  });

  it('stop during launch (not spawned yet): the stop waits its turn, then stops what came up', async () => {
    const { process, launcher, until, story } = harness();
    launcher.autoSpawn = false;
    const started = process.start();
    await until('launching');
    const stopped = process.stop();
    launcher.last.spawn();
    await Promise.all([started, stopped]);
    assert.deepEqual(story(), ['launching start', 'online start', 'stopping user', 'stopped user']);
    assert.equal(process.status, 'stopped');
    assert.deepEqual(process.lifetimes(), nothingLeft);
  });

  it('stop during launch (wait_ready, no "ready" yet): launching -> stopping -> stopped; a late "ready" changes nothing; the listen_timeout timer is gone', async () => {
    const { process, launcher, until, story } = harness({ wait_ready: true, listen_timeout: LONG });
    const started = process.start();
    await until('launching');
    await launcher.last.spawned;
    assert.deepEqual(process.lifetimes(), { open: 1, timers: 1 }); // listen_timeout
    await process.stop();
    await started; // settles with the stop
    launcher.last.say('ready');
    assert.deepEqual(story(), ['launching start', 'stopping user', 'stopped user']);
    assert.deepEqual(process.lifetimes(), nothingLeft);
  });

  it('wait_ready: online once "ready" arrives (through the queue), the listen_timeout timer cleared', async () => {
    const { process, launcher, until, story } = harness({ wait_ready: true, listen_timeout: LONG });
    const started = process.start();
    await until('launching');
    await launcher.last.spawned;
    assert.equal(process.status, 'launching');
    launcher.last.say({ type: 'ready' });
    await started;
    assert.deepEqual(story(), ['launching start', 'online start']);
    assert.deepEqual(process.lifetimes(), onlyTheRunningLaunch);
    await process.stop();
  });

  it('wait_ready with no "ready": online after listen_timeout, reason ready-timeout', async () => {
    const { process, story } = harness({ wait_ready: true, listen_timeout: 20 });
    await process.start();
    assert.deepEqual(story(), ['launching start', 'online ready-timeout']);
    assert.deepEqual(process.lifetimes(), onlyTheRunningLaunch);
    await process.stop();
  });

  it('crash during stop: a child that exits 1 on its own while stopping ends stopped, not restarted; the kill timer is gone', async () => {
    const { process, launcher, until, story } = harness({ kill_timeout: LONG });
    await process.start();
    launcher.last.graceful = 'ignore';
    const stopped = process.stop();
    await until('stopping');
    launcher.last.exit(1);
    await stopped;
    assert.deepEqual(story(), ['launching start', 'online start', 'stopping user', 'stopped user']);
    const last = process.info();
    assert.equal(last.exit_code, 1);
    assert.match(last.last_reason_detail ?? '', /^exited with code 1 after \d+ ms$/);
    assert.equal(launcher.children.length, 1);
    assert.deepEqual(process.lifetimes(), nothingLeft);
  });

  it('a child that ignores SIGINT is force-killed after kill_timeout; the exit says forced', async () => {
    const { process, launcher, logs } = harness({ kill_timeout: 20 });
    await process.start();
    launcher.last.graceful = 'ignore';
    await process.stop();
    assert.deepEqual(launcher.last.received.slice(0, 2), ['SIGINT', 'SIGKILL']);
    assert.equal((await launcher.last.exited).forced, true);
    assert.match(process.info().last_reason_detail ?? '', /^was killed by SIGKILL \(no exit within kill_timeout\) after \d+ ms$/);
    assert.ok(logs.some((line) => /did not exit within kill_timeout \(20 ms\): SIGKILL/.test(line)));
    assert.deepEqual(process.lifetimes(), nothingLeft);
  });

  it('shutdown_with_message: stop sends "shutdown" instead of SIGINT', async () => {
    const { process, launcher } = harness({ shutdown_with_message: true });
    await process.start();
    await process.stop();
    assert.deepEqual(launcher.last.received, ['message "shutdown"', 'SIGKILL']);
  });

  it('a crash: waiting-restart, then the relaunch (through the queue) brings it online again', async () => {
    const { process, launcher, until, story } = harness({ restart_delay: 5 });
    await process.start();
    const first = launcher.last;
    first.exit(1);
    await until('online', 'crash');
    assert.notEqual(launcher.last, first);
    assert.equal(process.restarts, 1);
    assert.deepEqual(story(), ['launching start', 'online start', 'waiting-restart crash', 'launching crash', 'online crash']);
    assert.deepEqual(process.lifetimes(), onlyTheRunningLaunch);
    await process.stop();
    assert.deepEqual(process.lifetimes(), nothingLeft);
  });

  it('stop while waiting to restart: stopped ("restart cancelled"), the delay timer gone, no relaunch', async () => {
    const { process, launcher, until, story } = harness({ restart_delay: LONG });
    await process.start();
    launcher.last.exit(1);
    await until('waiting-restart');
    assert.equal(process.lifetimes().timers, 1);
    await process.stop();
    assert.deepEqual(story(), ['launching start', 'online start', 'waiting-restart crash', 'stopped user']);
    assert.equal(process.info().last_reason_detail, 'restart cancelled');
    assert.deepEqual(process.lifetimes(), nothingLeft);
    assert.equal(launcher.children.length, 1);
  });

  it('reload during crash-restart (waiting-restart): the pending restart is cancelled and the reload launches once', async () => {
    const { process, launcher, until, story } = harness({ exec_mode: 'cluster', instances: 1, restart_delay: LONG });
    await process.start();
    launcher.last.exit(1);
    await until('waiting-restart');
    await process.reload();
    assert.deepEqual(story(), ['launching start', 'online start', 'waiting-restart crash', 'stopped reload', 'launching reload', 'online reload']);
    assert.equal(launcher.children.length, 2);
    assert.equal(process.status, 'online');
    assert.equal(process.restarts, 1);
    assert.deepEqual(process.lifetimes(), onlyTheRunningLaunch); // the restart delay's timer is gone
    await process.stop();
    assert.deepEqual(process.lifetimes(), nothingLeft);
  });

  it('restart during stop: the restart waits for the stop to finish, then launches', async () => {
    const { process, launcher, until, story } = harness({ kill_timeout: LONG });
    await process.start();
    const first = launcher.last;
    first.graceful = 'ignore';
    const stopped = process.stop();
    await until('stopping');
    const restarted = process.restart();
    first.exit(0);
    await Promise.all([stopped, restarted]);
    assert.deepEqual(story(), ['launching start', 'online start', 'stopping user', 'stopped user', 'launching user', 'online user']);
    assert.equal(process.restarts, 1);
    assert.equal(launcher.children.length, 2);
    assert.deepEqual(first.received, ['SIGINT', 'SIGKILL']); // SIGINT once: the restart found nothing left to stop (SIGKILL: the clean-up after its exit)
    assert.deepEqual(process.lifetimes(), onlyTheRunningLaunch);
    await process.stop();
  });

  it('a second stop while stopping: no second signal or event; both resolve once stopped', async () => {
    const { process, launcher, until, story } = harness({ kill_timeout: LONG });
    await process.start();
    launcher.last.graceful = 'ignore';
    const first = process.stop();
    await until('stopping');
    const second = process.stop();
    launcher.last.exit(null, 'SIGTERM');
    await Promise.all([first, second]);
    assert.deepEqual(story(), ['launching start', 'online start', 'stopping user', 'stopped user']);
    assert.deepEqual(launcher.last.received, ['SIGINT', 'SIGKILL']); // SIGINT once; SIGKILL: the clean-up after its exit
    assert.deepEqual(process.lifetimes(), nothingLeft);
  });

  it('a launch that cannot spawn: launching -> errored (launch-failed), no restart, nothing left', async () => {
    const { process, launcher, story } = harness();
    launcher.autoSpawn = false;
    const started = process.start();
    (await launcher.launched(1)).failSpawn('spawn /nope ENOENT');
    await started;
    assert.deepEqual(story(), ['launching start', 'errored launch-failed']);
    assert.equal(process.info().last_reason_detail, 'spawn /nope ENOENT');
    assert.deepEqual(process.lifetimes(), nothingLeft);
    launcher.autoSpawn = true;
    await process.start(); // errored -> launching: a start tries again
    assert.equal(process.status, 'online');
    await process.stop();
  });

  it('a launcher that throws: errored, and the operation itself does not fail', async () => {
    const { process, launcher, story } = harness();
    launcher.launch = () => {
      throw new Error('no such interpreter');
    };
    await process.start();
    assert.deepEqual(story(), ['launching start', 'errored launch-failed']);
    assert.deepEqual(process.lifetimes(), nothingLeft);
  });

  it('too many quick crashes: errored (unstable), the policy gives up, nothing left', async () => {
    const { process, launcher, until } = harness({ max_restarts: 1, min_uptime: LONG, restart_delay: 0 });
    await process.start();
    launcher.last.exit(1);
    await until('online', 'crash');
    launcher.last.exit(1);
    await until('errored', 'unstable');
    assert.equal(process.status, 'errored');
    assert.equal(process.restarts, 1);
    await process.allEnded(); // the last launch ends once its output is read
    assert.deepEqual(process.lifetimes(), nothingLeft);
  });

  it('autorestart off: an exit leaves it stopped (reason exit)', async () => {
    const { process, launcher, until } = harness({ autorestart: false });
    await process.start();
    launcher.last.exit(2);
    const event = await until('stopped', 'exit');
    assert.match(event.detail, /exited with code 2 .*autorestart is off/);
    assert.equal(event.exit_code, 2);
    await process.allEnded();
    assert.deepEqual(process.lifetimes(), nothingLeft);
  });

  it('cluster reload: online -> online with the new worker; the old one is drained and stopped', async () => {
    const { process, launcher, story } = harness({ exec_mode: 'cluster', instances: 1 });
    await process.start();
    const old = launcher.last;
    old.listen();
    await old.listening;
    const reloading = process.reload();
    (await launcher.launched(2)).listen();
    await reloading;
    assert.deepEqual(story(), ['launching start', 'online start', 'online reload']);
    assert.match(process.info().last_reason_detail ?? '', new RegExp(`^replaced pid ${old.pid}$`));
    assert.equal(process.pid, launcher.last.pid);
    assert.deepEqual(old.received, ['drain', 'SIGINT', 'SIGKILL']);
    assert.deepEqual(process.lifetimes(), onlyTheRunningLaunch);
    await process.stop();
    assert.deepEqual(process.lifetimes(), nothingLeft);
  });

  it('cluster reload whose new worker dies before it listens: it fails, the old worker keeps serving', async () => {
    const { process, launcher, story } = harness({ exec_mode: 'cluster', instances: 1, listen_timeout: LONG });
    await process.start();
    const old = launcher.last;
    old.listen();
    await old.listening;
    const reloading = process.reload();
    const replacement = await launcher.launched(2);
    await replacement.spawned;
    replacement.exit(1);
    await assert.rejects(reloading, /reload failed, the new worker exited with code 1 before it was ready; the old worker keeps serving/);
    assert.deepEqual(story(), ['launching start', 'online start']);
    assert.equal(process.pid, old.pid);
    assert.deepEqual(old.received, []);
    assert.deepEqual(process.lifetimes(), onlyTheRunningLaunch);
    await process.stop();
  });

  it('crash of the old worker during a cluster reload: the crash relaunch waits for the reload, which drops its surplus worker first', async () => {
    const { process, launcher, until, story } = harness({ exec_mode: 'cluster', instances: 1, restart_delay: 0, listen_timeout: LONG });
    await process.start();
    const old = launcher.last;
    old.listen();
    await old.listening;
    const reloading = process.reload();
    const replacement = await launcher.launched(2);
    await replacement.spawned;
    old.exit(1);
    await until('waiting-restart');
    replacement.listen(); // up, but the worker it was to replace is gone
    await reloading;
    await until('online', 'crash');
    const relaunched = launcher.last;
    assert.deepEqual(story(), ['launching start', 'online start', 'waiting-restart crash', 'launching crash', 'online crash']);
    // In the queue: the relaunch came after the reload had finished, never beside it.
    assert.ok(launcher.journal.indexOf(`${replacement.pid} SIGKILL`) < launcher.journal.indexOf(`launch ${relaunched.pid}`), launcher.journal.join(', '));
    assert.equal(launcher.children.length, 3);
    assert.equal(process.pid, relaunched.pid);
    await process.stop();
    await process.allEnded();
  });

  it('update and reconfigure change the config in the queue: after a stop that is under way, not during it', async () => {
    const { process, launcher, until } = harness({ kill_timeout: LONG });
    await process.start();
    launcher.last.graceful = 'ignore';
    const stopped = process.stop();
    await until('stopping');
    const updated = process.update((app) => ({ ...app, env: { ...app.env, FRESH: '1' } }));
    assert.equal(process.app.env.FRESH, undefined);
    launcher.last.exit(0);
    await Promise.all([stopped, updated]);
    assert.equal(process.app.env.FRESH, '1');
    await process.start();
    assert.equal(launcher.last.spec.env.FRESH, '1');
    await process.stop();
  });

  it('restart with node args: they reach that launch only', async () => {
    const { process, launcher } = harness({ node_args: ['--no-warnings'] });
    await process.start();
    await process.restart({ reason: 'user' }, { nodeArgs: ['--inspect=127.0.0.1:0'] });
    assert.deepEqual(launcher.last.spec.app.node_args, ['--no-warnings', '--inspect=127.0.0.1:0']);
    await process.restart();
    assert.deepEqual(launcher.last.spec.app.node_args, ['--no-warnings']);
    await process.stop();
  });
});

describe('ManagedProcess with probes (a fake child, a real local port)', () => {
  const servers: net.Server[] = [];
  afterEach(() => {
    for (const server of servers.splice(0)) server.close();
  });
  /** A port that refuses connections until `open()` listens on it. */
  async function port(): Promise<{ port: number; open(): Promise<void>; close(): Promise<void> }> {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port: number } = probe.address() as net.AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    let server: net.Server | null = null;
    return {
      port: number,
      open: () =>
        new Promise((resolve) => {
          server = net.createServer((socket) => socket.destroy());
          servers.push(server);
          server.listen(number, '127.0.0.1', () => resolve());
        }),
      close: () => new Promise((resolve) => (server ? server.close(() => resolve()) : resolve())),
    };
  }
  const fast = { period_ms: 20, timeout_ms: 500 };

  it('readiness: launching (not ready) until the port opens, then online; stop leaves no timer behind', async () => {
    const target = await port();
    const { process, until, story } = harness({ listen_timeout: LONG, readiness_probe: { tcp_socket: { port: target.port }, ...fast } });
    const started = process.start();
    await until('launching');
    while (!process.info().last_probe) await new Promise((resolve) => setTimeout(resolve, 5)); // the first check's answer
    assert.equal(process.status, 'launching');
    assert.equal(process.info().health, 'not-ready');
    assert.equal(process.info().last_probe?.ok, false);
    await target.open();
    await started;
    assert.equal(process.status, 'online');
    assert.equal(process.info().health, 'healthy');
    await process.stop();
    assert.deepEqual(story(), ['launching start', 'online start', 'stopping user', 'stopped user']);
    assert.deepEqual(process.lifetimes(), nothingLeft);
  });

  it('readiness never passing: the child is ended after listen_timeout, reason not-ready, restarted as after a crash', async () => {
    const target = await port();
    const { process, launcher, until } = harness({ listen_timeout: 200, readiness_probe: { tcp_socket: { port: target.port }, ...fast } });
    void process.start();
    const restarting = await until('waiting-restart', 'not-ready');
    assert.match(restarting.detail, /^not ready within listen_timeout \(200 ms\): tcp_socket 127\.0\.0\.1:\d+: ECONNREFUSED; /);
    assert.deepEqual(launcher.children[0].received.slice(0, 1), ['SIGINT']);
    await until('launching', 'not-ready');
    await process.stop();
    assert.deepEqual(process.lifetimes(), nothingLeft);
  });

  it('liveness: failure_threshold failures in a row restart it, reason liveness; a stop ends the probing', async () => {
    const target = await port();
    await target.open();
    const { process, until } = harness({ liveness_probe: { tcp_socket: { port: target.port }, ...fast, failure_threshold: 2 } });
    await process.start();
    await target.close();
    const restarting = await until('waiting-restart', 'liveness');
    assert.match(restarting.detail, /ECONNREFUSED \(2 failures in a row\)/);
    await target.open();
    await until('online', 'liveness');
    assert.equal(process.info().last_reason, 'liveness');
    await process.stop();
    assert.deepEqual(process.lifetimes(), nothingLeft);
  });

  it('liveness in cluster mode: a reload, the old worker drained once the new one took over', async () => {
    const target = await port();
    await target.open();
    const { process, launcher, until } = harness({
      exec_mode: 'cluster',
      instances: 1,
      liveness_probe: { tcp_socket: { port: target.port }, ...fast, failure_threshold: 2 },
    });
    await process.start();
    const old = launcher.last;
    await target.close();
    const reloaded = await until('online', 'liveness');
    await target.open();
    assert.match(reloaded.detail, /ECONNREFUSED \(2 failures in a row\); replaced pid /);
    assert.notEqual(launcher.last, old);
    assert.deepEqual(old.received.slice(0, 2), ['drain', 'SIGINT']);
    assert.equal(process.restarts, 1);
    await process.stop();
    assert.deepEqual(process.lifetimes(), nothingLeft);
  });
});
