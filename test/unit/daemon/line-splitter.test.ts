import * as assert from 'node:assert/strict';
import { LineSplitter, MAX_LINE_BYTES, toLines } from '../../../src/daemon/line-splitter';

describe('line splitter', () => {
  it('emits only whole lines, holding a partial one until its end', () => {
    const splitter = new LineSplitter();
    assert.equal(splitter.push(Buffer.from('hel')), null);
    assert.equal(splitter.push(Buffer.from('lo\nwor'))?.toString(), 'hello\n');
    assert.equal(splitter.push(Buffer.from('ld\nnext\npart'))?.toString(), 'world\nnext\n');
    assert.equal(splitter.end()?.toString(), 'part\n');
    assert.equal(splitter.end(), null);
  });

  it('keeps every line exactly once across arbitrary chunking', () => {
    const text = Array.from({ length: 500 }, (_, i) => `line ${i} ${'é'.repeat(i % 7)}`).join('\n') + '\n';
    const bytes = Buffer.from(text);
    for (const size of [1, 2, 3, 7, 64, 1000]) {
      const splitter = new LineSplitter();
      const out: Buffer[] = [];
      for (let i = 0; i < bytes.length; i += size) {
        const complete = splitter.push(bytes.subarray(i, i + size));
        if (complete) out.push(complete);
      }
      assert.equal(splitter.end(), null);
      assert.equal(Buffer.concat(out).toString('utf8'), text, `chunks of ${size}`);
    }
  });

  it('terminates a final unterminated line at end()', () => {
    const splitter = new LineSplitter();
    assert.equal(splitter.push(Buffer.from('a\nb'))?.toString(), 'a\n');
    assert.equal(splitter.push(Buffer.alloc(0)), null);
    assert.equal(splitter.end()?.toString(), 'b\n');
  });

  it('cuts a line longer than the cap instead of holding it forever', () => {
    const splitter = new LineSplitter();
    const big = Buffer.alloc(MAX_LINE_BYTES, 'a');
    const out = splitter.push(big);
    assert.ok(out);
    assert.equal(out.length, MAX_LINE_BYTES + 1);
    assert.equal(out[out.length - 1], 10);
  });

  it('splits complete buffers into lines', () => {
    assert.deepEqual(toLines(Buffer.from('a\n\nb\n')), ['a', '', 'b']);
  });
});
