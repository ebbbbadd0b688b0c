import * as assert from 'node:assert/strict';
import {
  homeHash,
  isPipeAddress,
  lockPipeAddress,
  maxSocketPathBytes,
  socketAddress,
  unguessable,
  windowsHomeKey,
} from '../../../../src/shared/platform/addresses';
import { homePaths, socketPathProblem } from '../../../../src/shared/paths';

describe('platform addresses', () => {
  it('names named pipes on Windows after a hash of the home, one per kind', () => {
    const rpc = socketAddress('C:\\Users\\ann\\.corral', 'rpc', 'win32');
    assert.match(rpc, /^\\\\\.\\pipe\\corral-[0-9a-f]{16}-rpc$/);
    const kinds = (['rpc', 'pub', 'output'] as const).map((kind) => socketAddress('C:\\Users\\ann\\.corral', kind, 'win32'));
    assert.equal(new Set(kinds).size, 3);
    assert.ok(kinds[1].endsWith('-pub') && kinds[2].endsWith('-output'));
  });

  it('gives the same pipe for the same home however it is written, another for another home', () => {
    const spellings = [
      'C:\\Users\\ann\\.corral',
      'c:\\Users\\ann\\.corral',
      'c:/Users/ann/.corral',
      'C:\\Users\\ann\\.corral\\',
      'C:\\Users\\ann\\x\\..\\.corral',
    ];
    assert.deepEqual(new Set(spellings.map((home) => socketAddress(home, 'rpc', 'win32'))).size, 1);
    assert.equal(windowsHomeKey('C:/Users/ann/.corral/'), 'c:\\Users\\ann\\.corral');
    assert.equal(windowsHomeKey('C:\\'), 'c:\\');
    assert.notEqual(homeHash('C:\\Users\\ann\\.corral'), homeHash('C:\\Users\\bob\\.corral'));
    assert.notEqual(homeHash('C:\\corral'), homeHash('D:\\corral'));
    assert.notEqual(homeHash('\\\\server\\share\\corral'), homeHash('C:\\corral'));
    // Stable across runs and versions: clients and daemons of one home must agree.
    assert.equal(homeHash('C:\\Users\\ann\\.corral'), homeHash('c:/Users/ann/.corral'));
    assert.match(homeHash('\\\\server\\share\\corral'), /^[0-9a-f]{16}$/);
  });

  it('keeps unix sockets in the home elsewhere', () => {
    assert.equal(socketAddress('/home/ann/.corral', 'rpc', 'linux'), '/home/ann/.corral/rpc.sock');
    assert.equal(socketAddress('/Users/ann/.corral', 'pub', 'darwin'), '/Users/ann/.corral/pub.sock');
    assert.equal(socketAddress('/home/ann/.corral', 'output', 'freebsd'), '/home/ann/.corral/output.sock');
  });

  it('knows sun_path: 108 bytes on Linux, 104 on macOS and the BSDs', () => {
    assert.equal(maxSocketPathBytes('linux'), 107);
    assert.equal(maxSocketPathBytes('darwin'), 103);
    assert.equal(maxSocketPathBytes('freebsd'), 103);
    assert.equal(maxSocketPathBytes('openbsd'), 103);
  });

  it('tells pipes from socket files, in either slash', () => {
    assert.ok(isPipeAddress(socketAddress('C:\\Users\\ann\\.corral', 'rpc', 'win32')));
    assert.ok(isPipeAddress('//./pipe/corral-x-rpc'));
    assert.ok(isPipeAddress('\\\\?\\pipe\\x'));
    assert.ok(!isPipeAddress('/home/ann/.corral/rpc.sock'));
    assert.ok(!isPipeAddress('C:\\pipe\\x'));
    assert.ok(!isPipeAddress('\\\\server\\pipe-share\\x'));
  });

  it('makes the output pipe unguessable on Windows, leaves a socket file as it is', () => {
    const output = socketAddress('C:\\Users\\ann\\.corral', 'output', 'win32');
    assert.equal(unguessable(output, 'f00d'), `${output}-f00d`);
    assert.equal(unguessable('/home/ann/.corral/output.sock', 'f00d'), '/home/ann/.corral/output.sock');
  });

  it('names the Windows lock after the home, apart from the sockets', () => {
    const home = 'C:\\Users\\ann\\.corral';
    assert.match(lockPipeAddress(home), /^\\\\\.\\pipe\\corral-[0-9a-f]{16}-lock$/);
    assert.equal(lockPipeAddress(home), lockPipeAddress('c:/Users/ann/.corral/'));
    assert.notEqual(lockPipeAddress(home), lockPipeAddress('C:\\Users\\bob\\.corral'));
  });

  it('homePaths: pipes and no sun_path limit on Windows, sockets in the home elsewhere', () => {
    const windows = homePaths('C:\\Users\\ann\\' + 'deep\\'.repeat(40) + '.corral', 'win32');
    assert.ok(isPipeAddress(windows.rpcSocket) && isPipeAddress(windows.pubSocket) && isPipeAddress(windows.outputSocket));
    assert.equal(socketPathProblem(windows), undefined);
    const linux = homePaths('/home/ann/.corral', 'linux');
    assert.equal(linux.rpcSocket, '/home/ann/.corral/rpc.sock');
    assert.equal(linux.keyFile, '/home/ann/.corral/daemon.key');
  });
});
