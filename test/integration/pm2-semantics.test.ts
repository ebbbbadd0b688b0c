import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { fixture, httpGet, processAlive, ROOT, TestHome, until, workersListening } from '../support/harness';
import { freePort } from '../support/load';

// Ecosystem files and commands written for PM2 mean the same under Corral.
describe('PM2 semantics', () => {
  let home: TestHome;
  beforeEach(() => (home = new TestHome()));
  afterEach(() => home.cleanup());

  it('instances without exec_mode is cluster mode: every worker shares one fixed port', async function () {
    this.timeout(30_000);
    const port = await freePort();
    const file = path.join(home.home, 'ecosystem.config.js');
    fs.writeFileSync(
      file,
      `module.exports = { apps: [{ name: 'web', script: ${JSON.stringify(fixture('cluster-http.js'))}, instances: 2, env: { PORT: ${port} } }] };\n`,
    );
    await home.ok(['start', file]);
    const workers = await home.jlist();
    assert.deepEqual(
      workers.map((worker) => [worker.exec_mode, worker.status]),
      [
        ['cluster', 'online'],
        ['cluster', 'online'],
      ],
    );
    await workersListening(workers);
    const answers = new Set<string>();
    for (let i = 0; i < 40 && answers.size < 2; i++) answers.add((await httpGet(port)).body);
    assert.deepEqual([...answers].sort(), workers.map((worker) => String(worker.pid)).sort(), 'both workers answer on the one port');
    assert.ok(
      workers.every((worker) => worker.restarts === 0),
      'no EADDRINUSE crash loop',
    );
  });

  it('a known app name wins over a command of the same name on PATH', async () => {
    await home.ok(['start', fixture('idle.js'), '--name', 'sleep']);
    const [before] = await home.jlist();
    await home.ok(['stop', 'sleep']);
    await home.ok(['start', 'sleep']);
    const list = await home.jlist();
    assert.equal(list.length, 1, 'no second app from /bin/sleep');
    assert.deepEqual([list[0].id, list[0].script, list[0].status], [before.id, fixture('idle.js'), 'online']);
    // A command that is not a known app still starts as one.
    await home.ok(['start', 'sleep', '--name', 'nap', '--', '300']);
    const nap = (await home.jlist()).find((process) => process.name === 'nap');
    assert.equal(nap?.status, 'online');
    assert.equal(nap?.interpreter, 'none');
  });

  it('targets as PM2 takes them: a regex, a script path, several at once; nothing matched exits 1', async function () {
    this.timeout(30_000);
    for (const name of ['api-1', 'api-2', 'web']) await home.ok(['start', fixture('idle.js'), '--name', name]);
    await home.ok(['start', fixture('ticker.js'), '--name', 'ticker']);
    const statuses = async (): Promise<string[]> => (await home.jlist()).map((process) => `${process.name}:${process.status}`);
    await home.ok(['stop', '/^api-\\d+$/']);
    assert.deepEqual(await statuses(), ['api-1:stopped', 'api-2:stopped', 'web:online', 'ticker:online']);
    // A script path (relative to the shell's folder) names the apps running it.
    await home.ok(['stop', path.relative(process.cwd(), fixture('ticker.js'))]);
    assert.deepEqual(await statuses(), ['api-1:stopped', 'api-2:stopped', 'web:online', 'ticker:stopped']);
    await home.ok(['restart', '0', '1', 'ticker']);
    assert.deepEqual(await statuses(), ['api-1:online', 'api-2:online', 'web:online', 'ticker:online']);
    for (const args of [
      ['stop', '/^nope/'],
      ['stop', 'nothing-runs-this.js'],
      ['restart', '/(/'],
    ]) {
      const result = await home.cli(args);
      assert.equal(result.code, 1, args.join(' '));
      assert.match(
        result.stderr,
        /^corral: (no process name matches \/\^nope\/|no process runs .*nothing-runs-this\.js|\/\(\/: not a valid regular expression .*)$/m,
      );
    }
    await home.ok(['delete', 'all']);
    const empty = await home.cli(['restart', 'all']);
    assert.equal(empty.code, 1);
    assert.match(empty.stderr, /^corral: restart: no process matched "all"$/m);
  });

  it("reload --update-env gives the app the caller's env, as restart --update-env does", async function () {
    this.timeout(30_000);
    await home.ok(['start', fixture('print-env.js'), '--name', 'envy'], { env: { PRINT_VARS: 'GREETING', GREETING: 'hello' } });
    const [envy] = await home.jlist();
    // The first run must have printed before the reload ends it (online is not "has written").
    await until(() => fs.existsSync(envy.out_log) && fs.readFileSync(envy.out_log, 'utf8').includes('hello'), 'the first run');
    await home.ok(['reload', 'envy', '--update-env'], { env: { PRINT_VARS: 'GREETING', GREETING: 'bonjour' } });
    const lines = await until(() => {
      const found = fs.readFileSync(envy.out_log, 'utf8').trim().split('\n').filter(Boolean);
      return found.length >= 2 ? found : undefined;
    }, 'two runs');
    assert.deepEqual(
      lines.map((line) => JSON.parse(line).GREETING),
      ['hello', 'bonjour'],
    );
  });

  it('ecosystem files as PM2 reads them: JSON with comments, { pm2: [...] }, cmd, append_env_to_name, NULL logs, vizion', async function () {
    this.timeout(30_000);
    const idle = JSON.stringify(fixture('idle.js'));
    const file = path.join(home.home, 'process.json');
    fs.writeFileSync(
      file,
      `// PM2 accepts comments, unquoted keys and trailing commas here
{
  pm2: [
    { name: 'api', cmd: ${idle}, append_env_to_name: true, out_file: 'NULL', vizion: false, pmx: false, },
    /* a second app */ { name: 455, script: ${idle}, },
  ],
}
`,
    );
    const started = await home.ok(['start', file, '--env', 'staging']);
    assert.match(started.stderr, /process\.json: apps\[0\]\.pmx: accepted, no effect \(PM2\.io only\)/);
    const list = await home.jlist();
    assert.deepEqual(
      list.map((process) => [process.name, process.status]),
      [
        ['api-staging', 'online'],
        ['455', 'online'],
      ],
    );
    assert.equal(list[0].out_log, '/dev/null');
    const [description] = JSON.parse((await home.ok(['describe', 'api-staging', '--json'])).stdout);
    assert.equal(description.config.vizion, false);
    // A numeric name: an id first, the name when no process has that id.
    await home.ok(['stop', '455']);
    assert.deepEqual(
      (await home.jlist()).map((process) => process.status),
      ['online', 'stopped'],
    );
    const broken = path.join(home.home, 'broken.json');
    fs.writeFileSync(broken, '{ apps: [ { script: "x.js" ] }');
    const result = await home.cli(['start', broken]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^corral: .*broken\.json: cannot parse it: JSON5: invalid character '\]' at 1:28$/m);
  });

  it("jlist carries PM2's shape beside Corral's (pm_id, monit, pm2_env), never env values; prettylist is its pretty form", async function () {
    this.timeout(30_000);
    const port = await freePort();
    await home.ok(['start', fixture('cluster-http.js'), '--name', 'web', '-i', '2'], { env: { PORT: String(port), API_SECRET: 'pm2-shape-s3cr3t' } });
    await workersListening(await home.jlist());
    const { stdout } = await home.ok(['jlist']);
    assert.ok(!stdout.includes('pm2-shape-s3cr3t'), 'no env value');
    const list = JSON.parse(stdout);
    // What a tool written for `pm2 jlist` reads.
    const seen = list.map((p: { pm_id: number; name: string; pid: number; monit: { memory: number; cpu: number }; pm2_env: Record<string, unknown> }) => ({
      pm_id: p.pm_id,
      name: p.name,
      pid: p.pid,
      status: p.pm2_env.status,
      exec_mode: p.pm2_env.exec_mode,
      instance: p.pm2_env.NODE_APP_INSTANCE,
      restarts: p.pm2_env.restart_time,
      script: p.pm2_env.pm_exec_path,
      out: typeof p.pm2_env.pm_out_log_path,
      uptime: typeof p.pm2_env.pm_uptime,
      monit: [typeof p.monit.memory, typeof p.monit.cpu],
    }));
    assert.deepEqual(
      seen,
      list.map((p: { id: number; pid: number }, index: number) => ({
        pm_id: p.id,
        name: 'web',
        pid: p.pid,
        status: 'online',
        exec_mode: 'cluster_mode',
        instance: index,
        restarts: 0,
        script: fixture('cluster-http.js'),
        out: 'string',
        uptime: 'number',
        monit: ['number', 'number'],
      })),
    );
    assert.equal(list[0].id, list[0].pm_id, "Corral's own keys stay");
    const pretty = (await home.ok(['prettylist'])).stdout;
    assert.match(pretty, /pm2_env: \{/);
    assert.match(pretty, /exec_mode: 'cluster_mode'/);
    assert.ok(!pretty.includes('pm2-shape-s3cr3t'));
  });

  it('start forms: several scripts, a quoted command line, an ecosystem on stdin, -f for another copy', async function () {
    this.timeout(30_000);
    await home.ok(['start', fixture('idle.js'), fixture('ticker.js')]);
    assert.deepEqual(
      (await home.jlist()).map((process) => [process.name, process.status]),
      [
        ['idle', 'online'],
        ['ticker', 'online'],
      ],
    );
    // A command line in one argument, split without a shell: the quotes group, the semicolon is just text.
    await home.ok(['start', `${process.execPath} -e "setInterval(() => {}, 1000); console.log('one;two')"`, '--name', 'inline']);
    const inline = (await home.jlist()).find((process) => process.name === 'inline');
    assert.deepEqual(
      [inline?.status, inline?.script, inline?.args],
      ['online', process.execPath, ['-e', "setInterval(() => {}, 1000); console.log('one;two')"]],
    );
    await home.ok(['start', '-'], { input: JSON.stringify({ apps: [{ name: 'piped', script: path.relative(ROOT, fixture('idle.js')) }] }) });
    assert.equal((await home.jlist()).find((process) => process.name === 'piped')?.status, 'online');
    // Without -f a running script is an error; with it, another copy under the same name.
    const again = await home.cli(['start', fixture('idle.js')]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /app "idle" is already running/);
    await home.ok(['start', fixture('idle.js'), '-f']);
    const idles = (await home.jlist()).filter((process) => process.name === 'idle');
    assert.deepEqual(
      idles.map((process) => process.status),
      ['online', 'online'],
    );
    assert.notEqual(idles[0].pid, idles[1].pid);
    const named = await home.cli(['start', fixture('idle.js'), fixture('ticker.js'), '--name', 'x']);
    assert.equal(named.code, 1);
    assert.match(named.stderr, /--name names one app/);
  });

  it("restart --watch toggles watching, as PM2's does", async () => {
    await home.ok(['start', fixture('idle.js'), '--name', 'w']);
    const watching = async (): Promise<boolean | string[]> => (await home.jlist())[0].watch;
    assert.equal(await watching(), false);
    await home.ok(['restart', 'w', '--watch']);
    assert.equal(await watching(), true);
    await home.ok(['restart', 'w', '--watch']);
    assert.equal(await watching(), false);
    await home.ok(['restart', 'w']);
    assert.equal(await watching(), false);
  });

  it('reset, pid, id, and PM2 module settings', async function () {
    this.timeout(30_000);
    const events = await home.events();
    const crashed = events.next((event) => event.name === 'crasher' && event.status === 'online' && event.restarts === 2, 'two restarts');
    await home.ok(['start', fixture('exit-after.js'), '--name', 'crasher', '--min-uptime', '10'], { env: { DELAY_MS: '300' } });
    await crashed;
    await home.ok(['stop', 'crasher']);
    assert.equal((await home.jlist())[0].restarts, 2);
    await home.ok(['start', fixture('idle.js'), '--name', 'calm', '-i', '2']);
    await home.ok(['reset', 'crasher']);
    assert.equal((await home.jlist()).find((process) => process.name === 'crasher')?.restarts, 0);
    const calm = (await home.jlist()).filter((process) => process.name === 'calm');
    assert.deepEqual(
      (await home.ok(['pid', 'calm'])).stdout.trim().split('\n').map(Number),
      calm.map((process) => process.pid),
    );
    assert.equal((await home.ok(['id', 'calm'])).stdout.trim(), `[ ${calm.map((process) => process.id).join(', ')} ]`);
    assert.equal((await home.ok(['id', 'nobody'])).stdout.trim(), '[]');
    await home.ok(['stop', 'calm']);
    assert.equal((await home.ok(['pid', 'calm'])).stdout.trim(), '', 'a stopped app has no pid');
    const logrotate = await home.ok(['set', 'pm2-logrotate:max_size', '10M']);
    assert.match(logrotate.stderr, /log rotation is built into Corral/);
    await home.ok(['install', 'pm2-logrotate']);
    const other = await home.cli(['set', 'pm2:sysmonit', 'true']);
    assert.equal(other.code, 1);
    assert.match(other.stderr, /^corral: set: Corral has no modules or settings store \(pm2:sysmonit\)/m);
    const none = await home.cli(['reset', 'nobody']);
    assert.equal(none.code, 1);
  });

  it('serve: a static folder as an app, inside its root only, with --spa and basic auth', async function () {
    this.timeout(30_000);
    const site = fs.mkdtempSync(path.join(home.home, 'site-'));
    fs.writeFileSync(path.join(site, 'index.html'), '<h1>home</h1>');
    fs.mkdirSync(path.join(site, 'assets'));
    fs.writeFileSync(path.join(site, 'assets', 'app.js'), 'console.log(1)');
    fs.writeFileSync(path.join(site, '.env'), 'SECRET=1');
    fs.writeFileSync(path.join(home.home, 'outside.txt'), 'outside');
    fs.symlinkSync(path.join(home.home, 'outside.txt'), path.join(site, 'escape.txt'));
    const get = (port: number, pathname: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; type?: string }> =>
      new Promise((resolve, reject) => {
        const request = http.get({ host: '127.0.0.1', port, path: pathname, headers }, (response) => {
          let body = '';
          response.on('data', (chunk) => (body += chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body, type: response.headers['content-type'] }));
        });
        request.on('error', reject);
      });
    const port = await freePort();
    await home.ok(['serve', site, String(port), '--spa', '--host', '127.0.0.1']);
    const [app] = await home.jlist();
    assert.deepEqual([app.name, app.status], [`static-page-server-${port}`, 'online']);
    await until(async () => (await get(port, '/').catch(() => ({ status: 0 }))).status === 200, 'the server answering');
    assert.deepEqual(await get(port, '/'), { status: 200, body: '<h1>home</h1>', type: 'text/html; charset=utf-8' });
    assert.equal((await get(port, '/assets/app.js')).type, 'text/javascript; charset=utf-8');
    for (const pathname of ['/.env', '/%2e%2e/outside.txt', '/assets/..%2f..%2foutside.txt', '/escape.txt', '/assets/missing.js']) {
      assert.equal((await get(port, pathname)).status, 404, pathname);
    }
    assert.equal((await get(port, '/some/route')).body, '<h1>home</h1>', '--spa: unknown routes get index.html');
    const secured = await freePort();
    await home.ok([
      'serve',
      site,
      String(secured),
      '--basic-auth-username',
      'ann',
      '--basic-auth-password',
      'pa55',
      '--host',
      '127.0.0.1',
      '--name',
      'private',
    ]);
    await until(async () => (await get(secured, '/').catch(() => ({ status: 0 }))).status === 401, 'the secured server answering');
    const good = `Basic ${Buffer.from('ann:pa55').toString('base64')}`;
    assert.equal((await get(secured, '/', { authorization: `Basic ${Buffer.from('ann:wrong').toString('base64')}` })).status, 401);
    assert.equal((await get(secured, '/', { authorization: good })).status, 200);
    const described = (await home.ok(['describe', 'private'])).stdout;
    assert.ok(!described.includes('pa55'), 'the password is in no argv or output');
  });

  it("send writes a line to one process's stdin, fork or cluster; stdin stays open (no end-of-file)", async function () {
    this.timeout(30_000);
    const events = await home.events();
    const outLines = (name: string): Promise<string[]> =>
      home.jlist().then((list) => {
        const process = list.find((entry) => entry.name === name);
        return process && fs.existsSync(process.out_log) ? fs.readFileSync(process.out_log, 'utf8').split('\n') : [];
      });
    await home.ok(['start', fixture('echo-stdin.js'), '--name', 'echo']);
    await until(async () => (await outLines('echo')).includes('reading[0]'), 'echo reads');
    const [echo] = await home.jlist();
    assert.match((await home.ok(['send', String(echo.id), 'hello', 'world'])).stdout, /sent a line to echo/);
    await home.ok(['send', 'echo', 'by name']);
    await until(async () => (await outLines('echo')).includes('got[0]: by name'), 'the line by name');
    assert.deepEqual(
      (await outLines('echo')).filter((line) => line.startsWith('got') || line.startsWith('stdin')),
      ['got[0]: hello world', 'got[0]: by name'],
    );

    await home.ok(['start', fixture('echo-stdin.js'), '--name', 'many', '-i', '2']);
    await until(async () => (await home.jlist()).filter((process) => process.name === 'many' && process.status === 'online').length === 2, 'cluster online');
    const many = (await home.jlist()).filter((process) => process.name === 'many');
    const second = many.find((process) => process.instance === 1);
    assert.ok(second);
    const lines = (process: { out_log: string }): string[] => (fs.existsSync(process.out_log) ? fs.readFileSync(process.out_log, 'utf8').split('\n') : []);
    await until(() => lines(second).includes('reading[1]'), 'the worker reads');
    await home.ok(['send', String(second.id), 'to the second worker']);
    await until(() => lines(second).includes('got[1]: to the second worker'), 'the worker got its line');
    assert.ok(!lines(many.find((process) => process.instance === 0) as { out_log: string }).some((line) => line.startsWith('got')), 'only that worker got it');

    const ambiguous = await home.cli(['send', 'many', 'x']);
    assert.equal(ambiguous.code, 1);
    assert.match(ambiguous.stderr, /has 2 instances: give one id/);
    const stopped = events.status('echo', 'stopped');
    await home.ok(['stop', 'echo']);
    await stopped;
    const notRunning = await home.cli(['send', 'echo', 'x']);
    assert.equal(notRunning.code, 1);
    assert.match(notRunning.stderr, /not running/);
    assert.equal((await home.cli(['send', '99', 'x'])).code, 1);
    assert.equal((await home.cli(['send', '0'])).code, 1, 'a line is required');
  });

  it("attach streams one process's output and sends each typed line to its stdin; Ctrl-C detaches and the app goes on", async function () {
    this.timeout(30_000);
    await home.ok(['start', fixture('echo-stdin.js'), '--name', 'shell']);
    const [shell] = await home.jlist();
    const { spawn } = await import('node:child_process');
    const { CLI } = await import('../support/harness');
    const attach = spawn(process.execPath, [CLI, 'attach', String(shell.id)], {
      env: { ...process.env, CORRAL_HOME: home.home },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    home.track(attach.pid as number);
    let output = '';
    let errors = '';
    attach.stdout.on('data', (chunk: Buffer) => (output += chunk));
    attach.stderr.on('data', (chunk: Buffer) => (errors += chunk));
    await until(() => errors.includes('attached to shell'), 'attached', 10_000);
    attach.stdin.write('first\nsecond\n');
    await until(() => output.includes('got[0]: first') && output.includes('got[0]: second'), 'both lines came back through attach', 10_000);
    const exited = new Promise<number | null>((resolve) => attach.once('exit', (code) => resolve(code)));
    attach.kill('SIGINT');
    assert.equal(await exited, 0);
    const [after] = await home.jlist();
    assert.deepEqual([after.status, after.pid], ['online', shell.pid]);
  });

  it('update replaces the daemon: apps come back with their restart counts, a stopped app stays stopped', async function () {
    this.timeout(60_000);
    await home.ok(['start', fixture('idle.js'), '--name', 'kept']);
    await home.ok(['start', fixture('idle.js'), '--name', 'resting']);
    await home.ok(['restart', 'kept']);
    await home.ok(['restart', 'kept']);
    await home.ok(['stop', 'resting']);
    const oldDaemon = home.daemonPid();
    assert.ok(oldDaemon);
    const update = await home.ok(['update']);
    assert.match(update.stdout, /updated the daemon: .*\(pid \d+\) -> .*\(pid \d+\), 2 processes back/);
    const newDaemon = home.daemonPid();
    assert.ok(newDaemon && newDaemon !== oldDaemon, 'a new daemon');
    assert.ok(!processAlive(oldDaemon), 'the old daemon is gone');
    const list = await home.jlist();
    assert.deepEqual(
      list.map((process) => [process.name, process.status, process.restarts]),
      [
        ['kept', 'online', 2],
        ['resting', 'stopped', 0],
      ],
    );
  });

  it('cleardump empties dump.json through the daemon, or by itself when none runs (never starting one)', async function () {
    this.timeout(30_000);
    const dump = path.join(home.home, 'dump.json');
    const apps = (file: string): string[] => JSON.parse(fs.readFileSync(file, 'utf8')).apps.map((app: { config: { name: string } }) => app.config.name);
    await home.ok(['start', fixture('idle.js'), '--name', 'saved']);
    await home.ok(['save']);
    assert.deepEqual(apps(dump), ['saved']);
    assert.match((await home.ok(['cleardump'])).stdout, /emptied .*dump\.json/);
    assert.deepEqual(apps(dump), []);
    assert.deepEqual(apps(`${dump}.bak`), ['saved'], 'the list before is kept');
    await home.ok(['save']);
    await home.ok(['kill']);
    assert.deepEqual(apps(dump), ['saved']);
    await home.ok(['cleardump']);
    assert.deepEqual(apps(dump), []);
    const pid = home.daemonPid();
    assert.ok(pid === null || !processAlive(pid), 'no daemon was started');
  });

  it('restart/reload of an ecosystem file and startOrReload re-read it and apply what changed', async function () {
    this.timeout(60_000);
    const file = path.join(home.home, 'ecosystem.config.js');
    const port = await freePort();
    const write = (greeting: string, instances: number): void =>
      fs.writeFileSync(
        file,
        `module.exports = { apps: [
  { name: 'envy', script: ${JSON.stringify(fixture('print-env.js'))}, env: { PRINT_VARS: 'GREETING,STAGE', GREETING: '${greeting}' }, env_production: { STAGE: 'prod' } },
  { name: 'web', script: ${JSON.stringify(fixture('cluster-http.js'))}, instances: ${instances}, env: { PORT: ${port} } },
] };\n`,
      );
    const lines = async (count: number): Promise<Array<Record<string, string | null>>> => {
      const envy = (await home.jlist()).find((process) => process.name === 'envy');
      return until(() => {
        const found = fs
          .readFileSync(envy?.out_log ?? '', 'utf8')
          .trim()
          .split('\n')
          .filter(Boolean);
        return found.length >= count ? found.map((line) => JSON.parse(line)) : undefined;
      }, `${count} runs of envy`);
    };
    write('hello', 2);
    await home.ok(['start', file]);
    write('bonjour', 2);
    await home.ok(['restart', file]);
    assert.deepEqual((await lines(2))[1], { GREETING: 'bonjour', STAGE: null });
    await home.ok(['reload', file, '--env', 'production']);
    assert.deepEqual((await lines(3))[2], { GREETING: 'bonjour', STAGE: 'prod' });
    await home.ok(['reload', file]);
    assert.deepEqual((await lines(4))[3], { GREETING: 'bonjour', STAGE: null }, 'without --env the plain env applies again');
    // instances follow the file on reload; the old workers are reloaded, not replaced all at once
    const before = (await home.jlist()).filter((process) => process.name === 'web').map((process) => process.id);
    write('bonjour', 3);
    await home.ok(['startOrReload', file]);
    const web = (await home.jlist()).filter((process) => process.name === 'web');
    assert.equal(web.length, 3);
    assert.deepEqual(
      web.slice(0, 2).map((process) => process.id),
      before,
      'the same instances, reloaded',
    );
    assert.ok(web.every((process) => process.status === 'online'));
    await workersListening(web);
    assert.equal((await httpGet(port)).status, 200);
    await home.ok(['startOrRestart', file]);
    assert.equal((await home.jlist()).length, 4);
  });
});
