import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkBuildTools, explainNpmFailure, findNpmCli, npmFreeEnv } from '../../harness/cache.mjs';

// The code-server install of the VS Code harness runs npm on Node 24; code-server's postinstall reads the Node
// version from npm's user agent, which a parent `npm test` hands down in npm_config_user_agent.
describe('harness: code-server install environment', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'corral-npm-env-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("npm run from the cleaned env reports the Node that runs it, not the parent npm's", () => {
    writeFileSync(
      path.join(dir, 'package.json'),
      JSON.stringify({ name: 'probe', private: true, scripts: { ua: 'node -e "console.log(process.env.npm_config_user_agent)"' } }),
    );
    const parent = {
      ...process.env,
      npm_config_user_agent: 'npm/10.0.0 node/v20.0.0 linux x64 workspaces/false',
      npm_lifecycle_event: 'test',
      npm_package_name: 'corral',
    };
    const run = (env: NodeJS.ProcessEnv) => execFileSync(process.execPath, [findNpmCli(), 'run', '-s', 'ua'], { cwd: dir, env, encoding: 'utf8' }).trim();
    // The trap itself: npm takes the inherited user agent as its own.
    assert.match(run(parent), /node\/v20\.0\.0/);
    assert.match(run(npmFreeEnv(parent)), new RegExp(`node/${process.version.replace(/\./g, '\\.')} `));
  });

  it("keeps the user's own npm settings and drops what a parent npm derived for its run", () => {
    const env = npmFreeEnv({
      PATH: '/bin',
      npm_config_registry: 'https://mirror.example/',
      npm_config_cafile: '/ca.pem',
      npm_config_nodedir: '/usr',
      NPM_CONFIG_USER_AGENT: 'x',
      npm_package_version: '1',
      npm_lifecycle_script: 'y',
      npm_execpath: '/npm-cli.js',
    });
    assert.deepEqual(env, { PATH: '/bin', npm_config_registry: 'https://mirror.example/', npm_config_cafile: '/ca.pem' });
  });

  it('finds npm-cli.js from npm_execpath, else from the npm on PATH', () => {
    const cli = findNpmCli({ PATH: process.env.PATH });
    assert.match(cli, /npm-cli\.js$/);
    assert.equal(findNpmCli({ PATH: '', npm_execpath: cli }), cli);
  });

  it('names the missing build tools and their Debian packages before installing', function () {
    if (process.platform !== 'linux') this.skip();
    const empty = mkdtempSync(path.join(dir, 'bin-'));
    assert.throws(
      () => checkBuildTools({ PATH: empty }),
      (error: Error) => {
        for (const part of [
          'python3 (Debian: python3)',
          'make (Debian: build-essential)',
          'g++',
          'pkg-config (Debian: pkg-config)',
          'apt-get install python3 build-essential pkg-config',
        ]) {
          assert.ok(error.message.includes(part), `${part} in: ${error.message}`);
        }
        return true;
      },
    );
  });

  it('explains a registry that cannot be reached', () => {
    assert.match(
      explainNpmFailure('code-server@4.139.1', 'npm error code ENOTFOUND\nnpm error getaddrinfo ENOTFOUND registry.example'),
      /npm registry could not be reached \(ENOTFOUND\)/,
    );
    assert.match(
      explainNpmFailure('code-server@4.139.1', 'native.cc:3:10: fatal error: gssapi/gssapi.h: No such file or directory'),
      /needs gssapi\/gssapi\.h/,
    );
    assert.equal(explainNpmFailure('x@1', 'something else'), 'npm install x@1 failed');
  });
});
