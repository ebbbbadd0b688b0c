import * as assert from 'node:assert/strict';
import { safeJson, safeOutput, safeText } from '../../../src/shared/terminal-text';

describe('terminal text', () => {
  const hostile = ['\u001b]0;pwned\u0007', '\u001b[2J', '\u009b31m', '\u202egnp.exe', 'a\u200bpi', '\r', '\u0008', '\u2066x\u2069'];

  it('escapes every control, bidi and invisible character in data', () => {
    assert.equal(safeText('\u001b]0;pwned\u0007 x'), '\\x1b]0;pwned\\x07 x');
    assert.equal(safeText('\u009b31m'), '\\x9b31m');
    assert.equal(safeText('abc\u202efdp.exe'), 'abc\\u202efdp.exe');
    assert.equal(safeText('line\nnext\ttab'), 'line\\x0anext\\x09tab');
    for (const text of hostile) assert.doesNotMatch(safeText(text), /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/);
    assert.equal(safeText('plain name é ✓ 名前'), 'plain name é ✓ 名前');
  });

  it('keeps colours, newlines and tabs in output, and escapes the rest', () => {
    assert.equal(safeOutput('\u001b[31mred\u001b[0m\tand\nmore'), '\u001b[31mred\u001b[0m\tand\nmore');
    assert.equal(safeOutput('\u001b[1;38;5;208mok\u001b[0m \u001b]52;c;ZXZpbA==\u0007'), '\u001b[1;38;5;208mok\u001b[0m \\x1b]52;c;ZXZpbA==\\x07');
    assert.equal(safeOutput('\u001b[2J\u001b[H'), '\\x1b[2J\\x1b[H');
    assert.equal(safeOutput('50%\r100%'), '50%\\x0d100%');
    for (const text of hostile) assert.doesNotMatch(safeOutput(text), /\u001b[^[]|[\u0000-\u0008\u000b-\u001a\u007f-\u009f\u202a-\u202e]/);
  });

  it('JSON stays the same value once parsed, with nothing raw a terminal would act on', () => {
    const value = { name: 'x\u009b\u202e\u200b', nested: ['\u001b]0;t\u0007'] };
    const text = safeJson(value);
    assert.deepEqual(JSON.parse(text), value);
    assert.doesNotMatch(text, /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e]/);
    assert.deepEqual(JSON.parse(safeJson(value, 2)), value);
  });
});
