import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fixture, TestHome, until } from '../support/harness';

// What the CLI prints that came from outside (a git subject, an app's name, an app's output) is shown, never
// obeyed: no raw escape sequence but colours reaches the terminal.
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001a\u001c-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]|\u001b(?!\[[0-9;]*m)/;

describe('terminal output hygiene', () => {
  let home: TestHome;
  let repo: string;
  beforeEach(() => {
    home = new TestHome();
    repo = fs.mkdtempSync(path.join(os.tmpdir(), 'corral-term-'));
  });
  afterEach(async () => {
    await home.cleanup();
    fs.rmSync(repo, { recursive: true, force: true });
  });

  it('a commit subject that would retitle the terminal is escaped in describe and jlist', async function () {
    this.timeout(20_000);
    const git = (...args: string[]): string =>
      execFileSync('git', ['-C', repo, '-c', 'user.email=t@example.invalid', '-c', 'user.name=T', ...args], { encoding: 'utf8' });
    git('init', '-q');
    fs.copyFileSync(fixture('idle.js'), path.join(repo, 'app.js'));
    git('add', 'app.js');
    git('commit', '-q', '-m', 'fix \u001b]0;pwned\u0007 and \u009b2J done');
    await home.ok(['start', path.join(repo, 'app.js'), '--name', 'versioned']);
    await until(async () => JSON.parse((await home.ok(['describe', 'versioned', '--json'])).stdout)[0].versioning, 'the git metadata');
    const text = (await home.ok(['describe', 'versioned'])).stdout;
    assert.doesNotMatch(text, RAW_CONTROL);
    assert.ok(text.includes('fix \\x1b]0;pwned\\x07 and \\x9b2J done'), text);
    for (const args of [['jlist'], ['describe', 'versioned', '--json']]) {
      const { stdout } = await home.ok(args);
      assert.doesNotMatch(stdout, RAW_CONTROL, args.join(' '));
      assert.ok(JSON.stringify(JSON.parse(stdout)).includes('pwned'), 'the same value once parsed');
    }
    const pretty = (await home.ok(['prettylist'])).stdout;
    assert.doesNotMatch(pretty, RAW_CONTROL);
    assert.ok(pretty.includes('pwned'));
  });

  it('names with 8-bit CSI or a bidi override are refused, and the error shows them escaped', async () => {
    for (const name of ['evil\u009b2J', 'gnp\u202eexe', 'a\u200bpi']) {
      const result = await home.cli(['start', fixture('idle.js'), '--name', name]);
      assert.equal(result.code, 1);
      assert.match(result.stderr, /--name: expected a name \(must not contain (control characters|bidirectional or invisible formatting characters)\)/);
      assert.doesNotMatch(result.stderr, RAW_CONTROL);
    }
    assert.deepEqual(await home.jlist(), []);
  });

  it('log lines keep their colours and lose every other escape sequence; --raw into a pipe is untouched', async function () {
    this.timeout(20_000);
    const script = path.join(repo, 'noisy.js');
    fs.writeFileSync(script, `console.log('\\u001b[32mgreen\\u001b[0m \\u001b]52;c;ZXZpbA==\\u0007 \\u001b[2J'); setInterval(() => {}, 1000);\n`);
    await home.ok(['start', script, '--name', 'noisy']);
    const shown = await until(async () => {
      const { stdout } = await home.ok(['logs', 'noisy', '--nostream', '--out']);
      return stdout.includes('green') ? stdout : undefined;
    }, 'the line in the log');
    assert.doesNotMatch(shown, RAW_CONTROL);
    assert.ok(shown.includes('\u001b[32mgreen\u001b[0m \\x1b]52;c;ZXZpbA==\\x07 \\x1b[2J'), shown);
    const raw = (await home.ok(['logs', 'noisy', '--nostream', '--out', '--raw'])).stdout;
    assert.ok(raw.includes('\u001b]52;c;ZXZpbA==\u0007'), "raw output for programs is the app's own");
  });
});
