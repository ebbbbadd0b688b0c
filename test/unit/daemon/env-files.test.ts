import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseEnvFile, readEnvFile, syntaxProblem } from '../../../src/daemon/env-files';

describe('env files', () => {
  it("parses dotenv's syntax: export, quotes, comments, multi-line values", () => {
    const text = ['# a comment', 'export A=1', "B='two words' # trailing", 'C="line one', 'line two"', 'D=', 'E: colon', ''].join('\n');
    assert.equal(syntaxProblem(text), null);
    assert.deepEqual(parseEnvFile('api', '/x/.env', text, {}), { A: '1', B: 'two words', C: 'line one\nline two', D: '', E: 'colon' });
  });

  it('expands ${VAR} from the lines above and the context; the file beats the context, never touches process.env', () => {
    const text = 'HOST=db\nURL=postgres://${HOST}:${PORT:-5432}/${NAME}\nSHARED=file\nESCAPED=\\${HOST}\n';
    const context = { NAME: 'app', SHARED: 'shell' };
    assert.deepEqual(parseEnvFile('api', '/x/.env', text, context), {
      HOST: 'db',
      URL: 'postgres://db:5432/app',
      SHARED: 'file',
      ESCAPED: '${HOST}',
    });
    assert.deepEqual(context, { NAME: 'app', SHARED: 'shell' });
    assert.equal(process.env.HOST === 'db' && process.env.URL !== undefined, false);
  });

  it('a variable set again from its own value sees the value it had before the file (PATH=${PATH}:/x)', () => {
    const context = { PATH: '/usr/bin:/bin', HOME: '/home/ann' };
    const text = 'PATH=${PATH}:/opt/bin\nTOOLS=$PATH\nHOME=${HOME:-/nowhere}/sub\nPATHS=${PATHS:-none}\nLITERAL=\\${PATH}\n';
    const values = parseEnvFile('app', '.env', text, context);
    assert.equal(values.PATH, '/usr/bin:/bin:/opt/bin');
    assert.equal(values.TOOLS, '/usr/bin:/bin:/opt/bin', "a later line sees the file's PATH");
    assert.equal(values.HOME, '/home/ann/sub');
    assert.equal(values.PATHS, 'none', 'a longer name is another variable');
    assert.ok(!Object.keys(values).some((key) => key.startsWith('__CORRAL')), 'no helper name leaks into the env');
    assert.deepEqual(context, { PATH: '/usr/bin:/bin', HOME: '/home/ann' });
  });

  it('names the line of a malformed file, not its content', () => {
    assert.equal(syntaxProblem('A=1\nthis is not a variable\n'), 'line 2: expected NAME=value or a # comment');
    assert.equal(syntaxProblem('A=1\n\nB="never closed\nC=3\n'), 'line 3: the value\'s " quote is never closed');
    assert.equal(syntaxProblem('A=1\r\nB=2\r\n  # indented comment\r\n'), null);
    assert.throws(() => parseEnvFile('api', '/x/.env', 'GOOD=1\nsecret-value-alone\n', {}), {
      message: 'api: env_file /x/.env: line 2: expected NAME=value or a # comment',
    });
  });

  describe('reading', () => {
    let dir: string;
    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'corral-envfile-'))));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('reads a file; skips a missing optional one; refuses a missing required one, a folder, an unreadable file', () => {
      const file = path.join(dir, '.env');
      fs.writeFileSync(file, 'A=1\n');
      assert.equal(readEnvFile('api', { path: file, optional: false }), 'A=1\n');
      const missing = path.join(dir, '.env.local');
      assert.equal(readEnvFile('api', { path: missing, optional: true }), null);
      assert.throws(() => readEnvFile('api', { path: missing, optional: false }), {
        message: `api: env_file ${missing}: file not found (give { path, optional: true } for a file that may be missing)`,
      });
      assert.throws(() => readEnvFile('api', { path: dir, optional: true }), { message: `api: env_file ${dir}: is a folder, not a file` });
      if (process.getuid?.() !== 0) {
        fs.chmodSync(file, 0o000);
        assert.throws(() => readEnvFile('api', { path: file, optional: false }), { message: `api: env_file ${file}: cannot be read (permission denied)` });
      }
    });
  });
});
