import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fixture, TestHome, until } from '../support/harness';

/** A 256 KB tmpfs for the app's logs; null when this machine does not let us mount one. */
function smallDisk(dir: string): string | null {
  const mount = path.join(dir, 'small-disk');
  fs.mkdirSync(mount);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k,mode=0700', 'tmpfs', mount], { stdio: 'ignore' });
    return mount;
  } catch {
    return null;
  }
}

describe('faults: the disk fills up', () => {
  let home: TestHome;
  let mount: string | null = null;
  beforeEach(() => (home = new TestHome()));
  afterEach(async () => {
    await home.cleanup().catch(() => undefined);
    if (mount) execFileSync('umount', ['-l', mount], { stdio: 'ignore' });
    mount = null;
  });

  it('a full log disk: the app keeps running, one report per file, writing resumes when space returns', async function () {
    this.timeout(60_000);
    const dir = fs.mkdtempSync('/tmp/corral-disk-');
    mount = smallDisk(dir);
    if (!mount) {
      // Mounting needs CAP_SYS_ADMIN; without it this fault cannot be staged here.
      this.skip();
    }
    const out = path.join(mount as string, 'out.log');
    const client = await home.connect();
    const subscription = await client.subscribe();
    let lines = 0;
    subscription.on('log:out', (event) => (lines += event.lines.length));
    await home.ok(['start', fixture('ticker.js'), '--name', 'chatty', '-o', out, '-e', '/dev/null', '--log-max-size', '0'], { env: { TICK_MS: '5' } });
    const [chatty] = await home.jlist();
    const daemonLog = path.join(home.home, 'daemon.log');
    const reports = (): string[] => fs.readFileSync(daemonLog, 'utf8').split('\n').filter((line) => line.includes(`cannot write ${out}`));
    await until(() => reports().length > 0, 'the disk-full report', 30_000);
    const seen = lines;
    await until(() => lines > seen + 300, '300 more lines while the disk is full', 20_000);
    assert.equal(reports().length, 1, 'reported once, not per line');
    const [during] = await home.jlist();
    assert.equal(during.status, 'online');
    assert.equal(during.pid, chatty.pid, 'the app was never restarted');
    // Space comes back: empty the log (flush), and the next lines are written again.
    await home.ok(['flush', 'chatty']);
    await until(() => fs.readFileSync(daemonLog, 'utf8').includes(`writing ${out} again`), 'the recovery report', 10_000);
    await until(() => /^tick \d+ t+$/m.test(fs.readFileSync(out, 'utf8')), 'new whole lines in the file');
    const text = fs.readFileSync(out, 'utf8');
    for (const line of text.trimEnd().split('\n').slice(1)) assert.match(line, /^tick \d+ t{200}$/);
    subscription.dispose();
  });
});
