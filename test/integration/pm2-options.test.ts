import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ProcessDescription } from '../../src/shared/protocol';
import { CLI, fixture, httpGet, TestHome, until } from '../support/harness';
import { freePort } from '../support/load';

// PM2's options and flags beyond the common ones: what its users' files and scripts pass.
describe('PM2 options and flags', () => {
  let home: TestHome;
  beforeEach(() => (home = new TestHome()));
  afterEach(() => home.cleanup());

  const describeApp = async (name: string): Promise<ProcessDescription> => JSON.parse((await home.ok(['describe', name, '--json'])).stdout)[0];
  const envOf = async (id: number): Promise<Record<string, string>> =>
    Object.fromEntries(
      (await home.ok(['env', String(id)])).stdout
        .trimEnd()
        .split('\n')
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );

  it('restart and reload take app flags and "-- args" as PM2 does; a bad value names the flag and changes nothing', async function () {
    this.timeout(30_000);
    await home.ok(['start', fixture('idle.js'), '--name', 'tuned']);
    const before = await describeApp('tuned');
    await home.ok(['restart', 'tuned', '--max-memory-restart', '300M', '--cron-restart', '0 3 * * *', '--', '--port', '81']);
    const after = await describeApp('tuned');
    assert.deepEqual([after.config.max_memory_restart, after.config.cron_restart, after.config.args], [300 * 1024 * 1024, '0 3 * * *', ['--port', '81']]);
    assert.notEqual(after.pid, before.pid, 'restarted');
    await home.ok(['reload', 'tuned', '--kill-timeout', '2500']);
    assert.equal((await describeApp('tuned')).config.kill_timeout, 2500);
    assert.deepEqual((await describeApp('tuned')).config.args, ['--port', '81'], 'a reload without "-- args" keeps them');

    const bad = await home.cli(['restart', 'tuned', '--max-memory-restart', 'lots']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /--max-memory-restart: expected a size/);
    assert.equal((await describeApp('tuned')).config.max_memory_restart, 300 * 1024 * 1024);
    const renamed = await home.cli(['restart', 'tuned', '--name', 'other']);
    assert.equal(renamed.code, 1);
    assert.match(renamed.stderr, /--name: cannot change on a restart/);
  });

  it('ecosystem options PM2 has: autostart, exec/command, a script with arguments, out_log/err_log/log, port, filter_env, uid, cron_restart 0', async function () {
    this.timeout(30_000);
    const dir = fs.mkdtempSync(path.join(home.home, 'eco-'));
    const file = path.join(dir, 'ecosystem.config.js');
    const me = os.userInfo().username;
    fs.writeFileSync(
      file,
      `module.exports = { apps: [
      { name: 'later', exec: ${JSON.stringify(fixture('idle.js'))}, autostart: false },
      { name: 'words', script: 'sleep 300', out_log: 'words.out', err_log: 'words.err', log: 'words.all', cron_restart: 0 },
      { name: 'ported', command: ${JSON.stringify(fixture('idle.js'))}, port: 4321, filter_env: ['CORRAL_TEST_SECRET'], uid: ${JSON.stringify(me)}, env: { OWN: '1' } },
      { name: 'bare', script: ${JSON.stringify(fixture('idle.js'))}, filter_env: true, env: { OWN: '2' } },
    ] };\n`,
    );
    const start = await home.ok(['start', file], { env: { CORRAL_TEST_SECRET: 'hidden', CORRAL_TEST_OTHER: 'seen' } });
    assert.doesNotMatch(start.stderr, /unknown option/);
    const list = await home.jlist();
    const byName = (name: string) => list.find((process) => process.name === name) as (typeof list)[number];
    assert.equal(byName('later').status, 'stopped', 'autostart: false registers it stopped');
    assert.equal(byName('words').status, 'online');
    assert.deepEqual([byName('words').script, byName('words').args], ['sleep', ['300']], 'split like a command line, no shell');
    assert.deepEqual(
      [byName('words').out_log, byName('words').err_log, byName('words').combined_log],
      [path.join(dir, 'words.out'), path.join(dir, 'words.err'), path.join(dir, 'words.all')],
    );
    const ported = await envOf(byName('ported').id);
    assert.deepEqual([ported.PORT, ported.OWN, ported.CORRAL_TEST_SECRET, ported.CORRAL_TEST_OTHER], ['4321', '1', undefined, 'seen']);
    const bare = await envOf(byName('bare').id);
    assert.deepEqual([bare.OWN, bare.CORRAL_TEST_OTHER, bare.PATH], ['2', undefined, undefined], 'filter_env: true keeps none of the shell env');
    await home.ok(['start', 'later']);
    assert.equal((await home.jlist()).find((process) => process.name === 'later')?.status, 'online');

    fs.writeFileSync(
      file,
      `module.exports = { apps: [{ name: 'rooted', script: ${JSON.stringify(fixture('idle.js'))}, uid: 'nobody-else-${process.pid}' }] };\n`,
    );
    const refused = await home.cli(['start', file]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /apps\[0\]\.uid: Corral runs apps as the user that runs it/);
    assert.ok(!(await home.jlist()).some((process) => process.name === 'rooted'));
  });

  it("start flags with PM2's value forms: --watch-delay in seconds, --watch <folder>, --stop-exit-codes 0 3, --no-autostart, -k, --filter-env", async function () {
    this.timeout(30_000);
    const src = fs.mkdtempSync(path.join(home.home, 'src-'));
    await home.ok(
      [
        'start',
        fixture('idle.js'),
        '--name',
        'w',
        '--watch',
        src,
        '--watch-delay',
        '2',
        '--stop-exit-codes',
        '0',
        '3',
        '-k',
        '900',
        '--filter-env',
        'CORRAL_TEST_',
      ],
      { env: { CORRAL_TEST_X: 'x' } },
    );
    const list = await home.jlist();
    assert.deepEqual(
      list.map((process) => process.name),
      ['w'],
      '"3" and the folder were not start targets',
    );
    const w = await describeApp('w');
    assert.deepEqual([w.config.watch, w.config.watch_delay, w.config.stop_exit_codes, w.config.kill_timeout], [[src], 2000, [0, 3], 900]);
    assert.equal((await envOf(w.id)).CORRAL_TEST_X, undefined);
    await home.ok(['start', fixture('idle.js'), '--name', 'ms', '--watch-delay', '250ms', '--no-autostart']);
    const ms = await describeApp('ms');
    assert.deepEqual([ms.config.watch_delay, ms.status], [250, 'stopped']);
    const noDaemon = await home.cli(['start', fixture('idle.js'), '--no-daemon']);
    assert.equal(noDaemon.code, 1);
    assert.match(noDaemon.stderr, /corral-runtime/);
  });

  it('an ecosystem start or restart takes --watch, --namespace and --gid from the command line for the apps that set none', async function () {
    this.timeout(20_000);
    const file = path.join(home.home, 'apps.json');
    fs.writeFileSync(
      file,
      JSON.stringify({
        apps: [
          { name: 'a', script: fixture('idle.js') },
          { name: 'b', script: fixture('idle.js'), namespace: 'own', watch: false },
        ],
      }),
    );
    const group = fs
      .readFileSync('/etc/group', 'utf8')
      .split('\n')
      .map((line) => line.split(':'))
      .find((fields) => Number(fields[2]) === process.getgid?.())?.[0];
    await home.ok(['start', file, '--watch=src', '--namespace', 'team', ...(group ? ['--gid', group] : [])]);
    const a = await describeApp('a');
    const b = await describeApp('b');
    assert.deepEqual([a.config.watch, a.namespace], [true, 'team'], 'what the app leaves out (watch: true as in PM2)');
    assert.deepEqual([b.config.watch, b.namespace], [false, 'own'], 'what the app sets itself stays');
    fs.writeFileSync(
      file,
      JSON.stringify({
        apps: [
          { name: 'a', script: fixture('idle.js') },
          { name: 'c', script: fixture('idle.js') },
        ],
      }),
    );
    await home.ok(['restart', file, '--namespace', 'team']);
    assert.equal((await describeApp('c')).namespace, 'team', 'restart <file> too');
    const refused = await home.cli(['start', file, '--uid', `nobody-else-${process.pid}`]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /--uid|uid: Corral runs apps as the user/);
  });

  it('restart <app> --watch=<paths> watches those paths (a bare --watch toggles); a script with a broken quote names the field', async function () {
    this.timeout(20_000);
    const src = fs.mkdtempSync(path.join(home.home, 'src-'));
    await home.ok(['start', fixture('idle.js'), '--name', 'p']);
    await home.ok(['restart', 'p', '--watch', src]);
    assert.deepEqual((await describeApp('p')).config.watch, [src]);
    const file = path.join(home.home, 'quote.json');
    fs.writeFileSync(file, JSON.stringify({ apps: [{ name: 'q', script: "npm 'run" }] }));
    const broken = await home.cli(['start', file]);
    assert.equal(broken.code, 1);
    assert.match(broken.stderr, /quote\.json: apps\[0\]\.script: not a file, and not a command line either: unterminated ' quote/);
  });

  it('list --sort, -m, --no-color; -V; serve --port; startup --wait-ip; PM2.io commands', async function () {
    this.timeout(30_000);
    for (const name of ['beta', 'alpha', 'gamma']) await home.ok(['start', fixture('idle.js'), '--name', name]);
    const names = (text: string): string[] => text.split('\n').flatMap((line) => /\b(alpha|beta|gamma)\b/.exec(line)?.[1] ?? []);
    assert.deepEqual(names((await home.ok(['list', '--sort', 'name'])).stdout), ['alpha', 'beta', 'gamma']);
    assert.deepEqual(names((await home.ok(['ls', '--sort', 'name:desc'])).stdout), ['gamma', 'beta', 'alpha']);
    assert.deepEqual(names((await home.ok(['status', '--sort', 'id:desc'])).stdout), ['gamma', 'alpha', 'beta']);
    const badSort = await home.cli(['list', '--sort', 'colour']);
    assert.equal(badSort.code, 1);
    assert.match(badSort.stderr, /--sort: expected <field>/);
    const mini = (await home.ok(['list', '-m'])).stdout.trimEnd().split('\n');
    assert.equal(mini.length, 3);
    assert.match(mini[0], /^0 beta online \d+$/);
    assert.doesNotMatch((await home.ok(['list', '--no-color'])).stdout, /\u001b\[/);
    assert.match((await home.ok(['-V'])).stdout, /^\d+\.\d+\.\d+/);

    const port = await freePort();
    await home.ok(['serve', home.home, '--port', String(port), '--name', 'files']);
    await until(async () => (await httpGet(port, '/').catch(() => ({ status: 0 }))).status > 0, 'serve answers on --port');

    const unit = (await home.ok(['startup', 'systemd', '--wait-ip'])).stdout;
    assert.match(unit, /^Wants=network-online\.target$/m);
    assert.match(unit, /^After=network-online\.target$/m);
    assert.doesNotMatch((await home.ok(['startup', 'systemd'])).stdout, /network-online/);

    const monitor = await home.cli(['monitor', 'alpha']);
    assert.deepEqual([monitor.code, /PM2\.io monitoring only/.test(monitor.stderr)], [0, true]);
    const link = await home.cli(['link', 'secret', 'public']);
    assert.equal(link.code, 1);
    assert.match(link.stderr, /PM2\.io \(PM2 Plus\) only/);
    assert.equal((await home.cli(['module:install', 'pm2-logrotate'])).code, 0);
    assert.equal((await home.cli(['module:install', 'pm2-server-monit'])).code, 1);
    const parallel = await home.ok(['restart', 'all', '--parallel', '2']);
    assert.match(parallel.stderr, /--parallel: accepted, no effect/);
  });

  it("logs --format, --timestamp and --highlight; start --attach streams the new app's output", async function () {
    this.timeout(30_000);
    await home.ok(['start', fixture('ticker.js'), '--name', 'tick'], { env: { TICK_MS: '50' } });
    const [tick] = await home.jlist();
    await until(() => fs.existsSync(tick.out_log) && fs.readFileSync(tick.out_log, 'utf8').split('\n').length > 3, 'ticks in the file');
    const formatted = (await home.ok(['logs', 'tick', '--nostream', '--lines', '2', '--format', '--out'])).stdout.trimEnd().split('\n');
    assert.equal(formatted.length, 2);
    for (const line of formatted) assert.match(line, new RegExp(`^app=tick id=${tick.id} type=out message=tick \\d+ t+$`));

    const live = spawn(process.execPath, [CLI, 'logs', 'tick', '--lines', '0', '--timestamp', 'HH:mm:ss', '--highlight', 'tick'], {
      env: { ...process.env, CORRAL_HOME: home.home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    home.track(live.pid as number);
    let output = '';
    live.stdout.on('data', (chunk: Buffer) => (output += chunk));
    await until(() => /^\d\d:\d\d:\d\d \d+\|tick \| tick \d+/m.test(output), 'time-stamped live lines', 10_000);
    live.kill('SIGINT');

    const attached = spawn(process.execPath, [CLI, 'start', fixture('ticker.js'), '--name', 'fresh', '--attach'], {
      env: { ...process.env, CORRAL_HOME: home.home, TICK_MS: '50' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    home.track(attached.pid as number);
    let attachedOutput = '';
    attached.stdout.on('data', (chunk: Buffer) => (attachedOutput += chunk));
    await until(() => /\|fresh \| tick \d+/.test(attachedOutput), "the new app's lines after the table", 10_000);
    assert.doesNotMatch(attachedOutput, /\|tick \| tick/, 'only the started app');
    const exited = new Promise<number | null>((resolve) => attached.once('exit', (code) => resolve(code)));
    attached.kill('SIGINT');
    assert.equal(await exited, 0);
    assert.equal((await home.jlist()).find((process) => process.name === 'fresh')?.status, 'online', 'the app goes on');
  });
});
