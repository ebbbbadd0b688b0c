import * as assert from 'node:assert/strict';
import { forcedTreeKillArgs, gracefulTreeKillArgs } from '../../../../src/shared/platform/taskkill';

describe('platform taskkill', () => {
  it('asks a tree to close, then forces it', () => {
    assert.deepEqual(gracefulTreeKillArgs(4242), ['/PID', '4242', '/T']);
    assert.deepEqual(forcedTreeKillArgs(4242), ['/PID', '4242', '/T', '/F']);
  });

  it('refuses what is not a pid', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, 2 ** 60]) {
      assert.throws(() => gracefulTreeKillArgs(bad), RangeError);
      assert.throws(() => forcedTreeKillArgs(bad), RangeError);
    }
  });
});
