import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { InspectResult, ProcessInfo } from '../../src/shared/protocol';
import { CdpSession } from '../support/cdp';
import { fixture, TestHome, until } from '../support/harness';

interface Paused {
  reason: string;
  hitBreakpoints?: string[];
  callFrames: Array<{ location: { scriptId: string; lineNumber: number } }>;
}

/** The URL of the script a pause is in (Debugger.scriptParsed told it). */
function scriptOf(session: CdpSession, paused: Paused): string {
  const { scriptId } = paused.callFrames[0].location;
  return session.received<{ scriptId: string; url: string }>('Debugger.scriptParsed').find((script) => script.scriptId === scriptId)?.url ?? '';
}

const APP = fixture('debug-from-start.js');
/** A breakpoint pattern for the fixture, as a debugger sets one by URL before the script has loaded. */
const APP_URL = 'debug-from-start\\.js$';

/** Whether the inspector at `url` is still served. */
async function listed(url: string): Promise<boolean> {
  const { host } = new URL(url);
  try {
    const targets = (await (await fetch(`http://${host}/json/list`)).json()) as Array<{ webSocketDebuggerUrl: string }>;
    return targets.some((target) => target.webSocketDebuggerUrl === url);
  } catch {
    return false;
  }
}

/**
 * What a debugger does with an app started with --inspect-brk: attach, take the break on start, set
 * its breakpoints while the app waits, let it run. Returns the pause at the app's breakpoint.
 */
async function debugFromStart(session: CdpSession, line: number): Promise<{ start: Paused; hit: Paused }> {
  await session.call('Debugger.enable');
  await session.call('Runtime.runIfWaitingForDebugger');
  const start = await session.event<Paused>('Debugger.paused');
  await session.call('Debugger.setBreakpointByUrl', { urlRegex: APP_URL, lineNumber: line });
  await session.call('Debugger.resume');
  const hit = await session.event<Paused>('Debugger.paused');
  return { start, hit };
}

describe('Debug from Start: inspect {fromStart} restarts one instance with --inspect-brk', () => {
  let home: TestHome;
  let session: CdpSession | undefined;
  beforeEach(() => (home = new TestHome()));
  afterEach(async () => {
    await session?.close();
    session = undefined;
    await home.cleanup();
  });

  const daemonLog = (): string => fs.readFileSync(path.join(home.home, 'daemon.log'), 'utf8');
  const outLog = (process: ProcessInfo): string => (fs.existsSync(process.out_log) ? fs.readFileSync(process.out_log, 'utf8') : '');
  const started = (process: ProcessInfo, pid: number | null): Promise<true> =>
    until(() => outLog(process).includes(`started ${pid}\n`), `"started ${pid}" from ${process.name}`, 20_000);

  it('fork: the app waits at its start, runs to a breakpoint once resumed, runs on without the inspector after the detach', async function () {
    this.timeout(60_000);
    await home.ok(['start', APP, '--name', 'early']);
    const [before] = await home.jlist();
    await started(before, before.pid);
    const client = await home.connect();
    const opened: InspectResult = await client.call('inspect', { id: before.id, fromStart: true, closeAfterMs: 60_000 });
    assert.equal(opened.restarted, true);
    assert.equal(opened.host, '127.0.0.1');
    assert.equal(opened.closesAfterMs, 60_000);
    const [held] = await home.jlist();
    assert.notEqual(held.pid, before.pid, 'a new process');
    assert.ok(!outLog(held).includes(`started ${held.pid}`), 'nothing of the app ran before a debugger let it');

    session = await CdpSession.connect(opened.url);
    // Line 2: line 1 is where the break on start already is (a debugger reports that one itself).
    const { start, hit } = await debugFromStart(session, 1);
    assert.equal(start.reason, 'Break on start');
    assert.equal(hit.hitBreakpoints?.length, 1);
    assert.match(scriptOf(session, hit), /debug-from-start\.js$/);
    assert.equal(hit.callFrames[0].location.lineNumber, 1);
    assert.ok(!outLog(held).includes(`started ${held.pid}`), 'stopped before line 2 ran');
    await session.call('Debugger.resume');
    await started(held, held.pid);
    await session.close();
    await until(async () => !(await listed(opened.url)), 'the inspector to close after the detach', 20_000);
    await until(() => /early\[0\] inspector closed \(the debugger detached\)/.test(daemonLog()), 'the report in daemon.log');
    const [after] = await home.jlist();
    assert.equal(after.pid, held.pid, 'closed in place');
    assert.equal(after.status, 'online');

    // The next restart is a plain one: it runs at once, with no inspector.
    await home.ok(['restart', 'early']);
    const [plain] = await home.jlist();
    assert.notEqual(plain.pid, held.pid);
    await started(plain, plain.pid);
    const errors = fs.existsSync(plain.err_log) ? fs.readFileSync(plain.err_log, 'utf8') : '';
    assert.equal(errors.split('Debugger listening on').length - 1, 1, 'only the Debug from Start launch opened an inspector');
  });

  it('cluster: the break is in the container, and a breakpoint on the first line of the app is hit', async function () {
    this.timeout(60_000);
    await home.ok(['start', APP, '--name', 'workers', '-i', '2']);
    const [first, second] = await home.jlist();
    assert.equal(second.exec_mode, 'cluster');
    // Through the CLI this time: `corral inspect <id> --brk`.
    const cli = await home.ok(['inspect', String(second.id), '--brk']);
    assert.match(cli.stdout, /restarted with --inspect-brk: it waits for the debugger at its first line/);
    const opened = { url: /ws:\/\/\S+/.exec(cli.stdout)?.[0] as string };
    assert.notEqual(new URL(opened.url).port, '9230', "a free port, not node:cluster's debug port + 1");
    const [firstAfter, held] = await home.jlist();
    assert.equal(firstAfter.pid, first.pid, 'the other instance is untouched');
    session = await CdpSession.connect(opened.url);
    const { start, hit } = await debugFromStart(session, 0);
    assert.equal(start.reason, 'Break on start');
    assert.match(scriptOf(session, start), /container\.js$/, 'the container runs first');
    assert.equal(hit.hitBreakpoints?.length, 1);
    assert.match(scriptOf(session, hit), /debug-from-start\.js$/);
    assert.equal(hit.callFrames[0].location.lineNumber, 0);
    await session.call('Debugger.resume');
    await started(held, held.pid);
    await session.close();
    await until(async () => !(await listed(opened.url)), 'the inspector to close after the detach', 20_000);
    const [, after] = await home.jlist();
    assert.equal(after.pid, held.pid);
    assert.equal(after.status, 'online');
  });

  it('wait_ready: listen_timeout does not end an app held by the debugger; it is online once it says ready', async function () {
    this.timeout(60_000);
    await home.ok(['start', APP, '--name', 'ready-late', '--wait-ready', '--listen-timeout', '500']);
    const [before] = await home.jlist();
    const events = await home.events();
    const client = await home.connect();
    const opened = await client.call('inspect', { id: before.id, fromStart: true });
    session = await CdpSession.connect(opened.url);
    await session.call('Debugger.enable');
    await session.call('Runtime.runIfWaitingForDebugger');
    assert.equal((await session.event<Paused>('Debugger.paused')).reason, 'Break on start');
    // A twin that never says ready, started after the pause with the same listen_timeout, times out
    // later than the held app would have: once it has, the held app's bound has passed too.
    const twinTimedOut = events.next((event) => event.name === 'ready-twin' && event.reason === 'ready-timeout', 'the twin to time out', 20_000);
    await home.ok(['start', fixture('idle.js'), '--name', 'ready-twin', '--wait-ready', '--listen-timeout', '500']);
    await twinTimedOut;
    const held = (await home.jlist()).find((process) => process.name === 'ready-late') as ProcessInfo;
    assert.equal(held.status, 'launching');
    assert.ok(!events.seen.some((event) => event.name === 'ready-late' && event.reason === 'ready-timeout'), 'no ready-timeout');
    const online = events.next((event) => event.name === 'ready-late' && event.status === 'online', 'online after ready', 20_000);
    await session.call('Debugger.resume');
    assert.equal((await online).pid, held.pid);
    await session.close();
    await until(async () => !(await listed(opened.url)), 'the inspector to close', 20_000);
  });

  it('liveness is not probed while the debugger holds the app; after the session it is again', async function () {
    this.timeout(60_000);
    const alive = path.join(home.home, 'alive');
    fs.writeFileSync(alive, '');
    const file = path.join(home.home, 'ecosystem.json');
    const probe = { exec: { command: [process.execPath, fixture('probe-check.js'), alive, '$HOME and spaces'] }, period_ms: 100, failure_threshold: 2 };
    fs.writeFileSync(file, JSON.stringify({ apps: [{ name: 'probed', script: APP, liveness_probe: probe }] }));
    await home.ok(['start', file]);
    const [before] = await home.jlist();
    const events = await home.events();
    const client = await home.connect();
    const opened = await client.call('inspect', { id: before.id, fromStart: true });
    session = await CdpSession.connect(opened.url);
    await session.call('Debugger.enable');
    await session.call('Runtime.runIfWaitingForDebugger');
    await session.event('Debugger.paused');
    fs.rmSync(alive); // from now on every check fails
    const [held] = await home.jlist();
    // A twin with the same probe, started after the pause, is restarted for liveness: by then the
    // held app has been probed through as many failing periods, had it been probed at all.
    const twinFile = path.join(home.home, 'twin.json');
    fs.writeFileSync(twinFile, JSON.stringify({ apps: [{ name: 'probed-twin', script: fixture('idle.js'), liveness_probe: probe }] }));
    const twinRestarted = events.next((event) => event.name === 'probed-twin' && event.reason === 'liveness', "the twin's liveness restart", 20_000);
    await home.ok(['start', twinFile]);
    await twinRestarted;
    assert.ok(!events.seen.some((event) => event.name === 'probed' && event.reason === 'liveness'), 'no liveness restart while held');
    assert.equal((await home.jlist()).find((process) => process.name === 'probed')?.pid, held.pid);
    const restarted = events.next((event) => event.name === 'probed' && event.reason === 'liveness', 'the liveness restart after the session', 20_000);
    await session.call('Debugger.resume');
    await session.close();
    await restarted;
    await until(() => /probed\[0\] inspector closed \(the debugger detached\)/.test(daemonLog()), 'the inspector to close');
  });

  it('refuses an app that is not Node, one with an inspector of its own, and a fromStart that is not a boolean', async function () {
    this.timeout(30_000);
    const script = path.join(home.home, 'loop.sh');
    fs.writeFileSync(script, 'sleep 30\n');
    await home.ok(['start', script, '--name', 'shell']);
    await home.ok(['start', fixture('idle.js'), '--name', 'own', '--node-args=--inspect=127.0.0.1:0']);
    const client = await home.connect();
    await assert.rejects(client.call('inspect', { id: 0, fromStart: true }), /Debug from Start needs a Node app; shell runs with bash/);
    await assert.rejects(
      client.call('inspect', { id: 1, fromStart: true }),
      /Debug from Start: own \(id 1\) opens an inspector of its own \(--inspect\); remove it from its config, or use Debug to attach to it/,
    );
    await assert.rejects(client.call('inspect', { id: 1, fromStart: 'yes' as unknown as boolean }), /inspect: fromStart must be true or false/);
    const cli = await home.cli(['inspect', 'shell', '--brk']);
    assert.equal(cli.code, 1);
    assert.match(cli.stderr, /Debug from Start needs a Node app; shell runs with bash/);
  });
});
