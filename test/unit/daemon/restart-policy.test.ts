import * as assert from 'node:assert/strict';
import { decideAfterExit, INITIAL_RESTART_STATE, type RestartOptions } from '../../../src/daemon/restart-policy';

const options = (extra: Partial<RestartOptions> = {}): RestartOptions => ({
  autorestart: true,
  stop_exit_codes: [],
  min_uptime: 1000,
  max_restarts: 16,
  max_restarts_window: 0,
  restart_delay: 0,
  exp_backoff_restart_delay: 0,
  ...extra,
});

describe('restart policy', () => {
  it('restarts a crash immediately by default', () => {
    const decision = decideAfterExit(options(), INITIAL_RESTART_STATE, { code: 1, signal: null, uptimeMs: 5000, at: 0 });
    assert.equal(decision.action, 'restart');
    assert.equal(decision.action === 'restart' && decision.delayMs, 0);
    assert.equal(decision.state.unstableRestarts, 0);
    assert.match(decision.detail, /exited with code 1 after 5000 ms/);
  });

  it('stays stopped with autorestart off or a stop exit code', () => {
    assert.equal(decideAfterExit(options({ autorestart: false }), INITIAL_RESTART_STATE, { code: 1, signal: null, uptimeMs: 10, at: 0 }).action, 'stop');
    assert.equal(decideAfterExit(options({ stop_exit_codes: [0, 3] }), INITIAL_RESTART_STATE, { code: 3, signal: null, uptimeMs: 10, at: 0 }).action, 'stop');
    assert.equal(
      decideAfterExit(options({ stop_exit_codes: [0] }), INITIAL_RESTART_STATE, { code: null, signal: 'SIGKILL', uptimeMs: 10, at: 0 }).action,
      'restart',
    );
  });

  it('counts consecutive unstable exits and gives up after max_restarts restarts', () => {
    let state = INITIAL_RESTART_STATE;
    let restarts = 0;
    for (;;) {
      const decision = decideAfterExit(options({ max_restarts: 3 }), state, { code: 1, signal: null, uptimeMs: 30, at: 0 });
      state = decision.state;
      if (decision.action !== 'restart') {
        assert.equal(decision.action, 'errored');
        assert.match(decision.detail, /3 consecutive restarts within min_uptime \(1000 ms\)/);
        break;
      }
      restarts++;
    }
    assert.equal(restarts, 3);
  });

  it('a stable run resets the unstable count', () => {
    const unstable = decideAfterExit(options(), { unstableRestarts: 10, backoffMs: 0, crashTimes: [] }, { code: 1, signal: null, uptimeMs: 2000, at: 0 });
    assert.equal(unstable.state.unstableRestarts, 0);
  });

  it('max_restarts 0 never restarts an unstable exit', () => {
    assert.equal(decideAfterExit(options({ max_restarts: 0 }), INITIAL_RESTART_STATE, { code: 1, signal: null, uptimeMs: 1, at: 0 }).action, 'errored');
  });

  it('uses restart_delay', () => {
    const decision = decideAfterExit(options({ restart_delay: 750 }), INITIAL_RESTART_STATE, { code: 1, signal: null, uptimeMs: 5000, at: 0 });
    assert.equal(decision.action === 'restart' && decision.delayMs, 750);
  });

  it('grows the exponential backoff by 1.5 up to 15 s, and resets it after 30 s online', () => {
    const opts = options({ exp_backoff_restart_delay: 100, max_restarts: 1000 });
    let state = INITIAL_RESTART_STATE;
    const delays: number[] = [];
    for (let i = 0; i < 14; i++) {
      const decision = decideAfterExit(opts, state, { code: 1, signal: null, uptimeMs: 5000, at: 0 });
      assert.equal(decision.action, 'restart');
      if (decision.action === 'restart') delays.push(decision.delayMs);
      state = decision.state;
    }
    assert.deepEqual(delays.slice(0, 5), [100, 150, 225, 338, 507]);
    assert.equal(Math.max(...delays), 15_000);
    const afterLongRun = decideAfterExit(opts, state, { code: 1, signal: null, uptimeMs: 31_000, at: 0 });
    assert.equal(afterLongRun.action === 'restart' && afterLongRun.delayMs, 100);
  });

  it('a crash loop of runs longer than min_uptime (a loaded machine) ends errored within max_restarts_window', () => {
    const opts = options({ max_restarts: 16, max_restarts_window: 60_000 });
    let state = INITIAL_RESTART_STATE;
    let at = 1_000_000;
    const actions: string[] = [];
    // Each run takes 1.2 s to boot and crash: longer than min_uptime, so PM2's rule never counts it.
    for (let i = 0; i < 20; i++) {
      at += 1200;
      const decision = decideAfterExit(opts, state, { code: 3, signal: null, uptimeMs: 1200, at });
      actions.push(decision.action);
      state = decision.state;
      if (decision.action === 'errored') {
        assert.match(decision.detail, /17 crashes within max_restarts_window \(60000 ms\), more than max_restarts \(16\): a crash loop/);
        break;
      }
    }
    assert.deepEqual(actions, [...Array(16).fill('restart'), 'errored']);
    // The same app with the window off loops on, as under PM2.
    state = INITIAL_RESTART_STATE;
    for (let i = 0; i < 40; i++) {
      const decision = decideAfterExit(options({ max_restarts_window: 0 }), state, { code: 3, signal: null, uptimeMs: 1200, at: (at += 1200) });
      assert.equal(decision.action, 'restart');
      state = decision.state;
    }
  });

  it('the window forgets old crashes and never counts clean exits (a job rerun by autorestart)', () => {
    const opts = options({ max_restarts: 3, max_restarts_window: 10_000 });
    let state = INITIAL_RESTART_STATE;
    // A crash every 4 s: never more than 3 inside 10 s.
    for (let i = 1; i <= 50; i++) {
      const decision = decideAfterExit(opts, state, { code: 1, signal: null, uptimeMs: 4000, at: i * 4000 });
      assert.equal(decision.action, 'restart', `crash ${i}`);
      state = decision.state;
    }
    assert.ok(state.crashTimes.length <= 3);
    // A job that exits 0 every 1.5 s.
    state = INITIAL_RESTART_STATE;
    for (let i = 1; i <= 50; i++) {
      const decision = decideAfterExit(opts, state, { code: 0, signal: null, uptimeMs: 1500, at: i * 1500 });
      assert.equal(decision.action, 'restart');
      state = decision.state;
    }
    // Killed by a signal counts as a crash: the 4th within 10 s ends it.
    state = INITIAL_RESTART_STATE;
    const killed = [1, 2, 3, 4].map((i) => {
      const decision = decideAfterExit(opts, state, { code: null, signal: 'SIGSEGV', uptimeMs: 2000, at: i * 2000 });
      state = decision.state;
      return decision.action;
    });
    assert.deepEqual(killed, ['restart', 'restart', 'restart', 'errored']);
  });
});
