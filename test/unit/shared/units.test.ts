import * as assert from 'node:assert/strict';
import { formatBytes, formatDuration, parseDuration, parseSize, splitArgs } from '../../../src/shared/units';

describe('units', () => {
  it('parses sizes', () => {
    assert.equal(parseSize('500K'), 500 * 1024);
    assert.equal(parseSize('200M'), 200 * 1024 ** 2);
    assert.equal(parseSize('1G'), 1024 ** 3);
    assert.equal(parseSize('1.5G'), 1.5 * 1024 ** 3);
    assert.equal(parseSize('10MB'), 10 * 1024 ** 2);
    assert.equal(parseSize(1048576), 1048576);
    assert.equal(parseSize('1048576'), 1048576);
    for (const bad of ['lots', '', '-5M', 0, -1, '5X', null, {}]) assert.equal(parseSize(bad), undefined, String(bad));
  });

  it('parses durations', () => {
    assert.equal(parseDuration(0), 0);
    assert.equal(parseDuration('1500'), 1500);
    assert.equal(parseDuration('1500ms'), 1500);
    assert.equal(parseDuration('2s'), 2000);
    assert.equal(parseDuration('1m'), 60000);
    assert.equal(parseDuration('1h'), 3600000);
    for (const bad of [-1, '-5', 'soon', '', NaN, Infinity, true]) assert.equal(parseDuration(bad), undefined, String(bad));
  });

  it('splits argument strings like a shell would, without running one', () => {
    assert.deepEqual(splitArgs('a b  c'), ['a', 'b', 'c']);
    assert.deepEqual(splitArgs(`--name "two words" 'single $quoted' esc\\ aped ""`), ['--name', 'two words', 'single $quoted', 'esc aped', '']);
    assert.deepEqual(splitArgs('"a \\"b\\" c"'), ['a "b" c']);
    assert.deepEqual(splitArgs('$(rm -rf /) ; && |'), ['$(rm', '-rf', '/)', ';', '&&', '|']);
    assert.deepEqual(splitArgs('   '), []);
    assert.throws(() => splitArgs("'open"), /unterminated ' quote/);
  });

  it('formats bytes and durations', () => {
    assert.equal(formatBytes(512), '512 B');
    assert.equal(formatBytes(1536), '1.5 KB');
    assert.equal(formatBytes(186 * 1024 ** 2), '186 MB');
    assert.equal(formatDuration(5_000), '5s');
    assert.equal(formatDuration(125_000), '2m');
    assert.equal(formatDuration(7_200_000), '2h');
    assert.equal(formatDuration(3 * 86_400_000), '3D');
  });
});
