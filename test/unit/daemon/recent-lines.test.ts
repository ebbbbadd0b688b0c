import * as assert from 'node:assert/strict';
import { RecentLines } from '../../../src/daemon/recent-lines';

describe('recent lines', () => {
  it('returns the last lines and the stream offset; offsets of added chunks are contiguous', () => {
    const recent = new RecentLines(1024);
    assert.deepEqual(recent.last(5), { lines: [], end: 0 });
    assert.equal(recent.add(Buffer.from('a\nb\n')), 0);
    assert.equal(recent.add(Buffer.from('c\n')), 4);
    assert.deepEqual(recent.last(2), { lines: ['b', 'c'], end: 6 });
    assert.deepEqual(recent.last(10).lines, ['a', 'b', 'c']);
  });

  it('stays within its byte budget, dropping the oldest chunks', () => {
    const recent = new RecentLines(100);
    for (let i = 0; i < 100; i++) recent.add(Buffer.from(`line ${i}\n`));
    const { lines, end } = recent.last(1000);
    assert.ok(lines.length < 20 && lines.length > 5, `${lines.length} lines kept`);
    assert.equal(lines[lines.length - 1], 'line 99');
    assert.equal(end, Array.from({ length: 100 }, (_, i) => `line ${i}\n`).join('').length);
  });
});
