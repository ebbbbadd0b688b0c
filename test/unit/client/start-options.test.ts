import * as assert from 'node:assert/strict';
import { parseCommandLine } from '../../../src/client/argv';
import { appOptionsFromFlags, CLI_OPTIONS, flagLabel } from '../../../src/client/start-options';
import { APP_FLAGS } from '../../../src/shared/config';

describe('app flags (from the app-option table)', () => {
  it('every flag of the table parses, and sets the option it belongs to', () => {
    for (const flag of APP_FLAGS.filter((candidate) => !candidate.internal)) {
      assert.equal(CLI_OPTIONS[flag.name]?.type, flag.sets === undefined ? 'string' : 'boolean', flag.name);
      if (flag.short) assert.equal(CLI_OPTIONS[flag.name].short, flag.short, flag.name);
      const argv = flag.sets === undefined ? ['start', 'a.js', `--${flag.name}=12`] : ['start', 'a.js', `--${flag.name}`];
      const options = appOptionsFromFlags(parseCommandLine(argv).values);
      assert.deepEqual(Object.keys(options), [flag.option], `--${flag.name}`);
      if (flag.sets !== undefined) assert.equal(options[flag.option], flag.sets, `--${flag.name}`);
    }
  });

  it('a short flag belongs to one option only', () => {
    const shorts = Object.values(CLI_OPTIONS).flatMap((option) => (option.short ? [option.short] : []));
    assert.deepEqual(
      shorts.filter((short, index) => shorts.indexOf(short) !== index),
      [],
    );
  });

  it('messages name the first flag of an option, and the field when it has none', () => {
    assert.equal(flagLabel('node_args'), '--node-args');
    assert.equal(flagLabel('cron_restart'), '--cron-restart');
    assert.equal(flagLabel('watch'), '--watch');
    assert.equal(flagLabel('out_file'), '--output');
    assert.equal(flagLabel('exec_mode'), 'exec_mode');
  });
});
