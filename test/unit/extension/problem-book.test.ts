import * as assert from 'node:assert/strict';
import { MAX_PROBLEMS_PER_APP, ProblemBook, type ProblemReport } from '../../../src/extension/problem-book';

function report(extra: Partial<ProblemReport> = {}): ProblemReport {
  return {
    app: 'api',
    processId: 0,
    kind: 'crashed',
    title: 'TypeError: x is not a function',
    at: 1,
    place: { file: '/w/app.js', line: 3, column: 5 },
    related: [],
    ...extra,
  };
}

describe('ProblemBook', () => {
  it('makes one problem of 20 crashes at the same place, with the count', () => {
    const book = new ProblemBook();
    for (let at = 1; at <= 20; at++) book.add(report({ at }));
    const problems = book.forApp('api');
    assert.equal(problems.length, 1);
    assert.equal(problems[0].count, 20);
    assert.equal(problems[0].at, 20);
    assert.equal(problems[0].message, 'api crashed: TypeError: x is not a function');
  });

  it('keeps different errors apart, a few per app, and a crash upgrades a logged one', () => {
    const book = new ProblemBook();
    book.add(report({ kind: 'logged' }));
    assert.equal(book.last('api')?.message, 'api logged: TypeError: x is not a function');
    book.add(report());
    assert.equal(book.forApp('api').length, 1);
    assert.equal(book.last('api')?.message, 'api crashed: TypeError: x is not a function');
    book.add(report({ kind: 'logged' }));
    assert.equal(book.last('api')?.kind, 'crashed');
    for (let line = 10; line < 10 + MAX_PROBLEMS_PER_APP + 2; line++) book.add(report({ place: { file: '/w/app.js', line, column: 1 } }));
    assert.equal(book.forApp('api').length, MAX_PROBLEMS_PER_APP);
    assert.equal(book.last('api')?.place.line, 10 + MAX_PROBLEMS_PER_APP + 1);
  });

  it('clears an app (all, or what happened before a time), one problem, or everything', () => {
    const book = new ProblemBook();
    book.add(report({ at: 5 }));
    book.add(report({ at: 9, title: 'Error: later' }));
    book.add(report({ app: 'web' }));
    assert.equal(book.clearApp('api', 8), true);
    assert.deepEqual(
      book.forApp('api').map((problem) => problem.title),
      ['Error: later'],
    );
    assert.equal(book.clearApp('api', 8), false);
    const [web] = book.forApp('web');
    assert.equal(book.remove('web', web.key), true);
    assert.deepEqual(book.apps(), ['api']);
    assert.equal(book.clear(), true);
    assert.deepEqual(book.apps(), []);
  });
});
