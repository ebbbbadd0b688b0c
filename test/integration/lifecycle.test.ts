import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { fixture, httpGet, processAlive, TestHome, until } from '../support/harness';

async function portOf(home: TestHome, logFile: string): Promise<number> {
  const line = await until(() => {
    const text = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '';
    return /listening on (\d+)/.exec(text.split('\n').filter(Boolean).pop() ?? '')?.[1];
  }, `a port in ${logFile}`);
  void home;
  return Number(line);
}

describe('lifecycle: start, stop, restart, delete (fork mode)', () => {
  let home: TestHome;
  beforeEach(() => (home = new TestHome()));
  afterEach(() => home.cleanup());

  it('starts an HTTP app that answers from the pid jlist reports', async () => {
    await home.ok(['start', fixture('http.js'), '--name', 'web']);
    const [web] = await home.jlist();
    assert.equal(web.name, 'web');
    assert.equal(web.status, 'online');
    assert.equal(web.exec_mode, 'fork');
    assert.ok(web.pid && processAlive(web.pid));
    assert.equal(web.script, fixture('http.js'));
    assert.equal(web.restarts, 0);
    for (const key of [
      'id',
      'namespace',
      'instance',
      'unstable_restarts',
      'started_at',
      'created_at',
      'cpu',
      'memory',
      'cwd',
      'interpreter',
      'out_log',
      'err_log',
      'pid_file',
      'watch',
      'autorestart',
    ]) {
      assert.ok(key in web, `jlist entry has ${key}`);
    }
    assert.ok(!('env' in web), 'jlist carries no env');
    const port = await portOf(home, web.out_log);
    assert.equal((await httpGet(port)).body, String(web.pid));
    assert.equal(fs.readFileSync(web.pid_file, 'utf8').trim(), String(web.pid));
  });

  it('stop ends the process and keeps the entry; restart brings a new pid and counts; delete removes it', async () => {
    const events = await home.events();
    await home.ok(['start', fixture('http.js'), '--name', 'web']);
    const [started] = await home.jlist();
    const oldPid = started.pid as number;

    const stopped = events.status('web', 'stopped');
    await home.ok(['stop', 'web']);
    await stopped;
    const [afterStop] = await home.jlist();
    assert.equal(afterStop.status, 'stopped');
    assert.equal(afterStop.pid, null);
    assert.ok(!processAlive(oldPid), 'the old process is gone');
    assert.ok(!fs.existsSync(started.pid_file), 'pid file removed');

    await home.ok(['restart', 'web']);
    const [afterRestart] = await home.jlist();
    assert.equal(afterRestart.status, 'online');
    assert.ok(afterRestart.pid && afterRestart.pid !== oldPid);
    assert.equal(afterRestart.restarts, 1);
    assert.equal(afterRestart.id, started.id, 'the id is stable');

    await home.ok(['restart', String(started.id)]);
    const [again] = await home.jlist();
    assert.equal(again.restarts, 2);
    assert.ok(!processAlive(afterRestart.pid as number));

    await home.ok(['delete', 'web']);
    assert.deepEqual(await home.jlist(), []);
    assert.ok(!processAlive(again.pid as number));
  });

  it('start <name> starts a stopped app again; start of a running app by script is refused', async () => {
    await home.ok(['start', fixture('idle.js'), '--name', 'idle']);
    const duplicate = await home.cli(['start', fixture('idle.js'), '--name', 'idle']);
    assert.equal(duplicate.code, 1);
    assert.match(duplicate.stderr, /already running/);
    await home.ok(['stop', 'idle']);
    await home.ok(['start', 'idle']);
    const [idle] = await home.jlist();
    assert.equal(idle.status, 'online');
  });

  it('passes args after --, sets the app name and instance variables, and keeps the caller env', async () => {
    await home.ok(['start', fixture('print-env.js'), '--name', 'envy', '--', 'one', 'two words'], {
      env: { PRINT_VARS: 'name,NODE_APP_INSTANCE,FROM_CALLER', FROM_CALLER: 'yes' },
    });
    const [envy] = await home.jlist();
    assert.deepEqual(envy.args, ['one', 'two words']);
    const line = await until(() => fs.readFileSync(envy.out_log, 'utf8').split('\n')[0], 'the env line');
    assert.deepEqual(JSON.parse(line), { name: 'envy', NODE_APP_INSTANCE: '0', FROM_CALLER: 'yes' });
  });

  it('runs several fork instances with their own ids, pids, logs and NODE_APP_INSTANCE', async () => {
    await home.ok(['start', fixture('print-env.js'), '--name', 'multi', '--instances', '2', '--merge-logs'], { env: { PRINT_VARS: 'NODE_APP_INSTANCE' } });
    const list = await home.jlist();
    assert.equal(list.length, 2);
    assert.deepEqual(
      list.map((p) => p.instance),
      [0, 1],
    );
    assert.notEqual(list[0].pid, list[1].pid);
    const log = list[0].out_log;
    assert.equal(list[1].out_log, log, 'merge_logs: one file');
    const lines = await until(() => {
      const found = fs.readFileSync(log, 'utf8').trim().split('\n').filter(Boolean);
      return found.length === 2 ? found : undefined;
    }, 'two env lines');
    assert.deepEqual(lines.map((l) => JSON.parse(l).NODE_APP_INSTANCE).sort(), ['0', '1']);
  });

  it('runs non-Node scripts with the interpreter their extension names', async () => {
    const script = `${home.home}/hello.sh`;
    fs.writeFileSync(script, 'echo "from bash $BASH_VERSION"\nsleep 30\n');
    await home.ok(['start', script, '--name', 'sh']);
    const [sh] = await home.jlist();
    assert.equal(sh.interpreter, 'bash');
    await until(() => /from bash \d/.test(fs.readFileSync(sh.out_log, 'utf8')), 'bash output');
  });

  it('wait_ready: online only after the app sends ready', async () => {
    const events = await home.events();
    const launched = events.status('ready', 'launching');
    const online = events.status('ready', 'online');
    await home.ok(['start', fixture('ready.js'), '--name', 'ready', '--wait-ready'], { env: { READY_DELAY_MS: '400' } });
    const [l, o] = await Promise.all([launched, online]);
    assert.ok(o.at - l.at >= 350, `online ${o.at - l.at} ms after launching`);
    assert.equal(o.reason, 'start');
  });

  it('shutdown_with_message: stop sends the message instead of SIGINT', async () => {
    await home.ok(['start', fixture('shutdown-message.js'), '--name', 'polite', '--shutdown-with-message', '--kill-timeout', '5000']);
    await home.ok(['stop', 'polite']);
    const [polite] = await home.jlist();
    assert.equal(polite.exit_code, 0);
    assert.equal(polite.exit_signal, null);
    assert.match(fs.readFileSync(polite.out_log, 'utf8'), /shutdown message received/);
  });
});

describe('CLI output through a pipe', () => {
  let home: TestHome;
  beforeEach(() => (home = new TestHome()));
  afterEach(() => home.cleanup());

  it('prints a long jlist whole', async function () {
    this.timeout(60_000);
    const dir = home.home;
    fs.writeFileSync(
      `${dir}/many.config.js`,
      `module.exports = { apps: Array.from({ length: 40 }, (_, i) => ({ name: 'app-' + i + '-' + 'x'.repeat(100), script: ${JSON.stringify(fixture('idle.js'))}, args: ['y'.repeat(2000)] })) };`,
    );
    await home.ok(['start', `${dir}/many.config.js`, '--silent']);
    const { stdout } = await home.ok(['jlist']);
    assert.ok(stdout.length > 80_000, `${stdout.length} characters`);
    assert.equal(JSON.parse(stdout).length, 40);
  });
});
