import * as assert from 'node:assert/strict';
import { DEFAULT_DATE_FORMAT, formatDate, prefixLines } from '../../../src/daemon/timestamp';

describe('log timestamps', () => {
  const date = new Date(2026, 0, 2, 3, 4, 5, 6);
  it('formats day.js-style tokens', () => {
    assert.equal(formatDate(date, DEFAULT_DATE_FORMAT), '2026-01-02T03:04:05');
    assert.equal(formatDate(date, 'YYYY/MM/DD HH:mm:ss.SSS'), '2026/01/02 03:04:05.006');
    assert.equal(formatDate(date, '[at] HH:mm'), 'at 03:04');
    assert.match(formatDate(date, 'Z'), /^[+-]\d\d:\d\d$/);
    assert.match(formatDate(date, 'ZZ'), /^[+-]\d{4}$/);
  });
  it('prefixes every line', () => {
    assert.equal(prefixLines(['a', 'b'], 'T'), 'T: a\nT: b\n');
  });
});
