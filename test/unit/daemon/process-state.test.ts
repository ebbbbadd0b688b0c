import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { allTransitions, nextStatus, STATE_EVENTS, TRANSITIONS } from '../../../src/daemon/process-state';
import { CorralError, ErrorCode } from '../../../src/shared/errors';
import { ProcessStatus } from '../../../src/shared/protocol';

// Written out once more on purpose: a change to the table has to change this list too.
const EXPECTED = [
  ['stopped', 'launch', 'launching'],
  ['errored', 'launch', 'launching'],
  ['waiting-restart', 'launch', 'launching'],
  ['waiting-restart', 'stop', 'stopped'],
  ['launching', 'up', 'online'],
  ['launching', 'launch-failed', 'errored'],
  ['launching', 'stop', 'stopping'],
  ['launching', 'exit-restart', 'waiting-restart'],
  ['launching', 'exit-stop', 'stopped'],
  ['launching', 'exit-errored', 'errored'],
  ['online', 'reloaded', 'online'],
  ['online', 'stop', 'stopping'],
  ['online', 'exit-restart', 'waiting-restart'],
  ['online', 'exit-stop', 'stopped'],
  ['online', 'exit-errored', 'errored'],
  ['stopping', 'exit', 'stopped'],
].map(([from, event, to]) => `${from} -${event}-> ${to}`);

const row = (from: string, event: string, to: string): string => `${from} -${event}-> ${to}`;
const statuses = Object.values(ProcessStatus);

describe('process state table', () => {
  it('lists exactly the allowed transitions, and each leads where the table says', () => {
    const table = allTransitions().map(({ from, event, to }) => row(from, event, to));
    assert.deepEqual([...table].sort(), [...EXPECTED].sort());
    for (const { from, event, to } of allTransitions()) assert.equal(nextStatus(from, event), to, row(from, event, to));
  });

  it('has a row for every status, and every status is reachable from stopped', () => {
    assert.deepEqual(Object.keys(TRANSITIONS).sort(), [...statuses].sort());
    const reached = new Set<string>([ProcessStatus.Stopped]);
    for (let grew = true; grew; ) {
      grew = false;
      for (const { from, to } of allTransitions()) if (reached.has(from) && !reached.has(to)) grew = reached.add(to).size > 0;
    }
    assert.deepEqual([...reached].sort(), [...statuses].sort());
  });

  it('includes the moves the old header missed: launching->errored, waiting-restart->stopped, online->online', () => {
    assert.equal(nextStatus('launching', 'launch-failed'), 'errored');
    assert.equal(nextStatus('waiting-restart', 'stop'), 'stopped');
    assert.equal(nextStatus('online', 'reloaded'), 'online');
  });

  it('throws E_INTERNAL naming the status and the event for a move the table lacks', () => {
    const samples: Array<[ProcessStatus, (typeof STATE_EVENTS)[number]]> = [
      ['stopped', 'stop'],
      ['stopped', 'up'],
      ['stopped', 'exit'],
      ['errored', 'stop'],
      ['online', 'launch'],
      ['online', 'up'],
      ['online', 'exit'],
      ['launching', 'launch'],
      ['launching', 'reloaded'],
      ['stopping', 'stop'],
      ['stopping', 'launch'],
      ['stopping', 'exit-restart'],
      ['waiting-restart', 'up'],
      ['waiting-restart', 'exit-restart'],
    ];
    for (const [from, event] of samples) {
      assert.throws(
        () => nextStatus(from, event),
        (error: unknown) => error instanceof CorralError && error.code === ErrorCode.Internal && error.message === `invalid state transition: ${event} while ${from}`,
      );
    }
  });

  it('every pair outside the table throws', () => {
    const allowed = new Set(allTransitions().map(({ from, event }) => `${from}/${event}`));
    let invalid = 0;
    for (const from of statuses) {
      for (const event of STATE_EVENTS) {
        if (allowed.has(`${from}/${event}`)) continue;
        invalid++;
        assert.throws(() => nextStatus(from, event), CorralError);
      }
    }
    assert.equal(invalid, statuses.length * STATE_EVENTS.length - EXPECTED.length);
  });

  it("the module header's table (quoted in docs) says what the table holds", () => {
    const source = readFileSync(path.resolve(__dirname, '..', '..', '..', '..', 'src', 'daemon', 'process-state.ts'), 'utf8');
    const header = source.slice(0, source.indexOf('*/'));
    const rows = header
      .split('\n')
      .map((line) => line.replace(/^ \*\s+/, '').split(/\s{2,}/))
      .filter(([from]) => (statuses as string[]).includes(from))
      .map(([from, event, to]) => row(from, event, to));
    assert.deepEqual([...rows].sort(), [...EXPECTED].sort());
  });
});
