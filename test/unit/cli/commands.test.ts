import * as assert from 'node:assert/strict';
import { CLI_OPTIONS } from '../../../src/client/start-options';
import { commandWords } from '../../../src/cli/command';
import { COMMAND_TABLE, findCommand, helpText } from '../../../src/cli/commands';

/** The command words of each command row of --help (the part before "Targets:"), as the user reads them. */
function helpRows(help: string): string[][] {
  const commandsPart = help.slice(0, help.indexOf('\nTargets:'));
  return commandsPart.split('\n').flatMap((line) => {
    const head = /^ {2}([^\s,|]+(?:\|[^\s,|]+)*(?:, [^\s,|]+)*)/.exec(line);
    return head ? [head[1].split(/\||, /)] : [];
  });
}

describe('CLI command table (dispatch and --help)', () => {
  const help = helpText();

  it('gives every command word to one entry only', () => {
    const words = COMMAND_TABLE.flatMap(commandWords);
    assert.deepEqual(
      words.filter((word, index) => words.indexOf(word) !== index),
      [],
    );
    for (const word of words) assert.ok(findCommand(word), word);
    assert.equal(findCommand('nope'), undefined);
    assert.equal(findCommand('constructor'), undefined);
  });

  it('--help lists every name and alias of the table, and every word it lists dispatches to its row', () => {
    const rows = helpRows(help);
    const listed = rows.flat();
    assert.deepEqual(
      COMMAND_TABLE.flatMap(commandWords).filter((word) => !listed.includes(word)),
      [],
      'in the table, missing from --help',
    );
    for (const row of rows) {
      const entry = findCommand(row[0]);
      assert.ok(entry, `--help lists "${row[0]}", which does not dispatch`);
      assert.deepEqual(row, commandWords(entry), `--help row "${row.join(', ')}" is not the table row of ${row[0]}`);
    }
    assert.equal(rows.length, COMMAND_TABLE.length);
  });

  it('every entry has a summary, and rows read name first', () => {
    for (const entry of COMMAND_TABLE) {
      assert.ok(entry.summary.trim(), `${entry.names[0]} has no summary`);
      assert.ok(!/\n/.test(entry.summary), `${entry.names[0]}: the summary is one line`);
    }
  });

  it('--help names every option the command line accepts', () => {
    // --watch-paths is --watch=<paths> as the parser sees it, not something a user types.
    const hidden = new Set(['watch-paths']);
    const missing: string[] = [];
    for (const [name, option] of Object.entries(CLI_OPTIONS)) {
      if (hidden.has(name)) continue;
      const flag = name.length === 1 ? `-${name}` : `--${name}`;
      if (!new RegExp(`(^|[\\s,(/|\\[])${flag}(?![\\w-])`).test(help)) missing.push(flag);
      if (option.short && !new RegExp(`(^|[\\s,(/|\\[])-${option.short}(?![\\w-])`).test(help)) missing.push(`-${option.short}`);
    }
    assert.deepEqual(missing, []);
  });

  it('keeps the start options block and the environment line', () => {
    assert.match(help, /^Usage: corral <command> \[options\]$/m);
    assert.match(help, /^Start options \(PM2's names\):$/m);
    assert.match(help, /^Environment: CORRAL_HOME \(default ~\/\.corral\)$/m);
  });
});
