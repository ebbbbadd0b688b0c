/*
 * The README's command table ("Quick start (CLI)"), row by row, through the real CLI (dist/cli.js), a real
 * daemon and real child processes. Where another file already runs a row, it is named here; this file holds
 * what no other test ran.
 *
 * `start <script | ecosystem | name | id | all>...`
 *   several scripts, quoted command line, `start -`, -f ... pm2-semantics "start forms: several scripts, ..."
 *   a known name wins over PATH .......................... pm2-semantics "a known app name wins over a command ..."
 *   an ecosystem file, re-applied to running apps ........ ecosystem "…: starts all 3 apps …", "re-starting an ecosystem file …"
 *   a name (stopped app) ................................. lifecycle "start <name> starts a stopped app again; …"
 *   an id, all ........................................... here "start <id> and start all …"
 * `import pm2 [dump] [--dry-run | --write [file]]` ........ import-pm2 (a dump the real PM2 wrote: start, --dry-run, --write, bad dumps)
 * `stop | restart | delete <targets...>`
 *   name, id, all, regex, script path, several; none: exit 1  pm2-semantics "targets as PM2 takes them: …"
 *   stop/restart/delete by name and id ................... lifecycle "stop ends the process and keeps the entry; …"
 *   an ecosystem file as a target ........................ ecosystem "…: starts all 3 apps …" (stop, delete <file>)
 *   a namespace .......................................... here "stop | restart | delete <namespace> …"
 *   restart --update-env (and without it) ................ here "restart --update-env takes the shell's env; …"
 * `restart | reload <ecosystem>` ......................... pm2-semantics "restart/reload of an ecosystem file and startOrReload …"
 *   apps of the file not running yet start ............... here "restart <ecosystem>: …", "reload <ecosystem>: …"
 * `startOrRestart | startOrReload | startOrGracefulReload` here "<command> <ecosystem>: …" (one test per command;
 *                                                          startOrReload/startOrRestart also in that pm2-semantics test)
 * `reload <targets...>`
 *   cluster: one worker at a time, no failed request ..... cluster "three reloads under keep-alive load…", "wait_ready: …"
 *   fork apps restart .................................... cluster "reload of a fork-mode app is a restart; …"
 *   --update-env ......................................... pm2-semantics "reload --update-env gives the app the caller's env, …"
 * `serve [path] [port] [--spa] [--basic-auth-*] [--host h]` pm2-semantics "serve: a static folder as an app, …"
 *   defaults: `.` on 8080, every interface ............... here "serve with no arguments: …"
 * `reset <targets...>`
 *   restart counters ..................................... pm2-semantics "reset, pid, id, and PM2 module settings"
 *   the crash-loop counts ................................ here "reset also sets the crash-loop count back to 0"
 * `pid [name]`, `id <name>`
 *   pid <name>, id <name> ................................ pm2-semantics "reset, pid, id, and PM2 module settings"
 *   pid (every pid) ...................................... here "pid with no name prints every pid, …"
 * `set | get | unset | install <key>`
 *   set, install ......................................... pm2-semantics "reset, pid, id, and PM2 module settings"
 *   get, unset (and install of another module) ........... here "get and unset: …"
 * `scale <name> <n | +n | -n>`
 *   n, +n, bad values (cluster, under load) .............. cluster "scale up and down under load: 0 failed requests"
 *   -n, +n, n in fork and in cluster mode ................ here "scale -1 / +2 / n of a fork app …", "… of a cluster app …"
 * `list` / `ls` / `status`, `jlist`, `describe` / `show`
 *   jlist ................................................ pm2-semantics "jlist carries PM2's shape …", lifecycle "starts an HTTP app …"
 *   describe ............................................. restart-policy "… with the reason in describe", daemon "reports … on ping …"
 *   list, ls, status, describe = show .................... here "list, ls and status print the same table; …"
 * `logs [target] [--lines N] [--nostream] [--raw] [--err | --out]`
 *   --lines, --nostream, --raw, --out .................... logs "keeps 100,000 stdout … logs --lines 5 prints the last 5"
 *   the live stream ...................................... logs "logs streams live lines after the backfill"
 *   no target, --err ..................................... here "logs with no target shows every app; --err …"
 *   --err / --out on the live stream ..................... here "logs --err / --out stream only that stream's live lines"
 * `flush [target]`, `reloadLogs`
 *   flush <target> ....................................... logs "flush empties the log files", persistence "flush while the app writes …"
 *   reloadLogs ........................................... signals-and-files "reloadLogs reopens log files moved away …"
 *   flush (every app) .................................... here "flush with no target empties every app's files"
 *   SIGUSR2 to the daemon ................................ here "SIGUSR2 to the daemon reopens the log files, as reloadLogs does"
 * `sendSignal <signal> <target>`
 *   the app .............................................. signals-and-files "sendSignal delivers the signal to the app"
 *   its group and every child it started ................. here "sendSignal reaches the app's process group and a detached child …"
 * `monit`
 *   the live table, SIGINT ............................... monitoring "prints a live table with cpu and memory and quits on SIGINT"
 *   q quits (on a terminal) .............................. here "monit on a terminal quits on q …"
 * `save`, `resurrect` .................................... persistence "kill is a clean end: … resurrect …", "CORRAL_AUTOSAVE=0 …" (save),
 *                                                          "a truncated dump.json falls back …"
 * `env <id>` ............................................. isolation "a cluster worker's env has nothing of the daemon's env",
 *                                                          faults/security "an env secret never shows …; env <id> shows it …";
 *                                                          here "ecosystem writes a sample …" (env <id> of a fork app)
 * `inspect <id> [--close-after 10m]` ..................... inspect "opens the inspector …" (RPC), "restarts one instance …" (CLI),
 *                                                          "closes an inspector no debugger attached to after the bound; …" (--close-after 1s)
 * `inspect <id> --brk` ................................... debug-from-start "cluster: the break is in the container, …"
 * `web [--port] [--host] [--stop]` ....................... web "serves /, /processes and Prometheus /metrics …" (--port, --stop),
 *                                                          "on a non-loopback address every request needs the bearer token …" (--host)
 *   default port 9615, CORRAL_WEB ........................ here "web with no --port serves on 127.0.0.1:9615; CORRAL_WEB …"
 * `ping`, `kill`, `ecosystem`
 *   ping ................................................. daemon "five concurrent pings …", "reports protocol and daemon facts on ping …"
 *   kill ................................................. daemon "kill stops every app and the daemon and leaves no process behind"
 *   ecosystem ............................................ ecosystem "writes a sample ecosystem file that starts" (content, no overwrite);
 *                                                          here "ecosystem writes a sample that starts …" (it really starts)
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { CLI, fixture, processAlive, TestHome, until } from '../support/harness';
import { freePort } from '../support/load';

/** Generous: another suite may be running on the same two cores. */
const WAIT_MS = 20_000;

const PAD = 'x'.repeat(40);

function linesOf(file: string): string[] {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

/** The cells of every row of a box-drawn table (the header first). */
function tableRows(text: string): string[][] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('│'))
    .map((line) =>
      line
        .split('│')
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
}

/** Whether nothing listens on `port` on any interface, so a test may take a fixed default port. */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, () => server.close(() => resolve(true)));
  });
}

async function get(url: string): Promise<{ status: number; body: string } | null> {
  try {
    const response = await fetch(url);
    return { status: response.status, body: await response.text() };
  } catch {
    return null;
  }
}

const shellQuote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;

describe('README command table: the rows no other test runs', () => {
  let home: TestHome;
  beforeEach(() => (home = new TestHome()));
  afterEach(() => home.cleanup());

  const statuses = async (): Promise<string[]> => (await home.jlist()).map((process) => `${process.name}:${process.status}`);

  it('start <id> and start all start known apps that are stopped, under the same ids', async () => {
    for (const name of ['a', 'b', 'c']) await home.ok(['start', fixture('idle.js'), '--name', name]);
    const before = await home.jlist();
    await home.ok(['stop', 'all']);
    await home.ok(['start', String(before[1].id)]);
    assert.deepEqual(await statuses(), ['a:stopped', 'b:online', 'c:stopped']);
    await home.ok(['start', 'all']);
    const after = await home.jlist();
    assert.deepEqual(
      after.map((process) => [process.id, process.name, process.status]),
      before.map((process) => [process.id, process.name, 'online']),
    );
    for (const [index, process] of after.entries()) {
      assert.ok(process.pid && processAlive(process.pid), `${process.name} runs`);
      assert.notEqual(process.pid, before[index].pid, `${process.name} is a new process`);
    }
  });

  it('stop | restart | delete <namespace> act on the apps of that namespace only', async () => {
    await home.ok(['start', fixture('idle.js'), '--name', 'api', '--namespace', 'backend']);
    await home.ok(['start', fixture('idle.js'), '--name', 'worker', '--namespace', 'backend']);
    await home.ok(['start', fixture('idle.js'), '--name', 'site']);
    const [, , site] = await home.jlist();
    await home.ok(['stop', 'backend']);
    assert.deepEqual(await statuses(), ['api:stopped', 'worker:stopped', 'site:online']);
    await home.ok(['restart', 'backend']);
    assert.deepEqual(await statuses(), ['api:online', 'worker:online', 'site:online']);
    await home.ok(['delete', 'backend']);
    const left = await home.jlist();
    assert.deepEqual(
      left.map((process) => [process.name, process.pid]),
      [['site', site.pid]],
      'site was never touched',
    );
  });

  it("restart --update-env takes the shell's env; a plain restart keeps the env the app started with", async () => {
    const greetings = async (count: number): Promise<string[]> => {
      const [envy] = await home.jlist();
      const lines = await until(
        () => {
          const found = linesOf(envy.out_log);
          return found.length >= count ? found : undefined;
        },
        `${count} runs of envy to print`,
        WAIT_MS,
      );
      return lines.map((line) => JSON.parse(line).GREETING);
    };
    // Each run prints before the next restart: a run ended before it printed would leave no line.
    await home.ok(['start', fixture('print-env.js'), '--name', 'envy'], { env: { PRINT_VARS: 'GREETING', GREETING: 'hello' } });
    assert.deepEqual(await greetings(1), ['hello']);
    await home.ok(['restart', 'envy'], { env: { PRINT_VARS: 'GREETING', GREETING: 'bonjour' } });
    assert.deepEqual(await greetings(2), ['hello', 'hello']);
    await home.ok(['restart', 'envy', '--update-env'], { env: { PRINT_VARS: 'GREETING', GREETING: 'bonjour' } });
    assert.deepEqual(await greetings(3), ['hello', 'hello', 'bonjour']);
  });

  for (const command of ['restart', 'reload', 'startOrRestart', 'startOrReload', 'startOrGracefulReload']) {
    it(`${command} <ecosystem>: the running app takes the file's new env, the app not running yet starts`, async () => {
      const file = path.join(home.home, 'ecosystem.config.js');
      const write = (greeting: string): void =>
        fs.writeFileSync(
          file,
          `module.exports = { apps: [
  { name: 'envy', script: ${JSON.stringify(fixture('print-env.js'))}, env: { PRINT_VARS: 'GREETING', GREETING: '${greeting}' } },
  { name: 'later', script: ${JSON.stringify(fixture('idle.js'))} },
] };\n`,
        );
      write('hello');
      await home.ok(['start', file, '--only', 'envy']);
      const [before] = await home.jlist();
      await until(() => linesOf(before.out_log).length === 1, 'the first run of envy to print', WAIT_MS);
      write('bonjour');
      const result = await home.ok([command, file]);
      const verb = { restart: 'restarted', reload: 'reloaded', startOrRestart: 'started or restarted' }[command] ?? 'started or reloaded';
      assert.match(result.stdout, new RegExp(`${verb} envy \\(id ${before.id}\\)`));
      assert.match(result.stdout, new RegExp(`${verb} later \\(id \\d+\\)`));
      const after = await home.jlist();
      assert.deepEqual(
        after.map((process) => `${process.name}:${process.status}`),
        ['envy:online', 'later:online'],
      );
      assert.equal(after[0].id, before.id, 'the same app, not a second one');
      assert.notEqual(after[0].pid, before.pid, 'a new process for the new env');
      const lines = await until(
        () => {
          const found = linesOf(before.out_log);
          return found.length >= 2 ? found : undefined;
        },
        'the second run of envy',
        WAIT_MS,
      );
      assert.deepEqual(
        lines.map((line) => JSON.parse(line).GREETING),
        ['hello', 'bonjour'],
      );
    });
  }

  it('serve with no arguments: the current folder on port 8080, on every interface', async function () {
    this.timeout(40_000);
    if (!(await portFree(8080))) return this.skip(); // the default port is taken on this machine
    const site = fs.mkdtempSync(path.join(home.home, 'site-'));
    fs.writeFileSync(path.join(site, 'index.html'), '<h1>default</h1>');
    await home.ok(['serve'], { cwd: site });
    const [app] = await home.jlist();
    assert.deepEqual([app.name, app.status, app.cwd], ['static-page-server-8080', 'online', site]);
    const local = await until(
      async () => {
        const answer = await get('http://127.0.0.1:8080/');
        return answer?.status === 200 ? answer : undefined;
      },
      'the server on 127.0.0.1:8080',
      WAIT_MS,
    );
    assert.equal(local.body, '<h1>default</h1>');
    const external = Object.values(os.networkInterfaces())
      .flat()
      .find((address) => address && address.family === 'IPv4' && !address.internal);
    if (external)
      assert.deepEqual(await get(`http://${external.address}:8080/`), { status: 200, body: '<h1>default</h1>' }, `answers on ${external.address} too`);
  });

  it('reset also sets the crash-loop count (unstable restarts) back to 0', async function () {
    this.timeout(40_000);
    const events = await home.events();
    const crashed = events.next((event) => event.name === 'crasher' && event.status === 'online' && event.restarts >= 2, 'two restarts', WAIT_MS);
    // Every run is younger than min_uptime, so each restart counts towards the crash loop.
    await home.ok(['start', fixture('exit-after.js'), '--name', 'crasher', '--min-uptime', '60000'], { env: { DELAY_MS: '100' } });
    await crashed;
    await home.ok(['stop', 'crasher']);
    const [looping] = await home.jlist();
    assert.ok(looping.restarts >= 2 && looping.unstable_restarts >= 2, `restarts ${looping.restarts}, unstable ${looping.unstable_restarts}`);
    const result = await home.ok(['reset', 'crasher']);
    assert.match(result.stdout, /reset the counters of crasher \(id 0\)/);
    const [reset] = await home.jlist();
    assert.deepEqual([reset.restarts, reset.unstable_restarts], [0, 0]);
    assert.match((await home.ok(['describe', 'crasher'])).stdout, /│ unstable restarts +│ 0 +│/);
  });

  it('pid with no name prints every pid, one per line; stopped apps have none', async () => {
    await home.ok(['start', fixture('idle.js'), '--name', 'one']);
    await home.ok(['start', fixture('idle.js'), '--name', 'two', '-i', '2']);
    await home.ok(['start', fixture('idle.js'), '--name', 'off']);
    await home.ok(['stop', 'off']);
    const running = (await home.jlist()).filter((process) => process.pid !== null).map((process) => process.pid);
    assert.equal(running.length, 3);
    assert.deepEqual((await home.ok(['pid'])).stdout.trim().split('\n').map(Number), running);
  });

  it('get and unset: pm2-logrotate keys are accepted with a note; other keys and modules exit 1', async () => {
    for (const args of [
      ['get', 'pm2-logrotate:max_size'],
      ['unset', 'pm2-logrotate:retain'],
    ]) {
      const result = await home.ok(args);
      assert.match(result.stderr, /log rotation is built into Corral/, args.join(' '));
    }
    for (const args of [
      ['get', 'pm2:sysmonit'],
      ['unset', 'pm2:sysmonit'],
      ['install', 'pm2-server-monit'],
    ]) {
      const result = await home.cli(args);
      assert.equal(result.code, 1, args.join(' '));
      assert.match(result.stderr, new RegExp(`^corral: ${args[0]}: Corral has no modules or settings store \\(${args[1]}\\)`, 'm'));
    }
  });

  for (const mode of ['fork', 'cluster'] as const) {
    it(`scale -1 / +2 / n of a ${mode} app: the count follows, a removed instance ends, the others stay`, async function () {
      this.timeout(40_000);
      // -i alone means cluster mode (as in PM2): fork instances come from an ecosystem file.
      const file = path.join(home.home, 'scaled.config.js');
      fs.writeFileSync(
        file,
        `module.exports = { apps: [{ name: 'w', script: ${JSON.stringify(fixture('idle.js'))}, instances: 3, exec_mode: '${mode}' }] };\n`,
      );
      await home.ok(['start', file]);
      const before = await home.jlist();
      assert.deepEqual(
        before.map((process) => [process.exec_mode, process.status]),
        Array.from({ length: 3 }, () => [mode, 'online']),
      );
      await home.ok(['scale', 'w', '-1']);
      const fewer = await home.jlist();
      assert.deepEqual(
        fewer.map((process) => process.pid),
        before.slice(0, 2).map((process) => process.pid),
        'the first two keep running',
      );
      await until(() => !processAlive(before[2].pid as number), 'the removed instance to end', WAIT_MS);
      await home.ok(['scale', 'w', '+2']);
      const more = await home.jlist();
      assert.equal(more.length, 4);
      assert.ok(more.every((process) => process.exec_mode === mode && process.status === 'online' && process.pid && processAlive(process.pid)));
      await home.ok(['scale', 'w', '2']);
      const two = await home.jlist();
      assert.deepEqual(
        two.map((process) => process.pid),
        more.slice(0, 2).map((process) => process.pid),
      );
      for (const process of more.slice(2)) await until(() => !processAlive(process.pid as number), `removed instance ${process.id} to end`, WAIT_MS);
    });
  }

  it('list, ls and status print the same table; describe and show the same description', async () => {
    await home.ok(['start', fixture('idle.js'), '--name', 'up']);
    await home.ok(['start', fixture('idle.js'), '--name', 'down']);
    await home.ok(['stop', 'down']);
    const list = await home.jlist();
    const tables: Record<string, string[][]> = {};
    for (const command of ['list', 'ls', 'status']) tables[command] = tableRows((await home.ok([command])).stdout);
    const [headers, ...rows] = tables.list;
    assert.deepEqual(headers, ['id', 'name', 'mode', 'pid', 'status', '↺', 'uptime', 'cpu', 'memory', 'watching']);
    assert.deepEqual(
      rows.map((row) => [row[0], row[1], row[3], row[4]]),
      list.map((process) => [String(process.id), process.name, process.pid === null ? '-' : String(process.pid), process.status]),
    );
    // uptime, cpu and memory of a running app move between two calls; everything else must match.
    const steady = (table: string[][]): string[][] =>
      table.map((row) => row.map((cell, column) => (['uptime', 'cpu', 'memory'].includes(headers[column]) && row[4] === 'online' ? '*' : cell)));
    assert.deepEqual(steady(tables.ls), steady(tables.list), 'ls');
    assert.deepEqual(steady(tables.status), steady(tables.list), 'status');
    const described = (await home.ok(['describe', 'down'])).stdout;
    assert.match(described, /^Describing process 1 \(down\)/);
    assert.equal((await home.ok(['show', 'down'])).stdout, described);
  });

  it('logs with no target shows every app; --err and --out pick one stream; --lines N the last N', async () => {
    const events = await home.events();
    const done = Promise.all(['a', 'b'].map((name) => events.status(name, 'stopped', WAIT_MS)));
    for (const name of ['a', 'b'])
      await home.ok(['start', fixture('flood.js'), '--name', name, '--no-autorestart'], { env: { OUT_LINES: '3', ERR_LINES: '2' } });
    await done;
    const appLines = (stdout: string): string[] => stdout.split('\n').filter((line) => /^\d+\|/.test(line));
    const out = (i: number): string => `out ${i} ${PAD}`;
    const err = (i: number): string => `err ${i} ${PAD}`;
    const every = await home.ok(['logs', '--nostream']);
    assert.deepEqual(appLines(every.stdout), [
      ...[out(0), out(1), out(2), err(0), err(1)].map((line) => `0|a | ${line}`),
      ...[out(0), out(1), out(2), err(0), err(1)].map((line) => `1|b | ${line}`),
    ]);
    assert.deepEqual((await home.ok(['logs', '--nostream', '--raw', '--err'])).stdout.trimEnd().split('\n'), [err(0), err(1), err(0), err(1)]);
    assert.deepEqual((await home.ok(['logs', 'b', '--nostream', '--raw', '--out', '--lines', '2'])).stdout.trimEnd().split('\n'), [out(1), out(2)]);
    assert.deepEqual(appLines((await home.ok(['logs', 'a', '--nostream', '--err', '--lines', '1'])).stdout), [`0|a | ${err(1)}`]);
  });

  it("logs --err / --out stream only that stream's live lines", async function () {
    this.timeout(40_000);
    const script = path.join(home.home, 'both.js');
    fs.writeFileSync(
      script,
      `let count = 0;
process.on('SIGUSR2', () => { count++; process.stdout.write('to out ' + count + '\\n'); process.stderr.write('to err ' + count + '\\n'); });
console.log('ready');
setInterval(() => {}, 1000);
`,
    );
    await home.ok(['start', script, '--name', 'both']);
    const [both] = await home.jlist();
    await until(() => linesOf(both.out_log).includes('ready'), 'the app to be up', WAIT_MS);
    const follow = (flag: string): { output: () => string; stop: () => void } => {
      const logs = spawn(process.execPath, [CLI, 'logs', 'both', flag, '--raw', '--lines', '0'], {
        env: { ...process.env, CORRAL_HOME: home.home },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      home.track(logs.pid as number);
      let output = '';
      logs.stdout.on('data', (chunk: Buffer) => (output += chunk));
      logs.stderr.on('data', (chunk: Buffer) => (output += chunk)); // raw live err lines go to stderr
      return { output: () => output, stop: () => logs.kill('SIGINT') };
    };
    const errOnly = follow('--err');
    const outOnly = follow('--out');
    try {
      // The streams are subscribed once a signal's lines reach them; until then, signal again.
      let sent = 0;
      await until(
        async () => {
          await home.ok(['sendSignal', 'SIGUSR2', 'both']);
          sent++;
          await until(
            () => linesOf(both.err_log).includes(`to err ${sent}`) && linesOf(both.out_log).includes(`to out ${sent}`),
            `signal ${sent} in the files`,
            WAIT_MS,
          );
          return errOnly.output().includes('to err') && outOnly.output().includes('to out');
        },
        'both followers to stream',
        WAIT_MS,
      );
      // Everything of signal n was published before signal n + 1: once n + 1's line has arrived, any line of
      // the other stream from n would have arrived before it.
      await home.ok(['sendSignal', 'SIGUSR2', 'both']);
      sent++;
      await until(() => errOnly.output().includes(`to err ${sent}\n`) && outOnly.output().includes(`to out ${sent}\n`), "the last signal's lines", WAIT_MS);
      assert.doesNotMatch(errOnly.output(), /to out|ready/, '--err');
      assert.doesNotMatch(outOnly.output(), /to err|ready/, '--out');
    } finally {
      errOnly.stop();
      outOnly.stop();
    }
  });

  it("flush with no target empties every app's files", async () => {
    const events = await home.events();
    const done = Promise.all(['a', 'b'].map((name) => events.status(name, 'stopped', WAIT_MS)));
    for (const name of ['a', 'b'])
      await home.ok(['start', fixture('flood.js'), '--name', name, '--no-autorestart'], { env: { OUT_LINES: '10', ERR_LINES: '10' } });
    await done;
    const files = (await home.jlist()).flatMap((process) => [process.out_log, process.err_log]);
    assert.equal(new Set(files).size, 4);
    for (const file of files) assert.ok(fs.statSync(file).size > 0, `${file} has lines`);
    const result = await home.ok(['flush']);
    assert.match(result.stdout, /flushed 4 log files/);
    for (const file of files) assert.equal(fs.statSync(file).size, 0, `${file} is empty`);
  });

  it('SIGUSR2 to the daemon reopens the log files, as reloadLogs does', async () => {
    await home.ok(['start', fixture('on-signal.js'), '--name', 'rot']);
    const [rot] = await home.jlist();
    await until(() => linesOf(rot.out_log).includes('waiting for signals'), 'the first line', WAIT_MS);
    const rotated = `${rot.out_log}.1`;
    fs.renameSync(rot.out_log, rotated);
    const daemonLog = path.join(home.home, 'daemon.log');
    process.kill(home.daemonPid() as number, 'SIGUSR2');
    await until(() => /SIGUSR2: reopened 2 log files/.test(fs.readFileSync(daemonLog, 'utf8')), 'the daemon to reopen its files', WAIT_MS);
    await home.ok(['sendSignal', 'SIGUSR1', 'rot']);
    await until(() => linesOf(rot.out_log).some((line) => line.startsWith('line after signal')), 'a line in the new file', WAIT_MS);
    assert.deepEqual(linesOf(rotated), ['waiting for signals'], 'nothing more reached the moved file');
  });

  it("sendSignal reaches the app's process group and a detached child; the app itself lives on", async () => {
    const script = path.join(home.home, 'family.js');
    fs.writeFileSync(
      script,
      `const { spawn } = require('node:child_process');
const keep = 'setInterval(() => {}, 1000)';
const children = { 'in-group': spawn(process.execPath, ['-e', keep], { stdio: 'ignore' }), detached: spawn(process.execPath, ['-e', keep], { stdio: 'ignore', detached: true }) };
for (const [label, child] of Object.entries(children)) child.on('exit', (code, signal) => console.log(label + ' exited ' + signal));
process.on('SIGUSR2', () => console.log('parent got SIGUSR2'));
console.log('children ' + children['in-group'].pid + ' ' + children.detached.pid);
setInterval(() => {}, 1000);
`,
    );
    await home.ok(['start', script, '--name', 'family']);
    const [before] = await home.jlist();
    const pids = (await until(() => /^children (\d+) (\d+)$/m.exec(fs.readFileSync(before.out_log, 'utf8')) ?? undefined, 'the children', WAIT_MS))
      .slice(1)
      .map(Number);
    for (const pid of pids) home.track(pid);
    await home.ok(['sendSignal', 'SIGUSR2', 'family']);
    await until(() => pids.every((pid) => !processAlive(pid)), 'both children to end', WAIT_MS);
    const lines = await until(
      () => {
        const found = linesOf(before.out_log);
        return found.length >= 4 ? found : undefined;
      },
      'the parent to report',
      WAIT_MS,
    );
    assert.deepEqual(lines.slice(1).sort(), ['detached exited SIGUSR2', 'in-group exited SIGUSR2', 'parent got SIGUSR2']);
    const [after] = await home.jlist();
    assert.deepEqual([after.pid, after.status, after.restarts], [before.pid, 'online', 0]);
  });

  it('monit on a terminal quits on q and gives the screen back', async function () {
    this.timeout(40_000);
    await home.ok(['start', fixture('idle.js'), '--name', 'watched']);
    // script(1) gives monit a pseudo-terminal, so it reads keys in raw mode as it does for a user.
    const monit = spawn('script', ['-qfec', [process.execPath, CLI, 'monit'].map(shellQuote).join(' '), '/dev/null'], {
      env: { ...process.env, CORRAL_HOME: home.home },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    home.track(monit.pid as number);
    try {
      let output = '';
      monit.stdout.on('data', (chunk: Buffer) => (output += chunk));
      const exited = new Promise<number | null>((resolve) => monit.once('exit', (code) => resolve(code)));
      await until(() => output.includes('watched') && output.includes('online'), 'a monit row', WAIT_MS);
      assert.ok(output.includes('\u001b[?1049h'), 'monit took the alternate screen');
      const beforeQuit = output.length;
      monit.stdin.write('q');
      assert.equal(await exited, 0);
      assert.ok(output.slice(beforeQuit).includes('\u001b[?1049l'), 'and left it on q');
    } finally {
      if (monit.exitCode === null) monit.kill('SIGKILL');
    }
  });

  it('ecosystem writes a sample that starts, with env_production under --env production (env <id> shows it)', async () => {
    const project = path.join(home.home, 'project');
    fs.mkdirSync(project);
    await home.ok(['ecosystem'], { cwd: project });
    fs.copyFileSync(fixture('idle.js'), path.join(project, 'server.js')); // the sample's script
    await home.ok(['start', 'ecosystem.config.js', '--env', 'production'], { cwd: project });
    const [api] = await home.jlist();
    assert.deepEqual([api.name, api.status, api.script], ['api', 'online', path.join(project, 'server.js')]);
    await until(() => linesOf(api.out_log).includes(`idle ${api.pid}`), 'the sample app to run', WAIT_MS);
    assert.ok((await home.ok(['env', String(api.id)])).stdout.split('\n').includes('NODE_ENV=production'));
  });

  it('web with no --port serves on 127.0.0.1:9615; CORRAL_WEB=host:port serves from daemon start', async function () {
    this.timeout(40_000);
    const port = await freePort();
    await home.ok(['start', fixture('idle.js'), '--name', 'api'], { env: { CORRAL_WEB: `127.0.0.1:${port}` } });
    const early = await until(
      async () => {
        const answer = await get(`http://127.0.0.1:${port}/processes`);
        return answer?.status === 200 ? answer : undefined;
      },
      'the web API from CORRAL_WEB',
      WAIT_MS,
    );
    assert.deepEqual(
      JSON.parse(early.body).map((process: { name: string }) => process.name),
      ['api'],
    );
    await home.ok(['web', '--stop']);
    assert.equal(await get(`http://127.0.0.1:${port}/`), null, 'stopped');
    if (!(await portFree(9615))) return this.skip(); // the default port is taken on this machine
    const started = await home.ok(['web']);
    assert.match(started.stdout, /web API on http:\/\/127\.0\.0\.1:9615/);
    const answer = await get('http://127.0.0.1:9615/processes');
    assert.equal(answer?.status, 200);
    assert.deepEqual(
      JSON.parse(answer?.body ?? '[]').map((process: { name: string }) => process.name),
      ['api'],
    );
    await home.ok(['web', '--stop']);
  });
});
