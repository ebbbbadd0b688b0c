import * as assert from 'node:assert/strict';
import { checkParams } from '../../../src/daemon/wire-params';
import { METHOD_NAMES } from '../../../src/shared/protocol';

describe('RPC params at the edge (wire-params.ts)', () => {
  it('passes what the protocol allows and returns it typed', () => {
    assert.deepEqual(checkParams('stop', { targets: ['api', '3'] }), { targets: ['api', '3'] });
    assert.deepEqual(checkParams('flush', {}), {});
    assert.deepEqual(checkParams('inspect', { id: 2, closeAfterMs: 60_000 }), { id: 2, closeAfterMs: 60_000 });
    assert.deepEqual(checkParams('restart', { targets: ['all'], updateEnv: { A: 'x' }, toggleWatch: true }), {
      targets: ['all'],
      updateEnv: { A: 'x' },
      toggleWatch: true,
    });
    for (const method of METHOD_NAMES) assert.throws(() => checkParams(method, null), new RegExp(`^CorralError: ${method}: expected an object of parameters$`));
  });

  it('names the field of the first problem', () => {
    const cases: Array<[Parameters<typeof checkParams>[0], unknown, RegExp]> = [
      ['stop', { targets: [] }, /targets: expected one or more names/],
      ['stop', { targets: ['x'.repeat(300)] }, /targets: expected one or more names/],
      ['describe', {}, /targets: /],
      ['recentLogs', { id: 1, lines: 1e6 }, /recentLogs: lines must be a whole number from 0 to 10000$/],
      ['writeStdin', { id: -1, data: 'x' }, /writeStdin: id must be a process id$/],
      ['web', { port: 70_000 }, /web: port must be 0-65535$/],
      ['start', { apps: [] }, /apps: expected a non-empty array of apps$/],
      ['start', { apps: [{ script: '/bin/true', cwd: 'relative', env: {} }] }, /cwd: expected an absolute path/],
      ['notifyFileSaved', { paths: ['relative/file'] }, /paths: expected an array of absolute file paths$/],
      ['restart', { targets: ['all'], options: [] }, /options: expected an object of app options$/],
    ];
    for (const [method, params, expected] of cases)
      assert.throws(() => checkParams(method, params), expected, `${method} ${JSON.stringify(params).slice(0, 60)}`);
  });

  it('never repeats an env value or anything else it received', () => {
    assert.throws(
      () => checkParams('restart', { targets: ['all'], updateEnv: { TOKEN: 'hunter\u00002' } }),
      (error: Error) => /updateEnv: TOKEN: names must be non-empty/.test(error.message) && !error.message.includes('hunter'),
    );
    assert.throws(
      () => checkParams('restart', { targets: ['all'], updateEnv: { TOKEN: 42 } }),
      (error: Error) => !error.message.includes('42'),
    );
    assert.throws(
      () => checkParams('restart', { targets: ['all'], toggleWatch: 'sekrit' } as never),
      (error: Error) => !error.message.includes('sekrit'),
    );
  });
});
