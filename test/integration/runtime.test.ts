import * as assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fixture, processAlive, ROOT, TestHome, until } from '../support/harness';
import { childrenOf } from '../support/proc';

const RUNTIME = path.join(ROOT, 'bin', 'corral-runtime');

interface Running {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<number | null>;
}

function run(home: TestHome, command: string, args: string[]): Running {
  const child = spawn(command, args, { env: { ...process.env, CORRAL_HOME: home.home, CORRAL_NODE: process.execPath }, stdio: ['ignore', 'pipe', 'pipe'] });
  home.track(child.pid as number);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

function ecosystem(home: TestHome, apps: object[]): string {
  const file = path.join(home.home, 'runtime.config.js');
  fs.writeFileSync(file, `module.exports = { apps: ${JSON.stringify(apps)} };`);
  return file;
}

describe('corral-runtime (foreground, for containers)', () => {
  let home: TestHome;
  beforeEach(() => (home = new TestHome()));
  afterEach(() => home.cleanup());

  it('runs the apps in the foreground with prefixed logs; the CLI reaches it; SIGTERM stops every app gracefully and exits 0', async function () {
    this.timeout(30_000);
    const eco = ecosystem(home, [
      { name: 'front', script: fixture('graceful.js'), kill_timeout: 3000 },
      { name: 'back', script: fixture('graceful.js'), kill_timeout: 3000 },
    ]);
    const runtime = run(home, RUNTIME, [eco]);
    await until(
      () => /0\|front \| graceful ready \d+/.test(runtime.stdout()) && /1\|back \| graceful ready \d+/.test(runtime.stdout()),
      'both apps to print',
      15_000,
    );
    const list = await home.jlist();
    assert.deepEqual(
      list.map((p) => [p.name, p.status]),
      [
        ['front', 'online'],
        ['back', 'online'],
      ],
    );
    const started = Date.now();
    runtime.child.kill('SIGTERM');
    assert.equal(await runtime.exited, 0);
    assert.ok(Date.now() - started < 3000, 'stopped within kill_timeout');
    assert.match(runtime.stdout(), /0\|front \| graceful stop/);
    assert.match(runtime.stdout(), /1\|back \| graceful stop/);
    for (const p of list) assert.ok(!processAlive(p.pid as number));
  });

  it('--json prints one object per line; --raw prints the app output as is', async function () {
    this.timeout(30_000);
    const eco = ecosystem(home, [{ name: 'solo', script: fixture('graceful.js') }]);
    const json = run(home, RUNTIME, [eco, '--json']);
    await until(() => json.stdout().includes('graceful ready'), 'output', 15_000);
    json.child.kill('SIGINT');
    assert.equal(await json.exited, 0);
    const records = json
      .stdout()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const log = records.find((record) => record.type === 'log');
    assert.equal(log.app, 'solo');
    assert.equal(log.stream, 'out');
    assert.match(log.message, /^graceful ready \d+$/);
    const raw = run(home, RUNTIME, [fixture('graceful.js'), '--raw', '--name', 'plain']);
    await until(() => /^graceful ready \d+$/m.test(raw.stdout()), 'raw output', 15_000);
    raw.child.kill('SIGTERM');
    assert.equal(await raw.exited, 0);
  });

  it('exits non-zero when every app ends errored', async function () {
    this.timeout(30_000);
    const eco = ecosystem(home, [{ name: 'doomed', script: fixture('exit-after.js'), max_restarts: 2, env: { DELAY_MS: '10' } }]);
    const runtime = run(home, RUNTIME, [eco]);
    assert.equal(await runtime.exited, 1);
    assert.match(runtime.stderr(), /every app has ended, some errored/);
  });

  it('refuses to start when a daemon already serves the home', async () => {
    await home.ok(['ping']);
    const runtime = run(home, RUNTIME, [fixture('idle.js')]);
    assert.equal(await runtime.exited, 1);
    assert.match(runtime.stderr(), /a Corral daemon already serves/);
  });

  it('as PID 1 (a new PID namespace) reaps orphaned zombies', async function () {
    this.timeout(30_000);
    if (spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true']).status !== 0) this.skip(); // needs CAP_SYS_ADMIN
    const eco = ecosystem(home, [{ name: 'orphaner', script: fixture('orphaner.js') }]);
    const runtime = run(home, 'unshare', ['--pid', '--fork', '--mount-proc', RUNTIME, eco]);
    // Inside the namespace the shell is PID 1; outside it is the unshare process's child.
    const shell = await until(() => childrenOf(runtime.child.pid as number)[0], 'the PID-1 shell');
    home.track(shell);
    await until(() => /orphan \d+/.test(runtime.stdout()), 'the orphan', 15_000);
    const orphan = Number(/orphan (\d+)/.exec(runtime.stdout())?.[1]);
    void orphan; // its pid is the namespace's; the host sees it as a second child of the shell
    // The orphaned sleep is reparented to the shell; when it ends (2 s) it must not stay a zombie.
    await until(() => childrenOf(shell).length === 2, 'the orphan to be reparented to PID 1', 5000);
    await until(() => childrenOf(shell).length === 1, 'only Node left under the shell (the sleep ended and was reaped)', 10_000);
    assert.deepEqual(childrenOf(shell, 'Z'), []);
    process.kill(shell, 'SIGTERM'); // the shell forwards it to Node, which stops the apps
    assert.equal(await runtime.exited, 0);
  });
});
