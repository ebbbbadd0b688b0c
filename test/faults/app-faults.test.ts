import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import type { DaemonClient } from '../../src/client/client';
import { fixture, processAlive, TestHome, until } from '../support/harness';

/**
 * Pings the daemon every 25 ms in the background: every ping must be answered within 2 s (the call's
 * timeout), whatever the app does. How fast it answers is measured by `npm run bench`, not here.
 */
class PingMonitor {
  slowest = 0;
  failures = 0;
  private running = true;
  private readonly loop: Promise<void>;
  constructor(client: DaemonClient) {
    this.loop = (async () => {
      while (this.running) {
        const started = process.hrtime.bigint();
        try {
          await client.call('ping', {}, 2000);
        } catch {
          this.failures++;
        }
        this.slowest = Math.max(this.slowest, Number(process.hrtime.bigint() - started) / 1e6);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    })();
  }
  async stop(): Promise<{ slowest: number; failures: number }> {
    this.running = false;
    await this.loop;
    return { slowest: this.slowest, failures: this.failures };
  }
}

describe('faults: misbehaving apps', () => {
  let home: TestHome;
  let monitor: PingMonitor;
  beforeEach(async () => {
    home = new TestHome();
    monitor = new PingMonitor(await home.connect());
  });
  afterEach(async () => {
    const { slowest, failures } = await monitor.stop();
    await home.cleanup();
    assert.equal(failures, 0, `every ping answered within 2 s (the slowest took ${slowest.toFixed(1)} ms)`);
  });

  it('SIGKILL of an app: restarted, the daemon unaffected', async () => {
    const events = await home.events();
    await home.ok(['start', fixture('idle.js'), '--name', 'victim']);
    const [victim] = await home.jlist();
    const back = events.next((e) => e.name === 'victim' && e.status === 'online' && e.reason === 'crash', 'the restart');
    process.kill(victim.pid as number, 'SIGKILL');
    const event = await back;
    assert.equal((await events.some((e) => e.name === 'victim' && e.status === 'waiting-restart', 'the crash')).exit_signal, 'SIGKILL');
    assert.notEqual(event.pid, victim.pid);
  });

  it('SIGSTOP/SIGCONT: still listed online, and a stop of a stopped process ends within kill_timeout', async () => {
    await home.ok(['start', fixture('ticker.js'), '--name', 'frozen', '--kill-timeout', '400']);
    const [frozen] = await home.jlist();
    process.kill(frozen.pid as number, 'SIGSTOP');
    assert.equal((await home.jlist())[0].status, 'online');
    process.kill(frozen.pid as number, 'SIGCONT');
    const size = fs.statSync(frozen.out_log).size;
    await until(() => fs.statSync(frozen.out_log).size > size, 'output after SIGCONT');
    process.kill(frozen.pid as number, 'SIGSTOP');
    await home.ok(['stop', 'frozen']);
    assert.ok(!processAlive(frozen.pid as number));
  });

  it('an app that closes its stdout keeps running and its stderr keeps flowing', async () => {
    await home.ok(['start', fixture('close-stdout.js'), '--name', 'mute']);
    const [mute] = await home.jlist();
    await until(
      () =>
        fs.existsSync(mute.err_log) &&
        fs
          .readFileSync(mute.err_log, 'utf8')
          .split('\n')
          .filter((l) => l === 'still alive').length >= 3,
      'stderr lines',
    );
    assert.equal(fs.readFileSync(mute.out_log, 'utf8'), 'before close\n');
    const [after] = await home.jlist();
    assert.equal(after.status, 'online');
    assert.equal(after.pid, mute.pid);
  });

  it('1 MB lines arrive whole', async function () {
    this.timeout(30_000);
    await home.ok(['start', fixture('long-lines.js'), '--name', 'wide'], { env: { LINES: '5', LINE_BYTES: String(1024 * 1024) } });
    const [wide] = await home.jlist();
    const lines = await until(
      () => {
        const text = fs.readFileSync(wide.out_log, 'utf8');
        return text.endsWith('done\n') ? text.split('\n') : undefined;
      },
      'all long lines',
      20_000,
    );
    assert.equal(lines.length, 7);
    for (let i = 0; i < 5; i++) {
      assert.equal(lines[i].length, 1024 * 1024 - 1, `line ${i} length`);
      assert.ok(lines[i].startsWith(`${i}:LLL`) && lines[i].endsWith('LLL'));
    }
  });

  it('binary and invalid UTF-8 output is kept byte for byte', async () => {
    await home.ok(['start', fixture('binary-output.js'), '--name', 'bytes']);
    const [bytes] = await home.jlist();
    const content = await until(() => {
      const data = fs.readFileSync(bytes.out_log);
      return data.toString('latin1').endsWith('end\n') ? data : undefined;
    }, 'the end marker');
    assert.deepEqual([...content], [0x62, 0x65, 0x67, 0x69, 0x6e, 0x0a, 0xff, 0xfe, 0x00, 0xc3, 0x28, 0x80, 0x0a, 0x65, 0x6e, 0x64, 0x0a]);
  });
});
