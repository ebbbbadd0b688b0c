/**
 * The home and its single-daemon lock under attack and under races: another user squatting the lock,
 * two daemons reaching one home by two paths (also just after a SIGKILLed holder left its files),
 * homes that are someone else's or that others can write, odd entries in pids/.
 * Runs as root (as CI does) with the `nobody` user for the other side.
 */
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DaemonClient } from '../../src/client/client';
import { fixture, processAlive, ROOT, runCli, TestHome, until, type CliResult } from '../support/harness';
import { appProcesses, daemonsFor, environ } from '../support/proc';

const DAEMON = path.join(ROOT, 'dist', 'daemon.js');
const NOBODY = 65534;

function asRoot(): boolean {
  return process.getuid?.() === 0;
}

/** The CLI with an explicit CORRAL_HOME: the real path or a link to it (the harness's TestHome uses its own). */
const cliAt = (home: string, args: string[], timeoutMs = 20_000): Promise<CliResult & { ms: number }> => runCli(home, args, { timeoutMs });

interface DaemonRun {
  child: ChildProcess;
  exited: Promise<number | null>;
  code: number | null | undefined;
  stderr: string;
  report: string;
}

/** dist/daemon.js started directly (as the client does: detached), with the start-report pipe on fd 3. */
function runDaemon(home: string, track: (pid: number) => void): DaemonRun {
  const child = spawn(process.execPath, [DAEMON], {
    env: { ...process.env, CORRAL_HOME: home, CORRAL_START_REPORT_FD: '3' },
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    detached: true,
  });
  if (child.pid) track(child.pid);
  const run: DaemonRun = { child, code: undefined, stderr: '', report: '', exited: Promise.resolve(null) };
  child.stderr?.on('data', (chunk: Buffer) => (run.stderr += chunk));
  (child.stdio[3] as NodeJS.ReadableStream).on('data', (chunk: Buffer) => (run.report += chunk));
  (child.stdio[3] as NodeJS.ReadableStream).on('error', () => undefined);
  // 'close', not 'exit': by then its report and stderr have been read to the end.
  run.exited = new Promise((resolve) => child.once('close', (code) => resolve((run.code = code))));
  return run;
}

function stopRun(run: DaemonRun): void {
  if (run.code !== undefined || !run.child.pid) return;
  try {
    process.kill(run.child.pid, 'SIGKILL');
  } catch {
    /* gone */
  }
}

/** The autosave has written `name` to dump.json. */
function saved(home: string, name: string): boolean {
  try {
    return fs.readFileSync(path.join(home, 'dump.json'), 'utf8').includes(`"${name}"`);
  } catch {
    return false; // not written yet
  }
}

function mode(file: string): number {
  return fs.statSync(file).mode & 0o7777;
}

describe('faults: the home and its lock', function () {
  this.timeout(60_000);
  let home: TestHome;
  const extra: string[] = [];
  beforeEach(function () {
    if (!asRoot()) this.skip(); // these stage another user's files: root only (CI runs as root)
    home = new TestHome();
  });
  afterEach(async () => {
    if (!home) return;
    fs.chownSync(home.home, 0, 0);
    // Also daemons a failed assertion left untracked (two at once is what some of these tests catch).
    for (const pid of [...daemonsFor(home.home), ...daemonsFor(path.join(home.home, 'new', 'home'))]) home.track(pid);
    await home.cleanup();
    for (const dir of extra.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('another user squatting the old lock name cannot block or speak through the daemon of our home', async () => {
    // Today's abstract lock name for this home, and a lock inside the home if it could get in.
    const abstract = `\0corral-${createHash('sha256').update(home.home).digest('hex').slice(0, 32)}`;
    const squat = `
      const net = require('net'), fs = require('fs');
      const text = '\\x1b[31mSQUATTER 4242\\x1b[0m\\r\\n';
      const tries = [];
      try { fs.mkdirSync(${JSON.stringify(path.join(home.home, 'lock'))}); tries.push('MKDIR-OK'); } catch (e) { tries.push(e.code); }
      net.createServer((s) => s.end(text)).listen(${JSON.stringify(abstract)}, () => console.log('READY ' + tries.join(',')));
    `;
    const squatter = spawn(process.execPath, ['-e', squat], { uid: NOBODY, gid: NOBODY, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const ready = await new Promise<string>((resolve, reject) => {
        squatter.stdout.on('data', (chunk: Buffer) => /READY.*\n/.test(String(chunk)) && resolve(String(chunk).trim()));
        squatter.once('exit', (code) => reject(new Error(`the squatter exited with ${code}`)));
      });
      assert.equal(ready, 'READY EACCES', 'the squatter cannot put anything in the home');
      const ping = await cliAt(home.home, ['ping']);
      home.track(JSON.parse(ping.stdout || '{}').pid ?? 0);
      assert.equal(ping.code, 0, `ping failed: ${ping.stderr}`);
      assert.ok(ping.ms < 5000, `ping took ${ping.ms} ms`);
      const daemonLog = fs.readFileSync(path.join(home.home, 'daemon.log'), 'utf8');
      for (const text of [ping.stdout, ping.stderr, daemonLog]) {
        assert.ok(!text.includes('SQUATTER') && !text.includes('\x1b'), `the squatter's text got through: ${JSON.stringify(text)}`);
      }
    } finally {
      squatter.kill('SIGKILL');
    }
  });

  it('daemons started at once through the real path and a symlink, also after a SIGKILLed holder left its files: exactly one, and its sockets stay', async () => {
    const linkParent = fs.mkdtempSync(path.join(os.tmpdir(), 'corral-l-'));
    extra.push(linkParent);
    const link = path.join(linkParent, 'h');
    fs.symlinkSync(home.home, link);
    for (let round = 0; round < 5; round++) {
      const runs = [home.home, link, home.home, link].map((where) => runDaemon(where, (pid) => home.track(pid)));
      try {
        await until(() => runs.filter((run) => run.code !== undefined).length >= runs.length - 1, `round ${round}: all but one daemon to exit`, 15_000);
        const survivors = runs.filter((run) => run.code === undefined);
        assert.equal(survivors.length, 1, `round ${round}: one daemon left`);
        const [survivor] = survivors;
        for (const run of runs) if (run !== survivor) assert.equal(run.code, 0, `round ${round}: a loser exits 0 (${run.stderr})`);
        await until(() => survivor.report.includes('\n'), 'the survivor to report');
        assert.equal(survivor.report, 'ready\n');
        for (const run of runs) if (run !== survivor) assert.match(run.report, new RegExp(`^held ${survivor.child.pid}\\n$`));
        // The losers touched nothing: both paths reach the survivor over its sockets without spawning.
        for (const where of [home.home, link]) {
          const client = await DaemonClient.connect({ home: where, spawn: false });
          try {
            assert.equal(client.daemon.pid, survivor.child.pid, `round ${round}: ${where} reaches the survivor`);
            const subscription = await client.subscribe(); // pub.sock is the survivor's too
            subscription.dispose();
          } finally {
            client.close();
          }
        }
        assert.deepEqual([...daemonsFor(home.home), ...daemonsFor(link)], [survivor.child.pid]);
        // The holder dies hard: its lock entry, socket, rpc.sock and pub.sock stay behind for the next round.
        process.kill(survivor.child.pid as number, 'SIGKILL');
        await survivor.exited;
        assert.ok(fs.existsSync(path.join(home.home, 'rpc.sock')), 'a stale rpc.sock is left');
      } finally {
        runs.forEach(stopRun);
      }
    }
  });

  it('after a SIGKILL, two commands through two paths bring the apps back once, and kill stops them', async () => {
    const linkParent = fs.mkdtempSync(path.join(os.tmpdir(), 'corral-l-'));
    extra.push(linkParent);
    const link = path.join(linkParent, 'h');
    fs.symlinkSync(home.home, link);
    await home.ok(['start', fixture('idle.js'), '--name', 'solo']);
    await until(() => saved(home.home, 'solo'), 'the autosave');
    const solos = (): number[] => [...(appProcesses(home.home).get('solo') ?? []), ...(appProcesses(link).get('solo') ?? [])];
    for (let round = 0; round < 2; round++) {
      const daemon = home.daemonPid() as number;
      home.track(daemon);
      process.kill(daemon, 'SIGKILL');
      await until(() => !processAlive(daemon), 'the daemon to die');
      const [viaReal, viaLink] = await Promise.all([cliAt(home.home, ['jlist']), cliAt(link, ['jlist'])]);
      for (const result of [viaReal, viaLink]) assert.equal(result.code, 0, result.stderr);
      await until(
        () => {
          const found = [...daemonsFor(home.home), ...daemonsFor(link)];
          found.forEach((pid) => home.track(pid)); // every one of them is ended by the cleanup, even a second
          return found.length === 1;
        },
        `round ${round}: one daemon`,
        5000,
      );
      const apps = await until(() => (solos().length > 0 ? solos() : undefined), 'solo to come back');
      apps.forEach((pid) => home.track(pid));
      assert.equal(apps.length, 1, `round ${round}: solo runs once (${apps.join(', ')})`);
    }
    const kill = await cliAt(link, ['kill']);
    assert.match(kill.stdout, /stopped 1 process and the daemon/);
    await until(() => solos().length === 0, 'solo to stop');
  });

  it("a home owned by another user is refused at once, by the CLI and by the daemon, and that user's dump never runs", async () => {
    // A real list in the home, left by a daemon that died: a new daemon would resurrect it.
    await home.ok(['start', fixture('idle.js'), '--name', 'victim']);
    await until(() => saved(home.home, 'victim'), 'the autosave');
    const [victim] = await home.jlist();
    const daemon = home.daemonPid() as number;
    for (const pid of [daemon, victim.pid as number]) process.kill(pid, 'SIGKILL');
    await until(() => !processAlive(daemon) && !processAlive(victim.pid as number), 'the daemon and app to die');
    const chownAll = (uid: number): void => {
      for (const entry of fs.readdirSync(home.home, { recursive: true }) as string[]) fs.lchownSync(path.join(home.home, entry), uid, uid);
      fs.chownSync(home.home, uid, uid);
    };
    chownAll(NOBODY);
    try {
      const expected = `${home.home} is owned by uid ${NOBODY}, not you (uid 0): use your own CORRAL_HOME or chown it`;
      const logBefore = fs.readFileSync(path.join(home.home, 'daemon.log'), 'utf8');
      const ping = await cliAt(home.home, ['ping']);
      assert.equal(ping.code, 1);
      assert.equal(ping.stderr, `corral: ${expected}\n`);
      assert.ok(ping.ms < 3000, `the CLI answered in ${ping.ms} ms`);
      const run = runDaemon(home.home, (pid) => home.track(pid));
      try {
        assert.equal(await run.exited, 78, 'the daemon refuses with EX_CONFIG');
      } finally {
        stopRun(run);
      }
      assert.equal(run.stderr, `corral: ${expected}\n`);
      assert.equal(run.report, `refused ${expected}\n`);
      assert.deepEqual(daemonsFor(home.home), []);
      assert.equal(appProcesses(home.home).size, 0, 'nothing from the dump runs');
      assert.equal(fs.readFileSync(path.join(home.home, 'daemon.log'), 'utf8'), logBefore, 'nothing was written in the home');
    } finally {
      chownAll(0);
    }
  });

  it('a home, logs/ or dump.json that others can write is refused with the fix, and no mode is ever changed', async () => {
    const cases: Array<{ setup: () => string; line: RegExp }> = [
      {
        setup: () => (fs.chmodSync(home.home, 0o2775), home.home),
        line: /is writable by its group \(mode 2775\): run chmod go-w .*, or use another CORRAL_HOME$/,
      },
      {
        setup: () => {
          const logs = path.join(home.home, 'logs');
          fs.mkdirSync(logs);
          fs.chmodSync(logs, 0o777);
          return logs;
        },
        line: /logs is writable by its group and others \(mode 0777\)/,
      },
      {
        setup: () => {
          const dump = path.join(home.home, 'dump.json');
          fs.writeFileSync(dump, '{"version":1,"savedAt":0,"apps":[]}');
          fs.chmodSync(dump, 0o602);
          return dump;
        },
        line: /dump\.json is writable by others \(mode 0602\)/,
      },
    ];
    for (const { setup, line } of cases) {
      fs.rmSync(home.home, { recursive: true, force: true });
      fs.mkdirSync(home.home, { mode: 0o700 });
      const loose = setup();
      const before = mode(loose);
      const ping = await cliAt(home.home, ['ping']);
      assert.equal(ping.code, 1, `${loose} was accepted`);
      assert.equal(ping.stderr.split('\n').length, 2, `one line: ${ping.stderr}`);
      assert.match(ping.stderr.trim(), new RegExp(`^corral: ${loose.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} `));
      assert.match(ping.stderr.trim(), line);
      assert.ok(ping.ms < 3000, `the CLI answered in ${ping.ms} ms`);
      assert.equal(mode(loose), before, `${loose} keeps its mode`);
      assert.deepEqual(daemonsFor(home.home), []);
      const run = runDaemon(home.home, (pid) => home.track(pid));
      try {
        assert.equal(await run.exited, 78);
      } finally {
        stopRun(run);
      }
      assert.match(run.stderr.trim(), line);
      assert.equal(mode(loose), before, `${loose} keeps its mode after the daemon looked`);
    }
  });

  it('an existing home that is ours and closed to writers keeps its mode; a new one and its folders are 0700', async () => {
    fs.chmodSync(home.home, 0o2755);
    const ping = await cliAt(home.home, ['ping']);
    assert.equal(ping.code, 0, ping.stderr);
    home.track(JSON.parse(ping.stdout).pid);
    assert.equal(mode(home.home), 0o2755, 'the setgid, world-readable home is left as it was');
    await home.ok(['kill']);
    fs.chmodSync(home.home, 0o700); // a setgid parent would hand its bit to the new folders below

    const fresh = path.join(home.home, 'new', 'home');
    const first = await cliAt(fresh, ['ping']);
    assert.equal(first.code, 0, first.stderr);
    home.track(JSON.parse(first.stdout).pid);
    try {
      for (const dir of [fresh, path.join(fresh, 'logs'), path.join(fresh, 'pids')]) assert.equal(mode(dir), 0o700, `${dir} is 0700`);
    } finally {
      await cliAt(fresh, ['kill']);
    }
  });

  it('a folder or a symlink in pids/ does not stop the apps coming back after a SIGKILL', async () => {
    await home.ok(['start', fixture('idle.js'), '--name', 'back']);
    await until(() => saved(home.home, 'back'), 'the autosave');
    const daemon = home.daemonPid() as number;
    process.kill(daemon, 'SIGKILL');
    await until(() => !processAlive(daemon), 'the daemon to die');
    const pids = path.join(home.home, 'pids');
    fs.mkdirSync(path.join(pids, 'a-folder'));
    fs.writeFileSync(path.join(pids, 'a-folder', 'keep'), 'x');
    const target = path.join(home.home, 'not-a-pid-file');
    fs.writeFileSync(target, 'keep me');
    fs.symlinkSync(target, path.join(pids, 'a-link.pid'));
    const list = await home.jlist();
    assert.deepEqual(
      list.map((p) => [p.name, p.status]),
      [['back', 'online']],
    );
    assert.equal(fs.readFileSync(target, 'utf8'), 'keep me');
    assert.ok(fs.existsSync(path.join(pids, 'a-folder', 'keep')), 'the folder is skipped, not emptied');
    // daemon.log is written in the background: wait for both lines.
    const daemonLog = await until(() => {
      const text = fs.readFileSync(path.join(home.home, 'daemon.log'), 'utf8');
      return /a-folder: not a pid/.test(text) && /a-link\.pid: not a pid/.test(text) ? text : undefined;
    }, 'the skipped entries in daemon.log');
    assert.match(daemonLog, /skipping .*pids\/a-folder: not a pid file Corral writes/);
    assert.match(daemonLog, /skipping .*pids\/a-link\.pid: not a pid file Corral writes/);
    assert.doesNotMatch(daemonLog, /start-up recovery failed/);
  });
});

for (const portable of [false, true]) {
  describe(`faults: one daemon per home, CORRAL_PORTABLE=${portable ? '1' : 'unset'}`, function () {
    this.timeout(60_000);
    // Explicit either way, so each run of the suite covers both modes whatever it inherited.
    const env = { CORRAL_PORTABLE: portable ? '1' : '' };
    let home: TestHome;
    beforeEach(() => (home = new TestHome()));
    afterEach(async () => {
      for (const pid of daemonsFor(home.home)) home.track(pid);
      await home.cleanup();
    });

    /** Five `corral ping` at once: all exit 0 and name the same daemon, the only one serving the home. */
    async function fivePings(): Promise<number> {
      const pings = await Promise.all(Array.from({ length: 5 }, () => home.cli(['ping'], { env })));
      const pids = pings.map((ping) => {
        assert.equal(ping.code, 0, `ping failed: ${ping.stderr}`);
        return JSON.parse(ping.stdout).pid as number;
      });
      for (const pid of pids) home.track(pid);
      assert.equal(new Set(pids).size, 1, `one daemon answered all five: ${pids.join(', ')}`);
      await until(() => daemonsFor(home.home).length === 1, 'the losers to exit', 10_000);
      assert.deepEqual(daemonsFor(home.home), [pids[0]]);
      assert.equal(environ(pids[0])?.includes('CORRAL_PORTABLE=1') ?? false, portable, 'the daemon runs in the mode under test');
      return pids[0];
    }

    it('five pings at once start one daemon; after a SIGKILL its stale lock is recovered by the next command', async () => {
      const first = await fivePings();
      process.kill(first, 'SIGKILL');
      await until(() => !processAlive(first), 'the daemon to die');
      assert.ok(fs.existsSync(path.join(home.home, 'lock')), 'the SIGKILLed holder left its lock');
      assert.ok(fs.existsSync(path.join(home.home, 'rpc.sock')), 'and its rpc.sock');
      const second = await fivePings();
      assert.notEqual(second, first, 'a new daemon took the stale lock');
    });
  });
}
