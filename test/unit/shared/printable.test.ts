import * as assert from 'node:assert/strict';
import { printable } from '../../../src/shared/printable';

describe('printable', () => {
  it('shows control characters (ANSI escapes, CR, NUL, C1) as \\xNN and caps the length', () => {
    assert.equal(printable('\x1b[31mred\x1b[0m\r\n\0\u009b'), '\\x1b[31mred\\x1b[0m\\x0d\\x0a\\x00\\x9b');
    assert.equal(printable('plain /tmp/home é ✓'), 'plain /tmp/home é ✓');
    assert.equal(printable('x'.repeat(10), 4), 'xxxx…');
  });
});
