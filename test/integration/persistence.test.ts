import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ProcessInfo } from '../../src/shared/protocol';
import { fixture, httpGet, processAlive, TestHome, until } from '../support/harness';
import { appProcesses } from '../support/proc';
import { freePort } from '../support/load';

function dumpApps(home: string): string[] {
  try {
    return JSON.parse(fs.readFileSync(path.join(home, 'dump.json'), 'utf8')).apps.map((app: { config: { name: string } }) => app.config.name);
  } catch {
    return [];
  }
}

describe('persistence', () => {
  let home: TestHome;
  beforeEach(() => (home = new TestHome()));
  afterEach(() => home.cleanup());

  async function threeApps(port: number): Promise<ProcessInfo[]> {
    await home.ok(['start', fixture('idle.js'), '--name', 'one']);
    await home.ok(['start', fixture('print-env.js'), '--name', 'two'], { env: { PRINT_VARS: 'SECRET_TOKEN', SECRET_TOKEN: 'tok-123-secret' } });
    await home.ok(['start', fixture('cluster-http.js'), '--name', 'web', '-i', '2'], { env: { PORT: String(port) } });
    await until(() => dumpApps(home.home).length === 3, 'autosave of 3 apps');
    return home.jlist();
  }

  it('after SIGKILL of the daemon the next command brings the same apps back, no duplicates, the port answers', async function () {
    this.timeout(60_000);
    const port = await freePort();
    const before = await threeApps(port);
    assert.equal(before.length, 4);
    const daemon = home.daemonPid() as number;
    process.kill(daemon, 'SIGKILL');
    await until(() => !processAlive(daemon), 'the daemon to die');
    const after = await home.jlist();
    assert.notEqual(home.daemonPid(), daemon);
    assert.deepEqual(
      after.map((p) => [p.name, p.status]),
      [
        ['one', 'online'],
        ['two', 'online'],
        ['web', 'online'],
        ['web', 'online'],
      ],
    );
    for (const p of before) assert.ok(!processAlive(p.pid as number), `old ${p.name} pid ${p.pid} is gone`);
    const running = appProcesses(home.home);
    for (const name of ['one', 'two', 'web']) {
      assert.deepEqual(
        running.get(name)?.sort(),
        after
          .filter((p) => p.name === name)
          .map((p) => p.pid)
          .sort(),
        `exactly the listed ${name} processes run`,
      );
    }
    await until(
      () =>
        httpGet(port).then(
          (r) => after.some((p) => String(p.pid) === r.body),
          () => false,
        ),
      'the cluster port to answer from a new worker',
    );
    const line = await until(() => fs.readFileSync(after[1].out_log, 'utf8').trim().split('\n').pop(), 'two output');
    assert.deepEqual(JSON.parse(line), { SECRET_TOKEN: 'tok-123-secret' }, 'env comes back with the app');
  });

  it('kill is a clean end: the next daemon starts empty, and resurrect brings back the saved list', async function () {
    this.timeout(60_000);
    const port = await freePort();
    await threeApps(port);
    await home.ok(['stop', 'one']);
    await until(() => JSON.parse(fs.readFileSync(path.join(home.home, 'dump.json'), 'utf8')).apps[0].stopped === true, 'autosave of the stop');
    await home.ok(['kill']);
    await home.ok(['ping']);
    assert.deepEqual(await home.jlist(), []);
    const result = await home.ok(['resurrect']);
    assert.match(result.stdout, /resurrected 4 processes/);
    const list = await home.jlist();
    assert.deepEqual(
      list.map((p) => [p.name, p.status]),
      [
        ['one', 'stopped'],
        ['two', 'online'],
        ['web', 'online'],
        ['web', 'online'],
      ],
    );
    const again = await home.ok(['resurrect']);
    assert.match(again.stdout, /resurrected 0 processes/, 'running apps are not started twice');
  });

  it('a truncated dump.json falls back to dump.json.bak with a warning', async () => {
    await home.ok(['start', fixture('idle.js'), '--name', 'first']);
    await until(() => dumpApps(home.home).length === 1, 'first dump');
    await home.ok(['start', fixture('idle.js'), '--name', 'second']);
    await until(() => dumpApps(home.home).length === 2, 'second dump');
    await home.ok(['save']);
    await home.ok(['kill']);
    const dump = path.join(home.home, 'dump.json');
    fs.writeFileSync(dump, fs.readFileSync(dump, 'utf8').slice(0, 50));
    await home.ok(['ping']);
    const result = await home.ok(['resurrect']);
    assert.match(result.stderr, /warning .*dump\.json is unreadable .*; using .*dump\.json\.bak/);
    assert.deepEqual(
      (await home.jlist()).map((p) => p.name),
      ['first', 'second'],
    );
  });

  it('a dump with no usable copy fails loudly instead of starting nothing', async () => {
    fs.writeFileSync(path.join(home.home, 'dump.json'), '{');
    fs.writeFileSync(path.join(home.home, 'dump.json.bak'), 'nope');
    const result = await home.cli(['resurrect']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /dump\.json is unreadable .* and .*dump\.json\.bak is unusable too .*nothing was resurrected/);
  });

  it('dump.json is 0600 and no env value reaches daemon.log', async () => {
    await home.ok(['start', fixture('idle.js'), '--name', 'secret'], { env: { DB_PASSWORD: 'pw-9876-secret' } });
    const dump = path.join(home.home, 'dump.json');
    await until(() => dumpApps(home.home).length === 1, 'the autosave');
    await home.ok(['save']); // the second write keeps the first as dump.json.bak
    assert.equal(fs.statSync(dump).mode & 0o777, 0o600);
    assert.equal(fs.statSync(`${dump}.bak`).mode & 0o777, 0o600);
    assert.match(fs.readFileSync(dump, 'utf8'), /pw-9876-secret/, 'the dump keeps env so resurrect can restore it');
    await home.ok(['restart', 'secret']);
    await home.ok(['stop', 'secret']);
    assert.ok(!fs.readFileSync(path.join(home.home, 'daemon.log'), 'utf8').includes('pw-9876-secret'));
  });

  it('CORRAL_AUTOSAVE=0 turns autosave off', async () => {
    await home.ok(['start', fixture('idle.js'), '--name', 'nosave'], { env: { CORRAL_AUTOSAVE: '0' } });
    await home.ok(['stop', 'nosave']);
    assert.ok(!fs.existsSync(path.join(home.home, 'dump.json')));
    await home.ok(['save']);
    assert.deepEqual(dumpApps(home.home), ['nosave']);
  });
});

describe('log rotation and flush', () => {
  let home: TestHome;
  beforeEach(() => (home = new TestHome()));
  afterEach(() => home.cleanup());

  it('50 MB of lines with log_max_size 1M and log_retain 3: at most 4 files, none over 1M + a line, lines whole, the newest all there', async function () {
    this.timeout(120_000);
    const events = await home.events();
    const done = events.status('big', 'stopped', 100_000);
    const eco = path.join(home.home, 'rotate.config.js');
    fs.writeFileSync(
      eco,
      `module.exports = { apps: [{ name: 'big', script: ${JSON.stringify(fixture('flood.js'))}, autorestart: false, log_max_size: '1M', log_retain: 3, env: { OUT_LINES: '1000000', ERR_LINES: '0' } }] };`,
    );
    await home.ok(['start', eco]);
    await done;
    const [big] = await home.jlist();
    const dir = path.dirname(big.out_log);
    await until(() => fs.readdirSync(dir).filter((f) => f.startsWith('big-out.log')).length <= 4, 'pruning to settle');
    const files = fs
      .readdirSync(dir)
      .filter((f) => f.startsWith('big-out.log'))
      .sort();
    assert.ok(files.length >= 2 && files.length <= 4, `files: ${files.join(', ')}`);
    // Oldest rotated first, the live file last: together they end with the newest lines, in order.
    const ordered = [...files.filter((f) => f !== 'big-out.log'), 'big-out.log'];
    let expected: number | null = null;
    for (const file of ordered) {
      const text = fs.readFileSync(path.join(dir, file), 'utf8');
      assert.ok(Buffer.byteLength(text) <= 1024 * 1024 + 100, `${file} is ${Buffer.byteLength(text)} bytes`);
      assert.ok(text.endsWith('\n'), `${file} ends with a whole line`);
      for (const entry of text.slice(0, -1).split('\n')) {
        const number = Number(/^out (\d+) x{40}$/.exec(entry)?.[1]);
        assert.ok(Number.isInteger(number), `whole line in ${file}: ${JSON.stringify(entry.slice(0, 60))}`);
        if (expected !== null) assert.equal(number, expected, `${file}: consecutive lines`);
        expected = number + 1;
      }
    }
    assert.equal(expected, 1_000_000, 'the very last line is there');
  });

  it('log_compress gzips rotated files', async function () {
    this.timeout(60_000);
    const events = await home.events();
    const done = events.status('gz', 'stopped', 50_000);
    await home.ok(['start', fixture('flood.js'), '--name', 'gz', '--no-autorestart', '--log-max-size', '100K', '--log-retain', '2', '--log-compress'], {
      env: { OUT_LINES: '20000', ERR_LINES: '0' },
    });
    await done;
    const [gz] = await home.jlist();
    const dir = path.dirname(gz.out_log);
    const compressed = await until(() => {
      const names = fs.readdirSync(dir).filter((f) => f.startsWith('gz-out.log.'));
      return names.length === 2 && names.every((f) => f.endsWith('.gz')) ? names : undefined;
    }, 'two gzipped rotations');
    const zlib = await import('node:zlib');
    const text = zlib.gunzipSync(fs.readFileSync(path.join(dir, compressed.sort()[1]))).toString();
    assert.match(text, /^out \d+ x{40}\n/);
  });

  it('flush while the app writes loses no line written after the cut', async function () {
    this.timeout(30_000);
    await home.ok(['start', fixture('on-signal.js'), '--name', 'talk']);
    const [talk] = await home.jlist();
    await until(() => fs.readFileSync(talk.out_log, 'utf8').includes('waiting for signals'), 'first line');
    await home.ok(['flush', 'talk']);
    assert.equal(fs.readFileSync(talk.out_log, 'utf8'), '');
    for (let i = 0; i < 5; i++) await home.ok(['sendSignal', 'SIGUSR2', 'talk']);
    await until(() => fs.readFileSync(talk.out_log, 'utf8').includes('got SIGUSR2 #5'), 'lines after the flush');
    const lines = fs.readFileSync(talk.out_log, 'utf8').trim().split('\n');
    assert.deepEqual(
      lines,
      [1, 2, 3, 4, 5].map((i) => `got SIGUSR2 #${i}`),
    );
  });

  it('logs --json prints one object per line', async () => {
    const events = await home.events();
    const done = events.status('jsonl', 'stopped');
    await home.ok(['start', fixture('flood.js'), '--name', 'jsonl', '--no-autorestart'], { env: { OUT_LINES: '3', ERR_LINES: '1' } });
    await done;
    const { stdout } = await home.ok(['logs', 'jsonl', '--json', '--nostream', '--lines', '10']);
    const records = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    assert.equal(records.length, 4);
    assert.deepEqual(Object.keys(records[0]).sort(), ['app', 'id', 'message', 'stream', 'time']);
    assert.deepEqual(
      records.map((r) => [r.app, r.stream]),
      [
        ['jsonl', 'out'],
        ['jsonl', 'out'],
        ['jsonl', 'out'],
        ['jsonl', 'err'],
      ],
    );
    assert.equal(records[2].message, `out 2 ${'x'.repeat(40)}`);
  });
});
