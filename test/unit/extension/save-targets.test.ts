import * as assert from 'node:assert/strict';
import { appsForSave } from '../../../src/extension/save-targets';
import type { ProcessInfo } from '../../../src/shared/protocol';

function app(name: string, cwd: string, watch: ProcessInfo['watch']): ProcessInfo {
  return { name, cwd, watch, status: 'online', script: `${cwd}/index.js` } as ProcessInfo;
}

describe('apps a save concerns', () => {
  it("on Windows matches VS Code's c:\\ against the daemon's C:\\ and either separator", () => {
    const processes = [app('api', 'C:\\work\\api', true), app('web', 'C:/work/web', false), app('lib', 'C:\\work\\lib', ['C:\\work\\lib\\src'])];
    assert.deepEqual(appsForSave('c:\\work\\api\\index.js', processes, 'watched', 'C:\\Users\\ann\\.corral\\logs', 'win32'), { watched: true, restart: [] });
    assert.deepEqual(appsForSave('c:\\work\\lib\\src\\a.js', processes, 'watched', 'C:\\h\\logs', 'win32'), { watched: true, restart: [] });
    assert.deepEqual(appsForSave('c:\\work\\lib\\test\\a.js', processes, 'watched', 'C:\\h\\logs', 'win32'), { watched: false, restart: [] });
    assert.deepEqual(appsForSave('c:\\work\\web\\server.js', processes, 'always', 'C:\\h\\logs', 'win32'), { watched: false, restart: ['web'] });
    // node_modules and dot folders never restart anything, in any case or separator.
    assert.deepEqual(appsForSave('c:\\work\\web\\node_modules\\x\\a.js', processes, 'always', 'C:\\h\\logs', 'win32'), { watched: false, restart: [] });
    assert.deepEqual(appsForSave('c:\\work\\web\\.vscode\\settings.json', processes, 'always', 'C:\\h\\logs', 'win32'), { watched: false, restart: [] });
    // A sibling folder whose name starts the same is not inside.
    assert.deepEqual(appsForSave('c:\\work\\website\\a.js', processes, 'always', 'C:\\h\\logs', 'win32'), { watched: false, restart: [] });
    // Saving one of Corral's own log files restarts nothing.
    assert.deepEqual(appsForSave('c:\\work\\api\\x.log', processes, 'watched', 'C:\\work\\api', 'win32'), { watched: false, restart: [] });
  });

  it('on macOS and Linux compares exactly', () => {
    const processes = [app('api', '/Users/ann/api', true), app('web', '/Users/ann/web', false)];
    assert.deepEqual(appsForSave('/Users/ann/api/index.js', processes, 'watched', '/Users/ann/.corral/logs', 'darwin'), { watched: true, restart: [] });
    assert.deepEqual(appsForSave('/Users/ann/API/index.js', processes, 'watched', '/Users/ann/.corral/logs', 'darwin'), { watched: false, restart: [] });
    assert.deepEqual(appsForSave('/Users/ann/web/a.js', processes, 'always', '/Users/ann/.corral/logs', 'linux'), { watched: false, restart: ['web'] });
    assert.deepEqual(appsForSave('/Users/ann/web/node_modules/a.js', processes, 'always', '/Users/ann/.corral/logs', 'linux'), { watched: false, restart: [] });
    assert.deepEqual(appsForSave('/Users/ann/web/a.js', processes, 'off', '/Users/ann/.corral/logs', 'linux'), { watched: false, restart: [] });
    assert.deepEqual(appsForSave('/Users/ann/.corral/logs/web-out.log', processes, 'always', '/Users/ann/.corral/logs', 'linux'), {
      watched: false,
      restart: [],
    });
  });

  it('ignores stopped apps', () => {
    const stopped = { ...app('api', '/srv/api', true), status: 'stopped' } as ProcessInfo;
    assert.deepEqual(appsForSave('/srv/api/a.js', [stopped], 'always', '/h/logs', 'linux'), { watched: false, restart: [] });
  });
});
