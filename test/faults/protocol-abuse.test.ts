import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { fixture, TestHome, until } from '../support/harness';
import { ampFrame } from '../support/amp';
import { authenticatedConnection } from '../support/authenticated';
import { rss } from '../support/proc';

const frame = ampFrame;

/** Sends `payload` as a client that passed the handshake would (the garbage must reach pm2-axon's reader). */
async function send(home: string, payload: Buffer): Promise<void> {
  const socket = await authenticatedConnection(home, 'rpc.sock');
  return new Promise((resolve) => {
    socket.on('error', () => resolve());
    socket.on('close', () => resolve());
    socket.setTimeout(2000, () => socket.destroy());
    socket.end(payload);
  });
}

describe('faults: hostile and buggy clients', () => {
  let home: TestHome;
  before(() => {
    home = new TestHome();
  });
  after(() => home.cleanup());

  it('1,000 malformed frames: each dropped or answered with an error; the daemon stays up and its memory bounded', async function () {
    this.timeout(60_000);
    await home.ok(['start', fixture('idle.js'), '--name', 'bystander']);
    const daemon = home.daemonPid() as number;
    const before = rss(daemon);
    let seed = 42;
    const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const garbage = (size: number): Buffer => Buffer.from(Array.from({ length: size }, () => Math.floor(random() * 256)));
    const frames: Buffer[] = [];
    for (let i = 0; i < 250; i++) frames.push(garbage(1 + Math.floor(random() * 512)));
    for (let i = 0; i < 250; i++) frames.push(frame([Buffer.from(`j:{"type":"call","method":"ping","args":[{}`), Buffer.from('s:1')]));
    for (let i = 0; i < 200; i++)
      frames.push(frame([Buffer.from(JSON.stringify({ type: 'call', method: `nope${i}`, args: [{}] }).replace(/^/, 'j:')), Buffer.from('s:1')]));
    for (let i = 0; i < 200; i++)
      frames.push(
        frame([Buffer.from(`j:${JSON.stringify({ type: 'call', method: 'stop', args: i % 2 ? 'not-a-list' : [{ targets: 42 }] })}`), Buffer.from('s:1')]),
      );
    for (let i = 0; i < 100; i++)
      frames.push(
        frame([Buffer.from(`j:${JSON.stringify({ type: 'call', method: 'describe', args: [{ targets: ['x'.repeat(100_000)] }] })}`), Buffer.from('s:1')]),
      );
    for (let i = 0; i < frames.length; i += 50) await Promise.all(frames.slice(i, i + 50).map((payload) => send(home.home, payload)));
    const ping = JSON.parse((await home.ok(['ping'])).stdout);
    assert.equal(ping.pid, daemon, 'the same daemon answers');
    const [bystander] = await home.jlist();
    assert.equal(bystander.status, 'online');
    const growth = rss(daemon) - before;
    assert.ok(growth < 64 * 1024 * 1024, `daemon RSS grew ${Math.round(growth / 1048576)} MB`);
    const log = fs.readFileSync(path.join(home.home, 'daemon.log'), 'utf8');
    assert.ok(log.split('\n').filter((line) => line.includes('undecodable frame')).length <= 5, 'no log flood');
  });

  it('a 100 MB frame costs its sender the connection, not the daemon its memory (rpc and pub sockets)', async function () {
    this.timeout(60_000);
    const daemon = JSON.parse((await home.ok(['ping'])).stdout).pid as number;
    const before = rss(daemon);
    for (const name of ['rpc.sock', 'pub.sock'] as const) {
      const size = 100 * 1024 * 1024;
      const header = Buffer.alloc(5);
      header[0] = (1 << 4) | 1;
      header.writeUInt32BE(size, 1);
      const sent = await new Promise<number>((resolve) => {
        let written = 0;
        const chunk = Buffer.alloc(1024 * 1024, 'x');
        void authenticatedConnection(home.home, name).then((socket) => {
          socket.on('error', () => undefined);
          socket.on('close', () => resolve(written));
          socket.write(header);
          const pump = (): void => {
            while (written < size) {
              written += chunk.length;
              if (!socket.write(chunk)) return void socket.once('drain', pump);
            }
            socket.end();
          };
          pump();
        });
      });
      assert.ok(sent < 100 * 1024 * 1024, `${name}: the daemon read all ${sent} bytes instead of dropping the connection`);
    }
    const growth = rss(daemon) - before;
    assert.ok(growth < 64 * 1024 * 1024, `daemon RSS grew ${Math.round(growth / 1048576)} MB`);
    assert.equal(JSON.parse((await home.ok(['ping'])).stdout).pid, daemon, 'the same daemon answers');
    const log = fs.readFileSync(path.join(home.home, 'daemon.log'), 'utf8');
    assert.match(log, /dropped a connection that sent a frame of more than 33554432 bytes/);
  });

  it('an env value with NUL from a client is refused naming the variable, never its value', async () => {
    await home.ok(['ping']);
    const client = await home.connect();
    const call = (method: string, params: unknown): Promise<unknown> => (client.call as (m: string, p: unknown) => Promise<unknown>)(method, params);
    await assert.rejects(call('start', { apps: [{ script: '/bin/true', cwd: '/', name: 'nul', env: { SECRET_TOKEN: 'hunter\u00002' } }] }), (error: Error) => {
      assert.match(error.message, /env\.SECRET_TOKEN: must not contain a NUL character/);
      assert.ok(!error.message.includes('hunter'), error.message);
      return true;
    });
    assert.ok(!fs.readFileSync(path.join(home.home, 'daemon.log'), 'utf8').includes('hunter'), 'no value in daemon.log');
    assert.ok(!(await home.jlist()).some((process) => process.name === 'nul'));
  });

  it('every method checks its params: wrong types get a clear error, never a crash', async () => {
    const client = await home.connect();
    const call = (method: string, params: unknown): Promise<unknown> => (client.call as (m: string, p: unknown) => Promise<unknown>)(method, params);
    const cases: Array<[string, unknown, RegExp]> = [
      ['stop', { targets: 'all' }, /targets: expected one or more names/],
      ['stop', { targets: [] }, /targets: expected one or more names/],
      ['restart', { targets: [{}] }, /targets/],
      ['restart', { targets: ['all'], updateEnv: { A: 1 } }, /updateEnv: expected an object of strings/],
      ['start', { apps: 'x' }, /apps: expected a non-empty array/],
      ['start', { apps: [{ script: '/bin/true', cwd: 'relative', env: {} }] }, /cwd: expected an absolute path/],
      ['start', { apps: [{ script: '/bin/true', cwd: '/', env: { A: {} } }] }, /env: expected an object of strings/],
      ['start', { apps: [{ script: '/bin/true', cwd: '/', env: {}, instances: 1e9 }] }, /instances/],
      ['start', { apps: [{ script: '', cwd: '/', env: {} }] }, /script/],
      ['scale', { name: 'bystander', instances: '1e3' }, /scale: expected a number of instances/],
      ['scale', { name: 42, instances: 1 }, /scale: expected an app name/],
      ['sendSignal', { targets: ['bystander'], signal: 'rm -rf /' }, /unknown signal/],
      ['notifyFileSaved', { paths: [42] }, /absolute file paths/],
      ['describe', {}, /targets/],
      ['hello', { protocolVersion: 'x' }, /protocolVersion must be a number/],
      ['env', { target: 'all' }, /env: give one process id or name, not "all"/],
    ];
    for (const [method, params, expected] of cases) {
      await assert.rejects(call(method, params), (error: Error) => expected.test(error.message), `${method} ${JSON.stringify(params).slice(0, 80)}`);
    }
    await assert.rejects(call('start', null), /expected an object of parameters/);
    assert.equal((await client.call('ping', {})).pid, home.daemonPid());
  });
});

describe('faults: peers without the daemon key', () => {
  let home: TestHome;
  beforeEach(() => (home = new TestHome()));
  afterEach(() => home.cleanup());

  /** Everything `socket` receives until it closes (or `ms` pass). */
  const received = (socket: net.Socket, ms: number): Promise<{ bytes: number; closed: boolean }> =>
    new Promise((resolve) => {
      let bytes = 0;
      socket.on('data', (chunk: Buffer) => (bytes += chunk.length));
      socket.on('error', () => undefined);
      const timer = setTimeout(() => resolve({ bytes, closed: false }), ms);
      socket.on('close', () => {
        clearTimeout(timer);
        resolve({ bytes, closed: true });
      });
    });
  const connect = (file: string): Promise<net.Socket> =>
    new Promise((resolve, reject) => {
      const socket = net.createConnection(file, () => resolve(socket));
      socket.once('error', reject);
    });

  it('a request without the handshake, or with a wrong key, gets no answer and costs its sender the connection', async function () {
    this.timeout(30_000);
    await home.ok(['start', fixture('idle.js'), '--name', 'bystander']);
    const ping = frame([Buffer.from(`j:${JSON.stringify({ type: 'call', method: 'list', args: [{}] })}`), Buffer.from('s:1')]);
    const bare = await connect(path.join(home.home, 'rpc.sock'));
    bare.write(ping); // a frame is no handshake line: more than 256 bytes or a newline, and it is dropped
    bare.write(Buffer.alloc(300, 'x'));
    assert.deepEqual(await received(bare, 6000), { bytes: 0, closed: true });
    const wrong = await connect(path.join(home.home, 'rpc.sock'));
    wrong.write(`corral-auth 1 ${'0'.repeat(32)} ${'f'.repeat(64)}\n`);
    wrong.write(ping);
    assert.deepEqual(await received(wrong, 6000), { bytes: 0, closed: true });
    const log = path.join(home.home, 'daemon.log');
    await until(
      () => /rpc\.sock: dropped a connection that did not prove it knows the daemon key/.test(fs.readFileSync(log, 'utf8')),
      'the drop in daemon.log',
    );
    assert.equal((await home.jlist())[0].status, 'online', 'the daemon serves its own clients as before');
  });

  it('a subscriber without the handshake hears no event, not even a log line', async function () {
    this.timeout(30_000);
    await home.ok(['ping']);
    const listener = await connect(path.join(home.home, 'pub.sock'));
    const heard = received(listener, 8000); // the daemon closes it when the handshake is 5 s late
    const events = await home.events(); // a real subscriber, to know the events went out
    const online = events.status('loud', 'online');
    await home.ok(['start', fixture('idle.js'), '--name', 'loud']);
    await online;
    assert.deepEqual(await heard, { bytes: 0, closed: true });
  });

  it('a client sends nothing to a server that cannot prove it knows the key (a squatter on the socket)', async () => {
    // No daemon here: a stranger listens where rpc.sock would be, and the home holds a key it does not know.
    fs.writeFileSync(path.join(home.home, 'daemon.key'), `${'a'.repeat(64)}\n`, { mode: 0o600 });
    const got: Buffer[] = [];
    const squatter = net.createServer((socket) => {
      socket.on('data', (chunk: Buffer) => {
        got.push(chunk);
        socket.write(`ok ${'0'.repeat(64)}\n`);
      });
    });
    await new Promise<void>((resolve) => squatter.listen(path.join(home.home, 'rpc.sock'), resolve));
    try {
      const { DaemonClient } = await import('../../src/client/client');
      await assert.rejects(DaemonClient.connect({ home: home.home, spawn: false }), /did not prove it is this home.s daemon/);
      const sent = Buffer.concat(got).toString('latin1');
      assert.match(sent, /^corral-auth 1 [0-9a-f]{32} [0-9a-f]{64}\n$/, 'only the hello line, no request');
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });
});
