import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { fixture, TestHome } from '../support/harness';

describe('bad input: one clear line, exit 1, daemon still healthy', () => {
  let home: TestHome;
  before(() => {
    home = new TestHome();
  });
  after(() => home.cleanup());

  const cases: Array<[string, () => string[], RegExp]> = [
    ['a missing script', () => ['start', 'missing-script.js'], /^corral: script: file not found: .*missing-script\.js$/],
    ['an unknown name', () => ['stop', 'nobody'], /^corral: no process or namespace named "nobody"$/],
    ['an unknown id', () => ['restart', '4242'], /^corral: no process with id 4242$/],
    ['instances "lots"', () => ['start', fixture('idle.js'), '-i', 'lots'], /^corral: --instances: expected a number, "max" or a negative number, got "lots"$/],
    [
      'a negative kill_timeout',
      () => ['start', fixture('idle.js'), '--kill-timeout', '-5'],
      /^corral: --kill-timeout: expected a duration in milliseconds of 0 or more .*got "-5"$/,
    ],
    ['an unreadable ecosystem file', () => ['start', `${home.home}/dir.config.js`], /^corral: .*dir\.config\.js: cannot read it \(is a directory\)$/],
    ['a missing ecosystem file', () => ['start', 'nowhere.yml'], /^corral: script: file not found: .*nowhere\.yml$|^corral: nowhere\.yml: file not found$/],
    ['an ecosystem file with a syntax error', () => ['start', `${home.home}/broken.json`], /^corral: .*broken\.json: cannot parse it: /],
    ['an unknown option', () => ['start', fixture('idle.js'), '--frobnicate'], /^corral: Unknown option '--frobnicate'$/],
    ['an unknown command', () => ['frobnicate'], /^corral: unknown command "frobnicate"/],
    ['a bad signal', () => ['sendSignal', 'SIGNOPE', 'idle'], /^corral: signal: unknown signal "SIGNOPE"$/],
    ['a bad --lines', () => ['logs', '--lines', 'ten', '--nostream'], /^corral: --lines: expected a whole number/],
    ['a bad max_memory_restart', () => ['start', fixture('idle.js'), '--max-memory-restart', 'lots'], /^corral: --max-memory-restart: expected a size/],
    ['a bad cron', () => ['start', fixture('idle.js'), '--cron-restart', 'nope'], /^corral: --cron-restart: invalid cron expression "nope"/],
  ];

  before(async () => {
    await home.ok(['start', fixture('idle.js'), '--name', 'idle']);
    fs.mkdirSync(`${home.home}/dir.config.js`);
    fs.writeFileSync(`${home.home}/broken.json`, '{ "apps": [ { "script": "x.js" ] }');
  });

  for (const [what, args, expected] of cases) {
    it(what, async () => {
      const result = await home.cli(args());
      assert.equal(result.code, 1, `exit code (stdout: ${result.stdout})`);
      const lines = result.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, `one line: ${result.stderr}`);
      assert.match(lines[0], expected);
      const ping = await home.ok(['ping']);
      assert.equal(JSON.parse(ping.stdout).msg, 'pong');
      const list = await home.jlist();
      assert.deepEqual(
        list.map((p) => [p.name, p.status]),
        [['idle', 'online']],
        'nothing else started, nothing lost',
      );
    });
  }
});
