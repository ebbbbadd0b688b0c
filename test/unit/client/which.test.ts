import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DaemonClient } from '../../../src/client/client';
import { checkedExecutable, which } from '../../../src/client/which';
import { CorralError, ErrorCode } from '../../../src/shared/errors';

describe('which and checked executables', () => {
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'corral-which-'));
  });

  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function file(name: string, mode: number): string {
    const target = path.join(dir, name);
    fs.writeFileSync(target, '#!/bin/sh\n', { mode });
    return target;
  }

  it('finds an executable on PATH, and only by a bare name', () => {
    const tool = file('tool', 0o755);
    file('plain', 0o644);
    assert.equal(which('tool', { PATH: dir }, 'linux'), tool);
    assert.equal(which('plain', { PATH: dir }, 'linux'), undefined);
    assert.equal(which(tool, { PATH: dir }, 'linux'), undefined);
  });

  it('names the setting when the binary is missing, not executable or not on PATH', () => {
    const plain = file('node', 0o644);
    const expectError = (run: () => unknown, message: string): void =>
      assert.throws(run, (error: unknown) => error instanceof CorralError && error.code === ErrorCode.BadArgument && error.message === message);
    expectError(
      () => checkedExecutable(path.join(dir, 'missing'), 'the corral.nodePath setting', 'linux'),
      `the corral.nodePath setting "${path.join(dir, 'missing')}" does not exist or is not a file`,
    );
    expectError(() => checkedExecutable(plain, 'the corral.nodePath setting', 'linux'), `the corral.nodePath setting "${plain}" is not executable`);
    expectError(() => checkedExecutable('no-such-node-binary', 'nodePath', 'linux'), 'nodePath "no-such-node-binary" is not found on PATH');
    assert.equal(checkedExecutable(process.execPath, 'nodePath', 'linux'), process.execPath);
  });

  it('reports a missing nodePath before spawning the daemon', async () => {
    const home = path.join(dir, 'home');
    await assert.rejects(
      DaemonClient.connect({ home, nodePath: path.join(dir, 'node'), nodePathName: 'the corral.nodePath setting', daemonScript: __filename }),
      (error: unknown) =>
        error instanceof CorralError && error.code === ErrorCode.BadArgument && /corral\.nodePath setting ".*" does not exist/.test(error.message),
    );
    assert.ok(!fs.existsSync(path.join(home, 'daemon.pid')));
  });
});
