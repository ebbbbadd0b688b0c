import * as assert from 'node:assert/strict';
import { frameSizeGuard } from '../../../src/daemon/rpc-server';
import { ampFrame } from '../../support/amp';

const frame = (...args: Buffer[]): Buffer => ampFrame(args);

describe('frame size guard', () => {
  const small = frame(Buffer.from('j:{"type":"call"}'), Buffer.alloc(0), Buffer.from('s:1'));
  const big = frame(Buffer.alloc(60, 1), Buffer.alloc(50, 2));

  it('follows frames split at every byte and stops at the first one over the limit', () => {
    const stream = Buffer.concat([small, small, big, small]);
    for (let cut = 1; cut < stream.length; cut++) {
      const guard = frameSizeGuard(100);
      const first = guard(stream.subarray(0, cut));
      const second = first && guard(stream.subarray(cut));
      // The big frame declares 110 bytes: refused once its second length field is read, whichever chunk holds it.
      const declaresBig = 2 * small.length + 1 + 4 + 60 + 4;
      assert.equal(first, cut < declaresBig, `cut at ${cut}`);
      if (first) assert.equal(second, false, `cut at ${cut}`);
    }
  });

  it('lets any number of frames within the limit through, one byte at a time', () => {
    const guard = frameSizeGuard(110);
    for (const byte of Buffer.concat([small, big, small, big])) assert.ok(guard(Buffer.from([byte])));
  });
});
