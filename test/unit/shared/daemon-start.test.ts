import * as assert from 'node:assert/strict';
import { formatStartReport, parseStartReport } from '../../../src/shared/daemon-start';

describe('start report', () => {
  it('round-trips each kind and never lets a reason carry control characters or a second line', () => {
    for (const report of [
      { kind: 'ready' },
      { kind: 'held', pid: 42 },
      { kind: 'held', pid: null },
      { kind: 'refused', reason: '/h is owned by uid 1' },
    ] as const) {
      assert.deepEqual(parseStartReport(formatStartReport(report)), report);
    }
    assert.deepEqual(parseStartReport('refused a\x1b[2Jb\nsecond line'), { kind: 'refused', reason: 'a\\x1b[2Jb' });
    assert.deepEqual(parseStartReport('held 12\x1b[0m\n'), { kind: 'held', pid: null });
    assert.equal(parseStartReport('\x1b[31mSQUAT'), null);
    assert.equal(parseStartReport(''), null);
  });
});
