import * as assert from 'node:assert/strict';
import { decideAfterExit, INITIAL_RESTART_STATE, type RestartOptions } from '../../../src/daemon/restart-policy';

const options = (extra: Partial<RestartOptions> = {}): RestartOptions => ({
  autorestart: true,
  stop_exit_codes: [],
  min_uptime: 1000,
  max_restarts: 16,
  restart_delay: 0,
  exp_backoff_restart_delay: 0,
  ...extra,
});

describe('restart policy', () => {
  it('restarts a crash immediately by default', () => {
    const decision = decideAfterExit(options(), INITIAL_RESTART_STATE, { code: 1, signal: null, uptimeMs: 5000 });
    assert.equal(decision.action, 'restart');
    assert.equal(decision.action === 'restart' && decision.delayMs, 0);
    assert.equal(decision.state.unstableRestarts, 0);
    assert.match(decision.detail, /exited with code 1 after 5000 ms/);
  });

  it('stays stopped with autorestart off or a stop exit code', () => {
    assert.equal(decideAfterExit(options({ autorestart: false }), INITIAL_RESTART_STATE, { code: 1, signal: null, uptimeMs: 10 }).action, 'stop');
    assert.equal(decideAfterExit(options({ stop_exit_codes: [0, 3] }), INITIAL_RESTART_STATE, { code: 3, signal: null, uptimeMs: 10 }).action, 'stop');
    assert.equal(decideAfterExit(options({ stop_exit_codes: [0] }), INITIAL_RESTART_STATE, { code: null, signal: 'SIGKILL', uptimeMs: 10 }).action, 'restart');
  });

  it('counts consecutive unstable exits and gives up after max_restarts restarts', () => {
    let state = INITIAL_RESTART_STATE;
    let restarts = 0;
    for (;;) {
      const decision = decideAfterExit(options({ max_restarts: 3 }), state, { code: 1, signal: null, uptimeMs: 30 });
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
    const unstable = decideAfterExit(options(), { unstableRestarts: 10, backoffMs: 0 }, { code: 1, signal: null, uptimeMs: 2000 });
    assert.equal(unstable.state.unstableRestarts, 0);
  });

  it('max_restarts 0 never restarts an unstable exit', () => {
    assert.equal(decideAfterExit(options({ max_restarts: 0 }), INITIAL_RESTART_STATE, { code: 1, signal: null, uptimeMs: 1 }).action, 'errored');
  });

  it('uses restart_delay', () => {
    const decision = decideAfterExit(options({ restart_delay: 750 }), INITIAL_RESTART_STATE, { code: 1, signal: null, uptimeMs: 5000 });
    assert.equal(decision.action === 'restart' && decision.delayMs, 750);
  });

  it('grows the exponential backoff by 1.5 up to 15 s, and resets it after 30 s online', () => {
    const opts = options({ exp_backoff_restart_delay: 100, max_restarts: 1000 });
    let state = INITIAL_RESTART_STATE;
    const delays: number[] = [];
    for (let i = 0; i < 14; i++) {
      const decision = decideAfterExit(opts, state, { code: 1, signal: null, uptimeMs: 5000 });
      assert.equal(decision.action, 'restart');
      if (decision.action === 'restart') delays.push(decision.delayMs);
      state = decision.state;
    }
    assert.deepEqual(delays.slice(0, 5), [100, 150, 225, 338, 507]);
    assert.equal(Math.max(...delays), 15_000);
    const afterLongRun = decideAfterExit(opts, state, { code: 1, signal: null, uptimeMs: 31_000 });
    assert.equal(afterLongRun.action === 'restart' && afterLongRun.delayMs, 100);
  });
});
