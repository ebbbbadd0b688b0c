import * as assert from 'node:assert/strict';
import { createWatchFilter } from '../../../src/daemon/watch-filter';

describe('watch filter', () => {
  const ignored = createWatchFilter({
    cwd: '/app',
    ignore: ['node_modules', '.git', 'tmp', 'build/cache', '*.log', 'src/**/*.test.js', '/var/data'],
    alwaysIgnored: ['/home/u/.corral/logs', '/app/out.log'],
  });
  it('ignores node_modules and named folders at any depth', () => {
    assert.ok(ignored('/app/node_modules/x/index.js'));
    assert.ok(ignored('/app/packages/a/node_modules/y.js'));
    assert.ok(ignored('/app/tmp/scratch'));
    assert.ok(!ignored('/app/src/tmpfile.js'));
  });
  it('ignores relative paths, globs, absolute paths and Corral files', () => {
    assert.ok(ignored('/app/build/cache/a'));
    assert.ok(!ignored('/app/build/main.js'));
    assert.ok(ignored('/app/server.log'));
    assert.ok(ignored('/app/src/deep/a.test.js'));
    assert.ok(!ignored('/app/src/deep/a.js'));
    assert.ok(ignored('/var/data/x'));
    assert.ok(ignored('/home/u/.corral/logs/api-out.log'));
    assert.ok(ignored('/app/out.log'));
  });
  it('ignores dotfiles and dot-folders (PM2 rule), not the watched root itself', () => {
    assert.ok(ignored('/app/.env'));
    assert.ok(ignored('/app/src/.cache/x.js'));
    assert.ok(!ignored('/app'));
    assert.ok(!ignored('/app/src/index.js'));
  });
});
