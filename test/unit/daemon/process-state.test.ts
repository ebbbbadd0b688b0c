import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { allTransitions, nextStatus, ProcessState, STATE_EVENTS, TRANSITIONS } from '../../../src/daemon/process-state';
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
    for (let grew = true; grew;) {
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
        (error: unknown) =>
          error instanceof CorralError && error.code === ErrorCode.Internal && error.message === `invalid state transition: ${event} while ${from}`,
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

describe('ProcessState', () => {
  const make = (): { state: ProcessState<string, { ended: boolean; end(): void }>; told: string[] } => {
    const told: string[] = [];
    const state = new ProcessState<string, { ended: boolean; end(): void }>((status, cause) => told.push(`${status} ${cause.reason}`));
    return { state, told };
  };
  const delay = (): { ended: boolean; end(): void } => ({
    ended: false,
    end() {
      this.ended = true;
    },
  });

  it('holds the launch while launching, online and stopping, and drops it once stopped', () => {
    const { state, told } = make();
    assert.equal(state.launch, null);
    state.move('launch', { reason: 'start' }, { launch: 'first' });
    state.move('up', { reason: 'start' });
    assert.equal(state.launch, 'first');
    state.move('reloaded', { reason: 'reload' }, { launch: 'second' });
    state.move('stop', { reason: 'user' });
    assert.deepEqual([state.status, state.launch], ['stopping', 'second']);
    state.move('exit', { reason: 'user', detail: 'exited with code 0 after 5 ms' });
    assert.deepEqual([state.status, state.launch], ['stopped', null]);
    assert.deepEqual(told, ['launching start', 'online start', 'online reload', 'stopping user', 'stopped user']);
    assert.equal(state.lastDetail, 'exited with code 0 after 5 ms');
    // The history leaves out the plain start's online, as describe always showed it.
    assert.deepEqual(
      state.history.map((record) => record.detail),
      ['launching', 'online', 'stopping', 'stopped: exited with code 0 after 5 ms'],
    );
  });

  it('ends the restart delay when it leaves waiting-restart, by a stop or by the relaunch', () => {
    for (const event of ['stop', 'launch'] as const) {
      const { state } = make();
      const pending = delay();
      state.move('launch', { reason: 'start' }, { launch: 'first' });
      state.move('up', { reason: 'start' });
      state.move('exit-restart', { reason: 'crash' }, { delay: pending });
      assert.deepEqual([state.status, state.launch, pending.ended], ['waiting-restart', null, false]);
      state.move(event, { reason: 'user' }, { launch: 'second' });
      assert.equal(pending.ended, true, event);
    }
  });

  it('an invalid move, or one without what its status holds, throws and changes nothing', () => {
    const { state, told } = make();
    assert.throws(() => state.move('up', { reason: 'start' }), /invalid state transition: up while stopped/);
    assert.throws(() => state.move('launch', { reason: 'start' }), /launch to launching needs a launch/);
    state.move('launch', { reason: 'start' }, { launch: 'first' });
    state.move('up', { reason: 'start' });
    assert.throws(() => state.move('exit-restart', { reason: 'crash' }), /needs a restart delay/);
    assert.throws(() => state.move('exit', { reason: 'user' }), /invalid state transition: exit while online/);
    assert.deepEqual([state.status, state.launch, state.lastReason], ['online', 'first', 'start']);
    assert.deepEqual(told, ['launching start', 'online start']);
  });

  it('settled() resolves at the first status that is not launching', async () => {
    const { state } = make();
    await state.settled(); // stopped: at once
    state.move('launch', { reason: 'start' }, { launch: 'first' });
    let settled = false;
    const waiting = state.settled().then(() => (settled = true));
    await Promise.resolve();
    assert.equal(settled, false);
    state.move('launch-failed', { reason: 'launch-failed' });
    await waiting;
    assert.equal(state.status, 'errored');
  });
});
