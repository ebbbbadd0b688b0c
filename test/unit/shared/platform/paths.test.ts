import * as assert from 'node:assert/strict';
import { isAbsoluteAppPath, normalizeWindowsPath, resolveAppPath } from '../../../../src/shared/platform/paths';

describe('platform paths', () => {
  it('resolves drive letters, both separators and UNC paths on Windows', () => {
    assert.equal(resolveAppPath('C:\\work', 'C:\\app\\server.js', 'win32'), 'C:\\app\\server.js');
    assert.equal(resolveAppPath('C:\\work', 'c:/app', 'win32'), 'c:\\app');
    assert.equal(resolveAppPath('C:\\work', 'app/server.js', 'win32'), 'C:\\work\\app\\server.js');
    assert.equal(resolveAppPath('C:\\work', '..\\other\\a.js', 'win32'), 'C:\\other\\a.js');
    assert.equal(resolveAppPath('C:\\work', '\\\\server\\share\\app\\a.js', 'win32'), '\\\\server\\share\\app\\a.js');
    assert.equal(resolveAppPath('\\\\server\\share\\work', 'a.js', 'win32'), '\\\\server\\share\\work\\a.js');
    assert.equal(resolveAppPath('D:\\work', 'C:\\app', 'win32'), 'C:\\app');
    for (const absolute of ['C:\\app', 'c:/app', '\\\\server\\share\\x']) assert.ok(isAbsoluteAppPath(absolute, 'win32'), absolute);
    assert.ok(!isAbsoluteAppPath('app\\server.js', 'win32'));
  });

  it('keeps backslashes as characters elsewhere', () => {
    assert.equal(resolveAppPath('/work', 'app\\server.js', 'linux'), '/work/app\\server.js');
    assert.equal(resolveAppPath('/work', '/srv/app.js', 'darwin'), '/srv/app.js');
    assert.ok(!isAbsoluteAppPath('C:\\app', 'linux'));
  });

  it("writes Windows paths in Windows' own form", () => {
    assert.equal(normalizeWindowsPath('c:/app/../srv/a.js'), 'C:\\srv\\a.js');
    assert.equal(normalizeWindowsPath('//server/share/a'), '\\\\server\\share\\a');
  });
});
