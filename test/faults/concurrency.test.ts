import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { DaemonClient } from '../../src/client/client';
import type { MethodName } from '../../src/shared/protocol';
import { fixture, ROOT, TestHome } from '../support/harness';
import { appProcesses } from '../support/proc';
import { freePort } from '../support/load';

/** App processes of this home (CORRAL_HOME and pm_id in their environment). */
const running = (home: string): number[] => [...appProcesses(home).values()].flat();

describe('faults: many clients at once', () => {
  let home: TestHome;
  beforeEach(() => (home = new TestHome()));
  afterEach(() => home.cleanup());

  it('20 clients issuing start/stop/restart/reload on the same apps for 30 s: consistent, nothing leaked or stuck', async function () {
    this.timeout(120_000);
    await home.ok(['start', fixture('idle.js'), '--name', 'fork-a', '--kill-timeout', '300']);
    await home.ok(['start', fixture('idle.js'), '--name', 'fork-b', '-i', '2', '--kill-timeout', '300']);
    await home.ok(['start', fixture('cluster-http.js'), '--name', 'web', '-i', '2', '--kill-timeout', '300'], { env: { PORT: String(await freePort()) } });
    const names = ['fork-a', 'fork-b', 'web', 'all'];
    const verbs: MethodName[] = ['startExisting', 'stop', 'restart', 'reload'];
    const clients = await Promise.all(Array.from({ length: 20 }, () => DaemonClient.connect({ home: home.home, daemonScript: `${ROOT}/dist/daemon.js` })));
    const deadline = Date.now() + 30_000;
    const calls = clients.map(() => 0);
    const unexpected: string[] = [];
    await Promise.all(
      clients.map(async (client, index) => {
        let seed = index + 1;
        while (Date.now() < deadline) {
          seed = (seed * 48271) % 2147483647;
          const verb = verbs[seed % verbs.length];
          const target = names[(seed >> 3) % names.length];
          try {
            await (client.call as (m: MethodName, p: unknown, t: number) => Promise<unknown>)(verb, { targets: [target] }, 30_000);
          } catch (error) {
            // A reload can legitimately lose a race with a stop of the same worker; anything else is a bug.
            if (!/reload failed|the new worker/.test((error as Error).message)) unexpected.push(`${verb} ${target}: ${(error as Error).message}`);
          }
          calls[index]++;
        }
      }),
    );
    for (const client of clients) client.close();
    assert.deepEqual(unexpected.slice(0, 5), []);
    // Progress, not speed (that is the bench's): every client got answers, none waited on a stuck queue.
    assert.ok(
      calls.every((count) => count >= 2),
      `calls per client: ${calls.join(' ')}`,
    );
    // The last word: restart everything, then every process is online and exactly those run.
    await home.ok(['restart', 'all']);
    const list = await home.jlist();
    assert.equal(list.length, 5);
    assert.deepEqual(
      list.map((p) => p.status),
      ['online', 'online', 'online', 'online', 'online'],
    );
    const leaked = running(home.home).filter((pid) => !list.some((p) => p.pid === pid));
    const describeLeak = (pid: number): string => {
      try {
        const log = fs
          .readFileSync(`${home.home}/daemon.log`, 'utf8')
          .split('\n')
          .filter((line) => line.includes(String(pid)));
        return `${pid}: ${fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ')} ${fs
          .readFileSync(`/proc/${pid}/environ`, 'utf8')
          .split('\0')
          .filter((v) => /^(pm_id|name)=/.test(v))
          .join(' ')} log: ${log.join(' | ')}`;
      } catch (error) {
        return `${pid}: ${(error as Error).message}`;
      }
    };
    assert.deepEqual(leaked.map(describeLeak), [], 'no leaked process');
    await home.ok(['stop', 'all']);
    const stopped = await home.jlist();
    assert.ok(
      stopped.every((p) => p.status === 'stopped'),
      'no process stuck in stopping',
    );
    assert.deepEqual(running(home.home), []);
  });

  it('50 crash-looping apps at once: all end errored with a reason, the daemon stays responsive', async function () {
    this.timeout(120_000);
    const dir = home.home;
    fs.writeFileSync(
      `${dir}/loops.config.js`,
      `module.exports = { apps: Array.from({ length: 50 }, (_, i) => ({ name: 'loop-' + i, script: ${JSON.stringify(fixture('exit-after.js'))}, max_restarts: 5, min_uptime: 10000, env: { DELAY_MS: '10' } })) };`,
    );
    const events = await home.events();
    const daemon = home.daemonPid() as number;
    const cpuTicks = (): number => {
      const stat = fs.readFileSync(`/proc/${daemon}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return Number(fields[11]) + Number(fields[12]);
    };
    const ticksBefore = cpuTicks();
    const started = Date.now();
    const allErrored = new Promise<void>((resolve) => {
      const errored = new Set<string>();
      const check = (): void => {
        for (const event of events.seen) if (event.status === 'errored') errored.add(event.name);
        if (errored.size === 50) resolve();
        else setTimeout(check, 50);
      };
      check();
    });
    await home.ok(['start', `${dir}/loops.config.js`, '--silent']);
    await allErrored;
    const seconds = (Date.now() - started) / 1000;
    const cpu = ((cpuTicks() - ticksBefore) / 100 / seconds) * 100;
    console.log(`      daemon CPU ${cpu.toFixed(1)} % of one core while 50 apps crash-looped for ${seconds.toFixed(1)} s`);
    const list = await home.jlist();
    assert.ok(
      list.every(
        (p) =>
          p.status === 'errored' && p.last_reason === 'unstable' && /5 consecutive restarts within min_uptime \(10000 ms\)/.test(p.last_reason_detail ?? ''),
      ),
    );
    assert.ok(cpu < 90, `daemon CPU ${cpu.toFixed(1)} % of one core over ${seconds.toFixed(1)} s`);
    const ping = await home.ok(['ping']);
    assert.equal(JSON.parse(ping.stdout).pid, daemon);
  });
});
