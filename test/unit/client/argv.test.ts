import * as assert from 'node:assert/strict';
import { parseCommandLine } from '../../../src/client/argv';
import { appOptionsFromFlags } from '../../../src/client/start-options';

const logFile = (argv: string[]): unknown => appOptionsFromFlags(parseCommandLine(argv).values).log_file;

describe('command line (PM2 quirks)', () => {
  it('-l/--log takes the next word as its path unless it is an option; bare, it means <name>.log', () => {
    assert.equal(logFile(['start', 'app.js', '-l', 'all.log']), 'all.log');
    assert.equal(logFile(['start', 'app.js', '--log', 'all.log']), 'all.log');
    assert.equal(logFile(['start', 'app.js', '--log=all.log']), 'all.log');
    assert.equal(logFile(['start', 'app.js', '-l']), true);
    assert.equal(logFile(['start', 'app.js', '-l', '--name', 'x']), true);
    assert.equal(logFile(['start', 'app.js']), undefined);
    const line = parseCommandLine(['start', 'app.js', '-l', '--', '-l']);
    assert.deepEqual(line.positionals, ['start', 'app.js']);
    assert.deepEqual(line.passthrough, ['-l']);
  });

  it('a negative number after a value option is its value; a lone negative number stays a positional', () => {
    assert.equal(parseCommandLine(['start', 'a.js', '-i', '-1']).values.instances, '-1');
    assert.deepEqual(parseCommandLine(['scale', 'web', '-2']).positionals, ['scale', 'web', '-2']);
  });

  it('--watch=paths becomes a watch list; an unknown flag is named in the error', () => {
    assert.deepEqual(appOptionsFromFlags(parseCommandLine(['start', 'a.js', '--watch=src,lib']).values).watch, ['src', 'lib']);
    assert.throws(() => parseCommandLine(['start', 'a.js', '--bogus']), /--bogus/);
  });
});
