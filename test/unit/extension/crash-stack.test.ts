import * as assert from 'node:assert/strict';
import { errorTitle, fileFromUrl, isInternalFrame, parseErrors, parseFrame, stripAnsi, workspaceFrames } from '../../../src/extension/crash-stack';

const inTmp = (file: string): boolean => file.startsWith('/tmp/stk/') || file.startsWith('C:\\app\\');

// What Node 20 prints for an uncaught TypeError (node a.js).
const UNCAUGHT = `/tmp/stk/a.js:3
  o.x();
    ^

TypeError: o.x is not a function
    at run (/tmp/stk/a.js:3:5)
    at Object.<anonymous> (/tmp/stk/a.js:5:1)
    at Module._compile (node:internal/modules/cjs/loader:1521:14)
    at Function.executeUserEntryPoint [as runMain] (node:internal/modules/run_main:164:12)
    at node:internal/main/run_main_module:28:49

Node.js v20.20.2`;

describe('crash-stack', () => {
  describe('parseFrame', () => {
    it('reads named, anonymous, async, new, URL, Windows and eval frames', () => {
      assert.deepEqual(parseFrame('    at run (/tmp/stk/a.js:3:5)'), { fn: 'run', file: '/tmp/stk/a.js', line: 3, column: 5, async: false });
      assert.deepEqual(parseFrame('    at /tmp/stk/a.js:7:11'), { file: '/tmp/stk/a.js', line: 7, column: 11, async: false });
      assert.deepEqual(parseFrame('    at async main (file:///tmp/stk/d%20x.mjs:1:44)'), {
        fn: 'main',
        file: '/tmp/stk/d x.mjs',
        line: 1,
        column: 44,
        async: true,
      });
      assert.equal(parseFrame('    at new Server (/tmp/stk/s.js:2:9)')?.fn, 'new Server');
      assert.deepEqual(parseFrame('    at Object.<anonymous> (C:\\app\\y.js:3:5)'), {
        fn: 'Object.<anonymous>',
        file: 'C:\\app\\y.js',
        line: 3,
        column: 5,
        async: false,
      });
      assert.equal(parseFrame('    at f (file:///C:/app/y.js:3:5)')?.file, 'C:\\app\\y.js');
      const evaled = parseFrame('    at eval (eval at <anonymous> (/tmp/stk/f.js:1:1), <anonymous>:1:6)');
      assert.deepEqual(evaled && { file: evaled.file, line: evaled.line }, { file: '/tmp/stk/f.js', line: 1 });
      assert.equal(parseFrame('    at f (/tmp/stk/d.mjs:1:44) {')?.column, 44);
      assert.equal(parseFrame('    at Array.forEach (native)'), undefined);
      assert.equal(parseFrame('TypeError: x'), undefined);
    });

    it("knows what is not the user's code", () => {
      for (const file of [
        'node:internal/main/run_main_module',
        'internal/timers.js',
        'native',
        '<anonymous>',
        '/w/node_modules/express/index.js',
        'C:\\w\\node_modules\\x.js',
        'evalmachine.<anonymous>',
      ]) {
        assert.ok(isInternalFrame(file), file);
      }
      assert.ok(!isInternalFrame('/w/src/app.js'));
      assert.ok(!isInternalFrame('C:\\w\\app.js'));
    });

    it('converts file URLs', () => {
      assert.equal(fileFromUrl('file:///srv/a%20b.js'), '/srv/a b.js');
      assert.equal(fileFromUrl('file:///C:/x/y.js'), 'C:\\x\\y.js');
      assert.equal(fileFromUrl('/srv/a.js'), '/srv/a.js');
    });
  });

  describe('parseErrors', () => {
    it("reads Node's uncaught exception: header, name, message, frames", () => {
      const [error, ...rest] = parseErrors(UNCAUGHT);
      assert.equal(rest.length, 0);
      assert.equal(errorTitle(error), 'TypeError: o.x is not a function');
      assert.deepEqual(error.thrownAt, { file: '/tmp/stk/a.js', line: 3 });
      assert.equal(error.frames.length, 5);
      assert.deepEqual(
        workspaceFrames(error, inTmp).map((frame) => `${frame.file}:${frame.line}:${frame.column}`),
        ['/tmp/stk/a.js:3:5', '/tmp/stk/a.js:5:1'],
      );
    });

    it('strips colour codes', () => {
      const coloured = '\u001b[31mTypeError: boom\u001b[39m\n\u001b[90m    at run (/tmp/stk/a.js:3:5)\u001b[39m';
      assert.equal(stripAnsi('\u001b[1;31mred\u001b[0m'), 'red');
      const [error] = parseErrors(coloured);
      assert.equal(errorTitle(error), 'TypeError: boom');
      assert.equal(error.frames[0].line, 3);
    });

    it('reads a [cause] and own properties, and uses the cause when the error has no workspace frame', () => {
      const text = `Error: outer
    at Module._compile (node:internal/modules/cjs/loader:1521:14)
    ... 4 lines matching cause stack trace ...
    at node:internal/main/run_main_module:28:49 {
  code: 'E_OUTER',
  [cause]: TypeError: inner
      at Object.<anonymous> (/tmp/stk/b.js:1:35)
      at Module._compile (node:internal/modules/cjs/loader:1521:14)
}

Node.js v20.20.2`;
      const errors = parseErrors(text);
      assert.equal(errors.length, 1);
      assert.equal(errorTitle(errors[0]), 'Error: outer');
      assert.equal(errors[0].cause && errorTitle(errors[0].cause), 'TypeError: inner');
      assert.deepEqual(workspaceFrames(errors[0], inTmp)[0], { fn: 'Object.<anonymous>', file: '/tmp/stk/b.js', line: 1, column: 35, async: false });
    });

    it("reads a thrown value that is not an Error from Node's header", () => {
      const text = `\n/tmp/stk/c.js:1\nthrow 'boom';\n^\nboom\n(Use \`node --trace-uncaught ...\` to show where the exception was thrown)\n\nNode.js v20.20.2`;
      const [error] = parseErrors(text);
      assert.equal(errorTitle(error), 'boom');
      assert.deepEqual(workspaceFrames(error, inTmp), [{ file: '/tmp/stk/c.js', line: 1, column: 1 }]);
    });

    it('reads an ESM error with a code, and an unhandled rejection', () => {
      const esm = `file:///tmp/stk/d.mjs:1\nasync function f() { throw e; }\n                 ^\n\nRangeError [ERR_BAD]: bad\n    at f (file:///tmp/stk/d.mjs:1:44) {\n  code: 'ERR_BAD'\n}\n`;
      const [error] = parseErrors(esm);
      assert.equal(errorTitle(error), 'RangeError [ERR_BAD]: bad');
      assert.equal(error.frames[0].file, '/tmp/stk/d.mjs');
      const rejection = `node:internal/process/promises:389\n      new UnhandledPromiseRejection(reason);\n      ^\n\nUnhandledPromiseRejection: This error originated ... with the reason "nope".\n    at throwUnhandledRejectionsMode (node:internal/process/promises:389:7) {\n  code: 'ERR_UNHANDLED_REJECTION'\n}`;
      const [unhandled] = parseErrors(rejection);
      assert.equal(unhandled.name, 'UnhandledPromiseRejection');
      assert.deepEqual(workspaceFrames(unhandled, inTmp), []);
    });

    it('finds several logged errors, with a logger\'s prefix or "Uncaught", and takes the name from the prefixed line', () => {
      const text = [
        'listening on 3000',
        'Uncaught TypeError: first',
        '    at a (/tmp/stk/a.js:1:1)',
        'some other line',
        '[api] 12:00 ReferenceError: second is not defined',
        '    at b (/tmp/stk/b.js:2:2)',
        '    at async c (/tmp/stk/c.js:3:3)',
      ];
      const errors = parseErrors(text);
      assert.deepEqual(errors.map(errorTitle), ['TypeError: first', 'ReferenceError: second is not defined']);
      assert.equal(errors[1].frames[1].async, true);
    });

    it('keeps a headline across a multi-line message', () => {
      const [error] = parseErrors(['Error: line one', 'line two', '    at a (/tmp/stk/a.js:1:1)']);
      assert.equal(errorTitle(error), 'Error: line one');
    });

    it('gives nothing for text without a stack', () => {
      assert.deepEqual(parseErrors('hello\nError: no frames here\n'), []);
    });
  });

  it('maps frames before judging them, and drops duplicates', () => {
    const [error] = parseErrors(['Error: x', '    at a (/tmp/stk/dist/a.js:10:1)', '    at b (/tmp/stk/dist/a.js:10:1)', '    at c (/elsewhere/z.js:1:1)']);
    const mapped = workspaceFrames(error, inTmp, (place) => (place.file.endsWith('a.js') ? { ...place, file: '/tmp/stk/src/a.ts', line: 4 } : place));
    assert.deepEqual(
      mapped.map((frame) => `${frame.file}:${frame.line}`),
      ['/tmp/stk/src/a.ts:4'],
    );
  });
});
