/** `corral --help` from the built CLI (dist/cli.js): made from the command table, no daemon needed. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { commandWords } from '../../src/cli/command';
import { COMMAND_TABLE } from '../../src/cli/commands';
import { runCli } from '../support/harness';

describe('corral --help (built CLI)', () => {
  // A home nothing runs in: help and an unknown command must not need (or start) a daemon.
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'corral-help-'));
  after(() => fs.rmSync(home, { recursive: true, force: true }));

  it('lists every command and alias of the table; `help` and no command print the same', async () => {
    const help = await runCli(home, ['--help']);
    assert.equal(help.code, 0, help.stderr);
    for (const word of COMMAND_TABLE.flatMap(commandWords)) {
      assert.match(
        help.stdout,
        new RegExp(`^ {2}(\\S+[|,] ?)*${word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([|,\\s]|$)`, 'm'),
        `${word} is not in corral --help`,
      );
    }
    for (const args of [['help'], [], ['list', '-h']]) {
      const again = await runCli(home, args);
      assert.equal(again.code, 0, again.stderr);
      assert.equal(again.stdout, help.stdout, `corral ${args.join(' ')}`);
    }
    assert.deepEqual(fs.readdirSync(home), [], 'help started a daemon');
  });

  it('an unknown command exits 1 and points to --help', async () => {
    const result = await runCli(home, ['frobnicate']);
    assert.equal(result.code, 1);
    assert.equal(result.stderr, 'corral: unknown command "frobnicate" (see corral --help)\n');
  });
});
