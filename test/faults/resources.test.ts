import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fixture, processAlive, TestHome, until } from '../support/harness';

/** A small tmpfs (256 KB unless told); null when this machine does not let us mount one. */
function smallDisk(dir: string, size = '256k'): string | null {
  const mount = path.join(dir, 'small-disk');
  fs.mkdirSync(mount);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', mount], { stdio: 'ignore' });
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
    if (mount) {
      execFileSync('umount', ['-l', mount], { stdio: 'ignore' });
      fs.rmSync(path.dirname(mount), { recursive: true, force: true }); // the emptied mount point's temp dir
    }
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
    const reports = (): string[] =>
      fs
        .readFileSync(daemonLog, 'utf8')
        .split('\n')
        .filter((line) => line.includes(`cannot write ${out}`));
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

/** Fills the disk under `dir` with one file until a write fails; returns that file (remove it for space). */
function fillDisk(dir: string): string {
  const filler = path.join(dir, 'filler');
  const fd = fs.openSync(filler, 'a');
  const chunk = Buffer.alloc(4096, 0x78);
  try {
    for (;;) fs.writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    fs.closeSync(fd);
  }
  return filler;
}

describe('faults: the home directory fills up', () => {
  let home: TestHome | null = null;
  let mount: string | null = null;
  afterEach(async () => {
    await home?.cleanup().catch(() => undefined);
    if (mount) {
      execFileSync('umount', ['-l', mount], { stdio: 'ignore' });
      fs.rmSync(path.dirname(mount), { recursive: true, force: true }); // the emptied mount point's temp dir
    }
    home = null;
    mount = null;
  });

  const dumpApps = (file: string): string[] =>
    JSON.parse(fs.readFileSync(file, 'utf8'))
      .apps.map((app: { config: { name: string } }) => app.config.name)
      .sort();
  const leftovers = (dir: string): string[] => fs.readdirSync(dir).filter((name) => name.endsWith('.tmp'));

  /** A home on a 2 MB tmpfs with `apps` idle apps started and autosaved; null where mount is not allowed. */
  async function homeOnSmallDisk(apps: string[]): Promise<{ home: TestHome; disk: string; dump: string; daemonLog: string } | null> {
    mount = smallDisk(fs.mkdtempSync('/tmp/corral-disk-'), '2m');
    if (!mount) return null;
    const corralHome = path.join(mount, 'home');
    fs.mkdirSync(corralHome, { mode: 0o700 });
    home = new TestHome(corralHome);
    const dump = path.join(corralHome, 'dump.json');
    for (const name of apps) await home.ok(['start', fixture('idle.js'), '--name', name]);
    await until(() => fs.existsSync(dump) && dumpApps(dump).length === apps.length, 'the autosave');
    return { home, disk: mount, dump, daemonLog: path.join(corralHome, 'daemon.log') };
  }

  it('a save that cannot be written fails with the reason and exit 1, leaves the old dump whole and no temp file', async function () {
    this.timeout(60_000);
    const staged = await homeOnSmallDisk(['one']);
    if (!staged) return this.skip();
    const { home, disk, dump } = staged;
    const filler = fillDisk(disk);
    await home.ok(['start', fixture('idle.js'), '--name', 'two']);
    const failed = await home.cli(['save']);
    assert.equal(failed.code, 1, `save must fail: ${failed.stdout}`);
    assert.match(failed.stderr, /^corral: cannot write .*dump\.json: ENOSPC: no space left on device/m);
    assert.doesNotMatch(failed.stdout, /saved/);
    assert.deepEqual(dumpApps(dump), ['one'], 'the old dump is whole');
    assert.deepEqual(leftovers(path.dirname(dump)), [], 'no temp file left by the failed writes');
    // Space comes back: the next save writes the full list.
    fs.rmSync(filler);
    assert.match((await home.ok(['save'])).stdout, /saved 2 apps/);
    assert.deepEqual(dumpApps(dump), ['one', 'two']);
    assert.deepEqual(leftovers(path.dirname(dump)), []);
  });

  it('autosave recovers by itself when space returns: the full current list, with no command', async function () {
    this.timeout(60_000);
    const staged = await homeOnSmallDisk(['one']);
    if (!staged) return this.skip();
    const { home, disk, dump, daemonLog } = staged;
    const filler = fillDisk(disk);
    await home.ok(['start', fixture('idle.js'), '--name', 'two']);
    await home.ok(['start', fixture('idle.js'), '--name', 'three']);
    // A failed save is the sure sign that the dump is behind (daemon.log may not take the report).
    assert.equal((await home.cli(['save'])).code, 1);
    assert.deepEqual(dumpApps(dump), ['one']);
    fs.rmSync(filler);
    await until(() => dumpApps(dump).length === 3, 'autosave to write all three apps once space returned', 20_000);
    assert.deepEqual(dumpApps(dump), ['one', 'three', 'two']);
    await until(() => /wrote .*dump\.json again \(3 apps\)/.test(fs.readFileSync(daemonLog, 'utf8')), 'the recovery report');
    assert.deepEqual(leftovers(path.dirname(dump)), []);
  });

  it('kill on a full disk stops every app and the daemon, reports what it could not save, leaves no temp file', async function () {
    this.timeout(60_000);
    const staged = await homeOnSmallDisk(['one', 'two']);
    if (!staged) return this.skip();
    const { home, disk, dump } = staged;
    const filler = fillDisk(disk);
    await home.ok(['start', fixture('idle.js'), '--name', 'three']);
    const running = await home.jlist();
    assert.equal(running.length, 3);
    const daemonPid = home.daemonPid() as number;
    const killed = await home.cli(['kill']);
    assert.equal(killed.code, 0, `kill must work: ${killed.stderr}`);
    assert.match(killed.stdout, /stopped 3 processes and the daemon/);
    assert.match(killed.stderr, /warning cannot write .*dump\.json: ENOSPC: no space left on device; it keeps the list saved before/);
    assert.ok(!processAlive(daemonPid), 'the daemon is gone');
    for (const process of running) assert.ok(process.pid && !processAlive(process.pid), `${process.name} (pid ${process.pid}) is stopped`);
    assert.deepEqual(leftovers(path.dirname(dump)), []);
    assert.deepEqual(dumpApps(dump), ['one', 'two'], 'the dump left behind is whole');
    fs.rmSync(filler);
    // The clean end was recorded even so (an empty marker fits on a full disk): the next daemon starts empty.
    await home.ok(['ping']);
    assert.deepEqual(await home.jlist(), []);
  });
});
