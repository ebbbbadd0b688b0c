import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { allTransitions } from '../../src/daemon/process-state';

// Run from dist/test/unit; the document is at the repository root.
const doc = readFileSync(path.resolve(__dirname, '..', '..', '..', 'docs', 'architecture.md'), 'utf8');

describe('docs/architecture.md', () => {
  it('shows the state machine exactly as process-state.ts has it', () => {
    const start = doc.indexOf('### The state machine');
    const section = doc.slice(start, doc.indexOf('\n## ', start));
    const rows = section
      .split('\n')
      .filter((line) => /^\| [a-z][a-z-]* \| [a-z][a-z-]* \| [a-z][a-z-]* \|$/.test(line) && !line.startsWith('| from '))
      .map((line) =>
        line
          .split('|')
          .slice(1, 4)
          .map((cell) => cell.trim())
          .join(' '),
      );
    const table = allTransitions().map(({ from, event, to }) => `${from} ${event} ${to}`);
    assert.deepEqual([...rows].sort(), [...table].sort());
  });

  it('names only files that exist', () => {
    const root = path.resolve(__dirname, '..', '..', '..');
    const named = [...doc.matchAll(/`((?:src|test|docs|schemas)\/[\w./-]+\.(?:ts|md|json))`/g)].map((match) => match[1]);
    for (const file of named) assert.doesNotThrow(() => readFileSync(path.join(root, file)), `${file} is named in docs/architecture.md`);
  });
});
