import * as assert from 'node:assert/strict';
import { ProbeCounter } from '../../../src/daemon/probe-counter';

describe('probe thresholds (ProbeCounter)', () => {
  it('passes after success_threshold successes in a row, fails after failure_threshold failures in a row', () => {
    const counter = new ProbeCounter({ failure_threshold: 3, success_threshold: 2 });
    assert.equal(counter.verdict, 'unknown');
    assert.equal(counter.record(true), null);
    assert.equal(counter.record(false), null, 'a failure breaks the run of successes');
    assert.equal(counter.record(true), null);
    assert.equal(counter.record(true), 'passing');
    assert.equal(counter.record(true), null, 'only changes are reported');
    assert.equal(counter.record(false), null);
    assert.equal(counter.record(false), null);
    assert.equal(counter.failuresInARow, 2);
    assert.equal(counter.verdict, 'passing', 'two failures of three keep it passing');
    assert.equal(counter.record(false), 'failing');
    assert.equal(counter.record(false), null);
    assert.equal(counter.failuresInARow, 4);
    assert.equal(counter.record(true), null, 'one success of two does not pass again');
    assert.equal(counter.failuresInARow, 0);
    assert.equal(counter.record(true), 'passing');
  });

  it('with thresholds of 1 every change of result is a change of verdict', () => {
    const counter = new ProbeCounter({ failure_threshold: 1, success_threshold: 1 });
    assert.deepEqual(
      [false, false, true, false, true, true].map((ok) => counter.record(ok)),
      ['failing', null, 'passing', 'failing', 'passing', null],
    );
  });
});
