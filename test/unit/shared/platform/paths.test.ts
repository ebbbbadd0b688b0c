import * as assert from 'node:assert/strict';
import {
  comparablePath,
  displayPath,
  expandHomePath,
  isAbsoluteAppPath,
  isInside,
  normalizeWindowsPath,
  resolveAppPath,
  samePath,
  segmentsBelow,
} from '../../../../src/shared/platform/paths';

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

  it("compares Windows paths as Windows does: either separator, any case, VS Code's lower-case drive", () => {
    assert.ok(samePath('c:\\app\\server.js', 'C:\\app\\server.js', 'win32'));
    assert.ok(samePath('C:/App/Server.js', 'c:\\app\\server.js', 'win32'));
    assert.ok(samePath('C:\\app\\', 'c:\\app', 'win32'));
    assert.ok(samePath('C:\\app\\lib\\..\\server.js', 'c:\\app\\server.js', 'win32'));
    assert.ok(samePath('\\\\Server\\Share\\a.js', '//server/share/a.js', 'win32'));
    assert.ok(!samePath('C:\\app\\server.js', 'D:\\app\\server.js', 'win32'));
    assert.equal(comparablePath('C:\\', 'win32'), 'c:\\');
  });

  it('compares paths exactly on macOS and Linux (APFS and ext4 may be case-sensitive), normalised', () => {
    for (const platform of ['darwin', 'linux'] as const) {
      assert.ok(samePath('/srv/app/', '/srv//app', platform));
      assert.ok(samePath('/srv/app/lib/../a.js', '/srv/app/a.js', platform));
      assert.ok(!samePath('/srv/App/a.js', '/srv/app/a.js', platform));
      // A backslash is a character of the name there, not a separator.
      assert.ok(!samePath('/srv/app\\a.js', '/srv/app/a.js', platform));
      assert.equal(comparablePath('/', platform), '/');
    }
  });

  it('tells whether a file lies inside a folder, by the platform’s rules', () => {
    assert.ok(isInside('c:\\app\\src\\a.js', 'C:\\app', 'win32'));
    assert.ok(isInside('c:/APP/src/a.js', 'C:\\app\\', 'win32'));
    assert.ok(isInside('C:\\app', 'c:\\app', 'win32'));
    assert.ok(isInside('C:\\app\\a.js', 'C:\\', 'win32'));
    assert.ok(!isInside('C:\\app2\\a.js', 'C:\\app', 'win32'));
    assert.ok(!isInside('D:\\app\\a.js', 'C:\\app', 'win32'));
    assert.ok(isInside('/srv/app/src/a.js', '/srv/app/', 'darwin'));
    assert.ok(isInside('/srv/app/a.js', '/', 'linux'));
    assert.ok(!isInside('/srv/app2/a.js', '/srv/app', 'linux'));
    assert.ok(!isInside('/srv/App/a.js', '/srv/app', 'darwin'));
    assert.ok(!isInside('C:\\app\\a.js', 'C:\\app', 'linux'), 'a backslash is no separator off Windows');
  });

  it('lists the segments of a path below a folder', () => {
    assert.deepEqual(segmentsBelow('c:\\app\\node_modules\\x\\a.js', 'C:\\app', 'win32'), ['node_modules', 'x', 'a.js']);
    assert.deepEqual(segmentsBelow('C:/app/.git/HEAD', 'c:\\app\\', 'win32'), ['.git', 'HEAD']);
    assert.deepEqual(segmentsBelow('/srv/app/src/a.js', '/srv/app', 'darwin'), ['src', 'a.js']);
    assert.deepEqual(segmentsBelow('/srv/app', '/srv/app', 'linux'), []);
    assert.equal(segmentsBelow('/srv/other/a.js', '/srv/app', 'linux'), undefined);
  });

  it('expands ~ in settings: ~/ everywhere, ~\\ on Windows too', () => {
    assert.equal(expandHomePath('~\\.corral', 'C:\\Users\\ann', 'C:\\work', 'win32'), 'C:\\Users\\ann\\.corral');
    assert.equal(expandHomePath('~/.corral', 'C:\\Users\\ann', 'C:\\work', 'win32'), 'C:\\Users\\ann\\.corral');
    assert.equal(expandHomePath('~', 'C:\\Users\\ann', 'C:\\work', 'win32'), 'C:\\Users\\ann');
    assert.equal(expandHomePath('D:\\corral', 'C:\\Users\\ann', 'C:\\work', 'win32'), 'D:\\corral');
    assert.equal(expandHomePath('~/.corral', '/Users/ann', '/', 'darwin'), '/Users/ann/.corral');
    assert.equal(expandHomePath('~', '/home/ann', '/', 'linux'), '/home/ann');
    // Off Windows `~\x` is a relative name that starts with ~; `~bob` is never expanded.
    assert.equal(expandHomePath('~\\x', '/home/ann', '/work', 'linux'), '/work/~\\x');
    assert.equal(expandHomePath('~bob/x', '/home/ann', '/work', 'linux'), '/work/~bob/x');
    // A $ in the home folder is taken as written.
    assert.equal(expandHomePath('~/x', '/home/a$&b', '/', 'linux'), '/home/a$&b/x');
  });

  it("displays paths in the platform's form", () => {
    assert.equal(displayPath('c:/app/server.js', 'win32'), 'C:\\app\\server.js');
    assert.equal(displayPath('/srv/app/server.js', 'darwin'), '/srv/app/server.js');
    assert.equal(displayPath('c:/app', 'linux'), 'c:/app');
  });
});
