import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { connectAxon } from '../../src/shared/axon';
import { daemonKey } from '../support/authenticated';
import { fixture, TestHome, until } from '../support/harness';

function checkEveryLineOnce(file: string, label: string, total: number): void {
  const text = fs.readFileSync(file, 'utf8');
  assert.ok(text.endsWith('\n'), `${file} ends with a whole line`);
  const lines = text.slice(0, -1).split('\n');
  assert.equal(lines.length, total, `${file} has ${total} lines`);
  const pad = 'x'.repeat(40);
  for (let i = 0; i < total; i++) {
    if (lines[i] !== `${label} ${i} ${pad}`) assert.fail(`${file} line ${i + 1} is ${JSON.stringify(lines[i].slice(0, 80))}, expected "${label} ${i} ..."`);
  }
}

describe('logs', () => {
  let home: TestHome;
  beforeEach(() => (home = new TestHome()));
  afterEach(() => home.cleanup());

  it('keeps 100,000 stdout and 10,000 stderr lines, each exactly once and whole; logs --lines 5 prints the last 5', async function () {
    this.timeout(60_000);
    const events = await home.events();
    const done = events.status('flood', 'stopped', 50_000);
    await home.ok(['start', fixture('flood.js'), '--name', 'flood', '--no-autorestart']);
    await done;
    const [flood] = await home.jlist();
    checkEveryLineOnce(flood.out_log, 'out', 100_000);
    checkEveryLineOnce(flood.err_log, 'err', 10_000);

    const raw = await home.ok(['logs', 'flood', '--lines', '5', '--nostream', '--raw', '--out']);
    assert.deepEqual(
      raw.stdout.trimEnd().split('\n'),
      [99_995, 99_996, 99_997, 99_998, 99_999].map((i) => `out ${i} ${'x'.repeat(40)}`),
    );
    const pretty = await home.ok(['logs', 'flood', '--lines', '5', '--nostream']);
    const outLines = pretty.stdout.split('\n').filter((line) => line.includes('| out '));
    const errLines = pretty.stdout.split('\n').filter((line) => line.includes('| err '));
    assert.equal(outLines.length, 5);
    assert.equal(errLines.length, 5);
    assert.match(outLines[4], /^\d+\|flood \| out 99999 /);
    assert.match(errLines[4], /err 9999 /);
  });

  it('publishes every line as an event', async () => {
    const client = await home.connect();
    const subscription = await client.subscribe();
    const received: string[] = [];
    const all = new Promise<void>((resolve) => {
      subscription.on('log:out', (event) => {
        if (event.name !== 'few') return;
        received.push(...event.lines);
        if (received.length >= 1000) resolve();
      });
    });
    await home.ok(['start', fixture('flood.js'), '--name', 'few', '--no-autorestart'], { env: { OUT_LINES: '1000', ERR_LINES: '0' } });
    await all;
    assert.equal(received.length, 1000);
    assert.equal(received[999], `out 999 ${'x'.repeat(40)}`);
    subscription.dispose();
  });

  it('prefixes lines with a timestamp with --time, and writes to custom files', async () => {
    const out = `${home.home}/custom-out.log`;
    const events = await home.events();
    const done = events.status('stamped', 'stopped');
    await home.ok(['start', fixture('flood.js'), '--name', 'stamped', '--no-autorestart', '--time', '-o', out, '-e', '/dev/null'], {
      env: { OUT_LINES: '3', ERR_LINES: '2' },
    });
    await done;
    const [stamped] = await home.jlist();
    assert.equal(stamped.out_log, out);
    assert.equal(stamped.err_log, '/dev/null');
    const lines = fs.readFileSync(out, 'utf8').trimEnd().split('\n');
    assert.equal(lines.length, 3);
    for (const [i, line] of lines.entries()) assert.match(line, new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d: out ${i} x+$`));
  });

  it('-l/--log writes out and err together into one more file (default <name>.log), each line once; flush and describe know it', async () => {
    const events = await home.events();
    const done = events.status('both', 'stopped');
    await home.ok(['start', fixture('flood.js'), '--name', 'both', '--no-autorestart', '-l'], { env: { OUT_LINES: '200', ERR_LINES: '100' } });
    await done;
    const [both] = await home.jlist();
    assert.equal(both.combined_log, `${home.home}/logs/both.log`);
    const lines = fs.readFileSync(both.combined_log, 'utf8').trimEnd().split('\n');
    const pad = 'x'.repeat(40);
    assert.deepEqual(
      lines.filter((line) => line.startsWith('out ')),
      Array.from({ length: 200 }, (_, i) => `out ${i} ${pad}`),
    );
    assert.deepEqual(
      lines.filter((line) => line.startsWith('err ')),
      Array.from({ length: 100 }, (_, i) => `err ${i} ${pad}`),
    );
    assert.equal(lines.length, 300);
    checkEveryLineOnce(both.out_log, 'out', 200);
    const pm2 = JSON.parse((await home.ok(['jlist'])).stdout).find((entry: { name: string }) => entry.name === 'both');
    assert.equal(pm2.pm2_env.pm_log_path, both.combined_log);
    assert.match((await home.ok(['describe', 'both'])).stdout, /combined log\s+.*both\.log/);
    await home.ok(['flush', 'both']);
    assert.equal(fs.statSync(both.combined_log).size, 0);
  });

  it('log_file in an ecosystem file: a path of its own, and one file shared with out_file gets each line once', async () => {
    const dir = fs.mkdtempSync(`${home.home}/eco-`);
    const file = `${dir}/ecosystem.config.js`;
    fs.writeFileSync(
      file,
      `module.exports = { apps: [
      { name: 'own', script: ${JSON.stringify(fixture('flood.js'))}, autorestart: false, log_file: 'combined.log', env: { OUT_LINES: '5', ERR_LINES: '5' } },
      { name: 'same', script: ${JSON.stringify(fixture('flood.js'))}, autorestart: false, out_file: 'same.log', log_file: 'same.log', env: { OUT_LINES: '5', ERR_LINES: '5' } },
    ] };\n`,
    );
    const events = await home.events();
    const done = Promise.all([events.status('own', 'stopped'), events.status('same', 'stopped')]);
    await home.ok(['start', file]);
    await done;
    const text = (name: string): string[] => fs.readFileSync(`${dir}/${name}`, 'utf8').trimEnd().split('\n');
    // The stop is announced once the pipes are read; the file writes may still be on their way.
    await until(() => text('combined.log').length >= 10 && text('same.log').length >= 10, 'every line in the files');
    assert.equal(text('combined.log').length, 10);
    const same = text('same.log');
    assert.equal(same.filter((line) => line.startsWith('out ')).length, 5, 'out lines once, not twice');
    assert.equal(same.filter((line) => line.startsWith('err ')).length, 5);
  });

  it('log_type json writes one JSON object per line with message, timestamp, type, process_id and app_name', async () => {
    const events = await home.events();
    const done = events.status('structured', 'stopped');
    await home.ok(['start', fixture('flood.js'), '--name', 'structured', '--no-autorestart', '--log-type', 'json', '-l'], {
      env: { OUT_LINES: '3', ERR_LINES: '2' },
    });
    await done;
    const [app] = await home.jlist();
    const parse = (file: string): Array<Record<string, unknown>> =>
      fs
        .readFileSync(file, 'utf8')
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line));
    const out = parse(app.out_log);
    assert.deepEqual(
      out.map((entry) => entry.message),
      [0, 1, 2].map((i) => `out ${i} ${'x'.repeat(40)}`),
    );
    for (const entry of out) {
      assert.deepEqual(Object.keys(entry), ['message', 'timestamp', 'type', 'process_id', 'app_name']);
      assert.equal(entry.type, 'out');
      assert.equal(entry.process_id, app.id);
      assert.equal(entry.app_name, 'structured');
      assert.ok(Math.abs(Date.parse(entry.timestamp as string) - Date.now()) < 60_000, `timestamp ${entry.timestamp}`);
    }
    assert.deepEqual(
      parse(app.err_log).map((entry) => entry.type),
      ['err', 'err'],
    );
    assert.equal(parse(app.combined_log as string).length, 5);
    const unknown = await home.cli(['start', fixture('idle.js'), '--name', 'plain', '--log-type', 'xml']);
    assert.equal(unknown.code, 0);
    assert.match(unknown.stderr, /--log-type: "xml" has no effect/);
  });

  it('--disable-logs keeps no log files', async () => {
    const events = await home.events();
    const done = events.status('quiet', 'stopped');
    await home.ok(['start', fixture('flood.js'), '--name', 'quiet', '--no-autorestart', '--disable-logs'], { env: { OUT_LINES: '3', ERR_LINES: '2' } });
    await done;
    const [quiet] = await home.jlist();
    assert.equal(quiet.out_log, '/dev/null');
    assert.equal(quiet.err_log, '/dev/null');
    assert.equal(quiet.combined_log, null);
    assert.deepEqual(
      fs.readdirSync(`${home.home}/logs`).filter((name) => name.startsWith('quiet')),
      [],
    );
  });

  it('flush empties the log files', async () => {
    const events = await home.events();
    const done = events.status('flushed', 'stopped');
    await home.ok(['start', fixture('flood.js'), '--name', 'flushed', '--no-autorestart'], { env: { OUT_LINES: '10', ERR_LINES: '10' } });
    await done;
    const [app] = await home.jlist();
    assert.ok(fs.statSync(app.out_log).size > 0);
    await home.ok(['flush', 'flushed']);
    assert.equal(fs.statSync(app.out_log).size, 0);
    assert.equal(fs.statSync(app.err_log).size, 0);
  });

  it('logs streams live lines after the backfill', async () => {
    await home.ok(['start', fixture('idle.js'), '--name', 'talker']);
    const { spawn } = await import('node:child_process');
    const { CLI } = await import('../support/harness');
    const logs = spawn(process.execPath, [CLI, 'logs', 'talker', '--raw', '--lines', '1'], {
      env: { ...process.env, CORRAL_HOME: home.home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    home.track(logs.pid as number);
    let output = '';
    const sawBackfill = new Promise<void>((resolve) =>
      logs.stdout.on('data', (chunk: Buffer) => {
        output += chunk;
        if (output.includes('idle ')) resolve();
      }),
    );
    await sawBackfill;
    // A restart prints a fresh "idle <pid>" line, which must arrive through the stream.
    await home.ok(['restart', 'talker']);
    const [talker] = await home.jlist();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no live line; got ${output}`)), 10_000);
      const check = (): void => {
        if (output.includes(`idle ${talker.pid}`)) {
          clearTimeout(timer);
          resolve();
        }
      };
      logs.stdout.on('data', check);
      check();
    });
    logs.kill('SIGINT');
  });
});

describe('recentLogs: backfill then stream, no line twice, none missing', () => {
  let home: TestHome;
  beforeEach(() => (home = new TestHome()));
  afterEach(() => home.cleanup());

  it('joins the in-memory backfill and the live events exactly at the stream offset', async () => {
    await home.ok(['start', fixture('ticker.js'), '--name', 'ticks'], { env: { TICK_MS: '2' } });
    const [ticks] = await home.jlist();
    const client = await home.connect();
    const subscription = await client.subscribe();
    const live: Array<{ offset: number; lines: string[] }> = [];
    let enough: () => void = () => undefined;
    const collected = new Promise<void>((resolve) => (enough = resolve));
    subscription.on('log:out', (event) => {
      if (event.id !== ticks.id) return;
      live.push({ offset: event.offset, lines: event.lines });
      if (live.length > 40) enough();
    });
    const { out } = await client.call('recentLogs', { id: ticks.id, lines: 30 });
    await collected;
    subscription.dispose();
    const joined = [...out.lines, ...live.filter((event) => event.offset >= out.end).flatMap((event) => event.lines)];
    const numbers = joined.map((line) => Number(/^tick (\d+) /.exec(line)?.[1]));
    assert.ok(numbers.length > 40);
    for (let i = 1; i < numbers.length; i++) assert.equal(numbers[i], numbers[i - 1] + 1, `consecutive at ${i}: ${numbers.slice(Math.max(0, i - 3), i + 2)}`);
    await assert.rejects(client.call('recentLogs', { id: 999, lines: 5 }), /no process with id 999/);
  });
});

describe('a slow event subscriber', () => {
  let home: TestHome;
  beforeEach(() => (home = new TestHome()));
  afterEach(() => home.cleanup());

  it('misses log lines rather than growing the daemon, but never a state change', async function () {
    this.timeout(60_000);
    const events = await home.events();
    // A raw subscriber that stops reading: the daemon's buffer for it fills with the flood's log lines.
    const axon = await import('pm2-axon');
    const slow = axon.socket('sub-emitter');
    const states: string[] = [];
    slow.on('process:event', (event: unknown) => states.push(`${(event as { name: string }).name}:${(event as { status: string }).status}`));
    await home.ok(['ping']);
    await connectAxon(slow.sock, `${home.home}/pub.sock`, daemonKey(home.home)); // accepted by the daemon once this resolves
    const [socket] = slow.sock.socks;
    socket.pause();
    const done = events.status('flood', 'stopped', 50_000);
    await home.ok(['start', fixture('flood.js'), '--name', 'flood', '--no-autorestart'], { env: { OUT_LINES: '1000000', ERR_LINES: '0' } });
    await done;
    socket.resume();
    try {
      await until(() => states.includes('flood:stopped'), 'the slow subscriber to see the stop');
    } finally {
      slow.close();
    }
  });
});
