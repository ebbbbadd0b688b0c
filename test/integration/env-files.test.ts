import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ProcessDescription } from '../../src/shared/protocol';
import { fixture, TestHome, until } from '../support/harness';

const WAIT_MS = 20_000;
const SECRET = 'sekrit-9f2c-never-shown';

/** The JSON lines print-env.js wrote, one per run. */
function runsOf(file: string): Array<Record<string, string | null>> {
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, string | null>);
}

// env_file: dotenv files the daemon reads at every launch, between the caller's env and `env`.
describe('env files and --update-env', () => {
  let home: TestHome;
  let dir: string;
  beforeEach(() => {
    home = new TestHome();
    dir = path.join(home.home, 'app');
    fs.mkdirSync(dir);
  });
  afterEach(() => home.cleanup());

  const ecosystem = (app: Record<string, unknown>, more: Array<Record<string, unknown>> = []): string => {
    const file = path.join(dir, 'ecosystem.json');
    fs.writeFileSync(file, JSON.stringify({ apps: [{ name: 'envy', script: fixture('print-env.js'), cwd: dir, ...app }, ...more] }));
    return file;
  };

  async function runs(count: number): Promise<Array<Record<string, string | null>>> {
    const [envy] = await home.jlist();
    return until(
      () => {
        const found = runsOf(envy.out_log);
        return found.length >= count ? found : undefined;
      },
      `${count} runs of envy to print`,
      WAIT_MS,
    );
  }

  it('reads the files in order at every restart: later files win, env wins over them, ${VAR} expands, an optional missing file is skipped', async () => {
    fs.writeFileSync(
      path.join(dir, '.env'),
      'export GREETING=hello\nNAME="first file"\nOVERRIDDEN=file\n# a comment\nURL=http://${HOST_FROM_SHELL}:${PORT:-8080}\n',
    );
    fs.writeFileSync(path.join(dir, '.env.prod'), 'NAME=\'second file\'\nMULTI="one\ntwo"\n');
    const file = ecosystem({
      env_file: ['.env', { path: '.env.local', optional: true }, '.env.prod'],
      env: { PRINT_VARS: 'GREETING,NAME,OVERRIDDEN,URL,MULTI,LOCAL', OVERRIDDEN: 'env' },
    });
    await home.ok(['start', file], { env: { HOST_FROM_SHELL: 'db.internal', GREETING: 'from the shell' } });
    assert.deepEqual(await runs(1), [
      { GREETING: 'hello', NAME: 'second file', OVERRIDDEN: 'env', URL: 'http://db.internal:8080', MULTI: 'one\ntwo', LOCAL: null },
    ]);
    // Edits take effect at the next restart, the optional file too once it exists.
    fs.writeFileSync(path.join(dir, '.env'), 'GREETING=bonjour\n');
    fs.writeFileSync(path.join(dir, '.env.local'), 'LOCAL=here\n');
    await home.ok(['restart', 'envy']);
    const [, second] = await runs(2);
    assert.deepEqual(second, { GREETING: 'bonjour', NAME: 'second file', OVERRIDDEN: 'env', URL: null, MULTI: 'one\ntwo', LOCAL: 'here' });
  });

  it('a required missing file is one line naming the app, the field and the path; nothing starts', async () => {
    const file = ecosystem({ env_file: '.env.missing' }, [{ name: 'other', script: fixture('idle.js') }]);
    const result = await home.cli(['start', file]);
    assert.equal(result.code, 1);
    const missing = path.join(dir, '.env.missing');
    assert.equal(result.stderr, `corral: envy: env_file ${missing}: file not found (give { path, optional: true } for a file that may be missing)\n`);
    assert.deepEqual(await home.jlist(), []);
  });

  it('a folder, an unreadable file and a malformed file are clear errors; a restart with a bad file keeps the app running', async () => {
    fs.mkdirSync(path.join(dir, 'folder.env'));
    const folder = await home.cli(['start', ecosystem({ env_file: 'folder.env' })]);
    assert.equal(folder.code, 1);
    assert.match(folder.stderr, /^corral: envy: env_file \S+folder\.env: is a folder, not a file$/m);
    fs.writeFileSync(path.join(dir, '.env'), `GOOD=1\n${SECRET}\n`);
    const malformed = await home.cli(['start', ecosystem({ env_file: '.env' })]);
    assert.equal(malformed.code, 1);
    assert.match(malformed.stderr, /^corral: envy: env_file \S+\.env: line 2: expected NAME=value or a # comment$/m);
    assert.doesNotMatch(malformed.stderr, new RegExp(SECRET));
    if (process.getuid?.() !== 0) {
      fs.writeFileSync(path.join(dir, '.env'), 'GOOD=1\n');
      fs.chmodSync(path.join(dir, '.env'), 0o000);
      const unreadable = await home.cli(['start', ecosystem({ env_file: '.env' })]);
      assert.match(unreadable.stderr, /^corral: envy: env_file \S+\.env: cannot be read \(permission denied\)$/m);
      fs.chmodSync(path.join(dir, '.env'), 0o600);
    }
    fs.writeFileSync(path.join(dir, '.env'), 'GOOD=1\n');
    await home.ok(['start', ecosystem({ env_file: '.env', env: { PRINT_VARS: 'GOOD' } })]);
    const [before] = await home.jlist();
    fs.writeFileSync(path.join(dir, '.env'), 'GOOD="never closed\n');
    const restart = await home.cli(['restart', 'envy']);
    assert.equal(restart.code, 1);
    assert.match(restart.stderr, /^corral: envy: env_file \S+\.env: line 1: the value's " quote is never closed$/m);
    const [after] = await home.jlist();
    assert.deepEqual([after.status, after.pid], ['online', before.pid], 'the running app was left alone');
  });

  it('a crash relaunch that cannot read its env file ends errored, with the reason in describe and daemon.log', async () => {
    fs.writeFileSync(path.join(dir, '.env'), 'GOOD=1\n');
    await home.ok(['start', ecosystem({ env_file: '.env', env: { PRINT_VARS: 'GOOD' } })]);
    await runs(1);
    const events = await home.events();
    fs.rmSync(path.join(dir, '.env'));
    await home.ok(['sendSignal', 'SIGKILL', 'envy']);
    // The relaunch may fail before sendSignal returns: an event already seen counts.
    const errored = await events.some((event) => event.name === 'envy' && event.status === 'errored', 'envy to be errored', WAIT_MS);
    assert.match(errored.detail, /env_file \S+\.env: file not found/);
    const [description] = JSON.parse((await home.ok(['describe', 'envy', '--json'])).stdout) as ProcessDescription[];
    assert.match(description.last_reason_detail ?? '', /env_file \S+\.env: file not found/);
    await until(
      () => /envy\[0\] errored \(launch-failed\) envy: env_file \S+\.env: file not found/.test(fs.readFileSync(path.join(home.home, 'daemon.log'), 'utf8')),
      'the reason in daemon.log',
      WAIT_MS,
    );
  });

  it('describe names every variable with its source and no value; the secret appears nowhere but corral env', async () => {
    fs.writeFileSync(path.join(dir, '.env'), `API_TOKEN=${SECRET}\n`);
    const events = await home.events();
    await home.ok(
      ['start', ecosystem({ env_file: '.env', env: { PRINT_VARS: 'STAGE', OWN: 'x' }, env_production: { STAGE: 'prod' } }), '--env', 'production'],
      {
        env: { FROM_SHELL: 'shell-value' },
      },
    );
    await runs(1);
    const text = (await home.ok(['describe', 'envy'])).stdout;
    assert.match(text, /env from env_file \.env\s+│ API_TOKEN\s/);
    assert.match(text, /env from env\s+│ OWN, PRINT_VARS\s/);
    assert.match(text, /env from env_production\s+│ STAGE\s/);
    const [description] = JSON.parse((await home.ok(['describe', 'envy', '--json'])).stdout) as ProcessDescription[];
    assert.equal(description.config.env_sources.API_TOKEN, `env_file ${path.join(dir, '.env')}`);
    assert.equal(description.config.env_sources.FROM_SHELL, 'inherited');
    assert.equal(description.config.env_sources.STAGE, 'env_production');
    assert.ok(description.config.env_keys.includes('API_TOKEN'));
    const shown = [
      text,
      JSON.stringify(description),
      (await home.ok(['jlist'])).stdout,
      JSON.stringify(events.seen),
      fs.readFileSync(path.join(home.home, 'daemon.log'), 'utf8'),
    ];
    for (const output of shown) assert.doesNotMatch(output, new RegExp(SECRET));
    assert.match((await home.ok(['env', String(description.id)])).stdout, new RegExp(`^API_TOKEN=${SECRET}$`, 'm'));
  });

  it('--update-env drops a variable the caller no longer has; a plain restart keeps the old env, as PM2 does', async () => {
    await home.ok(['start', fixture('print-env.js'), '--name', 'envy'], { env: { PRINT_VARS: 'GOING,KEPT', GOING: 'here', KEPT: 'v1' } });
    assert.deepEqual(await runs(1), [{ GOING: 'here', KEPT: 'v1' }]);
    // The test runner itself has neither GOING nor KEPT: what the CLI's env lacks is gone from the caller's env.
    await home.ok(['restart', 'envy'], { env: { PRINT_VARS: 'GOING,KEPT', KEPT: 'v2' } });
    assert.deepEqual((await runs(2))[1], { GOING: 'here', KEPT: 'v1' });
    await home.ok(['restart', 'envy', '--update-env'], { env: { PRINT_VARS: 'GOING,KEPT', KEPT: 'v2' } });
    assert.deepEqual((await runs(3))[2], { GOING: null, KEPT: 'v2' });
    await home.ok(['reload', 'envy', '--update-env'], { env: { PRINT_VARS: 'GOING,KEPT' } });
    assert.deepEqual((await runs(4))[3], { GOING: null, KEPT: null });
  });
});
