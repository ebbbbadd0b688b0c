import * as assert from 'node:assert/strict';
import { DEFAULT_DATE_FORMAT, formatDate, prefixLines } from '../../../src/shared/timestamp';

describe('log timestamps', () => {
  const date = new Date(2026, 0, 2, 3, 4, 5, 6);
  it('formats day.js-style tokens', () => {
    assert.equal(formatDate(date, DEFAULT_DATE_FORMAT), '2026-01-02T03:04:05');
    assert.equal(formatDate(date, 'YYYY/MM/DD HH:mm:ss.SSS'), '2026/01/02 03:04:05.006');
    assert.equal(formatDate(date, '[at] HH:mm'), 'at 03:04');
    assert.match(formatDate(date, 'Z'), /^[+-]\d\d:\d\d$/);
    assert.match(formatDate(date, 'ZZ'), /^[+-]\d{4}$/);
  });
  it("knows the rest of day.js's tokens, as PM2's own examples use them", () => {
    assert.equal(formatDate(date, 'ddd, DD-MMM-YYYY hh:mm A'), 'Fri, 02-Jan-2026 03:04 AM');
    assert.equal(formatDate(new Date(2026, 10, 9, 15, 7, 8, 120), 'dddd D MMMM YY, h:m:s a [SSS=]SSS SS S'), 'Monday 9 November 26, 3:7:8 pm SSS=120 12 1');
    assert.equal(formatDate(date, 'M/D H d dd'), '1/2 3 5 Fr');
    assert.equal(formatDate(date, 'X'), String(Math.floor(date.getTime() / 1000)));
    assert.equal(formatDate(date, 'x'), String(date.getTime()));
    assert.equal(formatDate(new Date(2026, 0, 1, 0, 30), 'hh A'), '12 AM');
  });
  it('prefixes every line', () => {
    assert.equal(prefixLines(['a', 'b'], 'T'), 'T: a\nT: b\n');
  });
});
