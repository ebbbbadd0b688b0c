// The scenarios. Each runs against both tools, A B A B, through the session's helpers, and records samples.
import { fork, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkLog, logBytes } from './log-check.mjs';
import { formatValue } from './report.mjs';
import {
  anonymousBytes,
  cpuTicks,
  freePort,
  httpStatus,
  liveChildren,
  median,
  now,
  processAlive,
  rssBytes,
  run,
  sleep,
  teardown,
  TICKS_PER_SECOND,
  waitFor,
  waitForHttp200,
} from './util.mjs';

const BENCH = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
const HTTP_APP = path.join(BENCH, 'fixtures/http.js');
const IDLE_APP = path.join(BENCH, 'fixtures/idle.js');
const LOGGER_APP = path.join(BENCH, 'fixtures/logger.js');
const LOAD_SCRIPT = path.join(BENCH, 'load.mjs');

export const SCENARIO_NAMES = ['cold', 'ping', 'start10', 'respawn', 'reload', 'logs', 'fleet50', 'fleet200'];

// Bound by makeScenarios(): the run's tools, settings and helpers (see run.mjs).
let tools, REPS, RSS_WINDOW_MS, work, tmp, env, record, recordFloor, log, logSample, details, interleaved, overBudget, strippedHere;

function ecosystem(file, names, extraEnv = {}) {
  const apps = names.map((name) => ({ name, script: IDLE_APP, env: extraEnv }));
  fs.writeFileSync(file, `module.exports = ${JSON.stringify({ apps }, null, 2)};\n`);
  return file;
}

/** Reads VmRSS and anonymous memory of each pid every 250 ms for `ms`; resolves the medians per pid as { rss, anon }. */
async function sampleMemory(pids, ms) {
  const readings = pids.map(() => ({ rss: [], anon: [] }));
  const end = now() + ms;
  do {
    pids.forEach((pid, i) => {
      readings[i].rss.push(rssBytes(pid));
      readings[i].anon.push(anonymousBytes(pid));
    });
    await sleep(250);
  } while (now() < end);
  return readings.map(({ rss, anon }) => ({ rss: median(rss), anon: median(anon) }));
}

function recordMemory(key, label, tool, memory) {
  record(`rss${key}`, tool, memory.rss);
  record(`anon${key}`, tool, memory.anon);
  logSample(label, tool, 'MB', memory.rss, `(anonymous ${formatValue('MB', memory.anon)})`);
}

/** Children started directly (not through a CLI) must not appear once the cleanup has begun. */
function refuseDuringTeardown() {
  if (teardown.started) throw new Error('the run is being torn down');
}

async function waitPidsGone(label, pids, timeoutMs = 30_000) {
  await waitFor(label, () => pids.every((pid) => !processAlive(pid)), { timeoutMs, intervalMs: 10 });
}

// ---------------------------------------------------------------------------------------------- scenarios
async function scenarioCold() {
  const port = await freePort();
  // Rep -1 warms the disk cache and both CLIs; it is not recorded.
  for (let rep = -1; rep < REPS.cold; rep++) {
    if (rep > 0 && overBudget()) break;
    if ((await httpStatus(port)) !== 0) throw new Error(`port ${port} is taken`);
    // Floor: bare node.
    const t0 = now();
    refuseDuringTeardown();
    const child = spawn(process.execPath, [HTTP_APP], { env: env({ BENCH_PORT: String(port) }), stdio: 'ignore' });
    liveChildren.add(child.pid);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const floor = (await waitForHttp200(port)) - t0;
    child.kill('SIGKILL');
    await exited;
    liveChildren.delete(child.pid);
    if (rep >= 0) {
      recordFloor('cold', floor);
      log(`${'cold start'.padEnd(14)} ${'floor'.padEnd(6)} ${formatValue('ms', floor)}`);
    }
    for (const tool of tools) {
      tool.useHome(path.join(tmp, `${tool.key}${rep + 1}`));
      if (tool.daemonPid()) throw new Error(`${tool.name}: a daemon is already running in ${tool.home}`);
      const t0 = now();
      const cli = tool.cli(['start', HTTP_APP, '--name', 'web'], { env: { BENCH_PORT: String(port) } });
      cli.catch(() => undefined);
      const answered = (await waitForHttp200(port, { timeoutMs: 30_000 })) - t0;
      const result = await cli;
      if (rep >= 0) {
        record('cold', tool, answered);
        record('coldCli', tool, result.ms);
        logSample('cold start', tool, 'ms', answered, `(CLI exited after ${formatValue('ms', result.ms)})`);
      }
      await tool.kill();
      await waitFor(`port ${port} to be free after ${tool.name} kill`, async () => (await httpStatus(port, '/', 300)) === 0, { timeoutMs: 10_000 });
    }
  }
}

async function scenarioPing() {
  for (const tool of tools) await tool.ensureDaemon();
  await interleaved(REPS.ping, async function ping(tool) {
    if (tool === tools[0]) {
      // The floor of any Node CLI: `node -e 0`, the same way and with the same environment.
      refuseDuringTeardown();
      const boot = await run(process.execPath, ['-e', '0'], { env: tool.env(), cwd: work });
      recordFloor('ping', boot.ms);
      log(`${'node boot'.padEnd(14)} ${'node'.padEnd(6)} ${formatValue('ms', boot.ms)}  (node -e 0)`);
    }
    const result = await tool.cli(['ping']);
    record('ping', tool, result.ms);
    logSample('ping', tool, 'ms', result.ms);
    if (Object.keys(strippedHere).length > 0) {
      const asSet = await tool.cli(['ping'], { env: strippedHere });
      record('pingMachineEnv', tool, asSet.ms);
      logSample('ping (+env)', tool, 'ms', asSet.ms, `(with ${Object.keys(strippedHere).join(', ')} as this machine sets it)`);
    }
  });
  // Reference: a bare idle Node process, read over the same window.
  refuseDuringTeardown();
  const bare = spawn(process.execPath, [IDLE_APP], { env: env(), stdio: 'ignore' });
  liveChildren.add(bare.pid);
  const bareExited = new Promise((resolve) => bare.once('exit', resolve));
  try {
    await sleep(300); // let it finish booting before the window opens
    const memory = await sampleMemory([...tools.map((tool) => tool.daemonPid()), bare.pid], RSS_WINDOW_MS);
    tools.forEach((tool, i) => recordMemory('Idle', 'RSS idle', tool, memory[i]));
    recordFloor('rssIdle', memory[2].rss);
    recordFloor('anonIdle', memory[2].anon);
    log(
      `${'RSS idle'.padEnd(14)} ${'node'.padEnd(6)} ${formatValue('MB', memory[2].rss)}  (bare idle node process; anonymous ${formatValue('MB', memory[2].anon)})`,
    );
  } finally {
    bare.kill('SIGKILL');
    await bareExited;
    liveChildren.delete(bare.pid);
  }
}

async function scenarioStart10() {
  const names = Array.from({ length: 10 }, (_, i) => `s${i}`);
  const file = ecosystem(path.join(work, 'start10.config.js'), names);
  for (const tool of tools) await tool.ensureDaemon();
  await interleaved(REPS.start10, async function start10(tool) {
    const t0 = now();
    const result = await tool.cli(['start', file]);
    let elapsed = result.ms;
    const online = (list) => list.filter((entry) => names.includes(entry.name) && entry.status === 'online').length === 10;
    if (!online(await tool.jlist())) {
      // Not all online when the CLI returned: the time is when a jlist that shows them all was issued.
      await waitFor(`${tool.name}: 10 apps online`, async () => {
        const asked = now();
        if (!online(await tool.jlist())) return false;
        elapsed = asked - t0;
        return true;
      });
    }
    record('start10', tool, elapsed);
    logSample('start 10', tool, 'ms', elapsed);
    const pids = (await tool.jlist()).map((entry) => entry.pid).filter(Boolean);
    await tool.cli(['delete', 'all']);
    await waitPidsGone(`${tool.name}: start10 apps gone`, pids);
  });
}

async function scenarioRespawn() {
  const ports = new Map();
  const lastUp = new Map();
  for (const tool of tools) {
    const port = await freePort();
    ports.set(tool, port);
    await tool.cli(['start', HTTP_APP, '--name', 'respawn'], { env: { BENCH_PORT: String(port) } });
    lastUp.set(tool, await waitForHttp200(port));
  }
  await interleaved(REPS.respawn, async function respawn(tool) {
    const port = ports.get(tool);
    // Both tools count a restart younger than min_uptime (1 s) as unstable: let the app live past it.
    await waitFor('app uptime above min_uptime', () => now() - lastUp.get(tool) > 1100, { timeoutMs: 5000, intervalMs: 20 });
    const t0 = now();
    const crashStatus = await httpStatus(port, '/crash');
    if (crashStatus !== 0) throw new Error(`${tool.name}: GET /crash answered ${crashStatus}`);
    const up = await waitForHttp200(port, { intervalMs: 2, timeoutMs: 20_000 });
    lastUp.set(tool, up);
    record('respawn', tool, up - t0);
    logSample('respawn', tool, 'ms', up - t0);
  });
  for (const tool of tools) await tool.cli(['delete', 'respawn']);
}

function startLoad(port, connections) {
  refuseDuringTeardown();
  const child = fork(LOAD_SCRIPT, [String(port), String(connections)], { env: env(), stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  liveChildren.add(child.pid);
  const ask = (message) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('load generator did not answer')), 15_000);
      child.once('message', (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      child.send(message);
    });
  return {
    stats: () => ask('stats'),
    stop: async () => {
      const result = await ask('stop');
      await waitFor('load generator exit', () => !processAlive(child.pid), { timeoutMs: 5000 });
      liveChildren.delete(child.pid);
      return result;
    },
  };
}

async function scenarioReload() {
  const ports = new Map();
  for (const tool of tools) {
    const port = await freePort();
    ports.set(tool, port);
    await tool.cli(['start', HTTP_APP, '-i', '2', '--name', 'cl'], { env: { BENCH_PORT: String(port) } });
    await tool.waitOnline(2, { filter: (name) => name === 'cl' });
    await waitForHttp200(port);
  }
  const totals = {};
  await interleaved(REPS.reload, async function reload(tool) {
    const port = ports.get(tool);
    const before = (await tool.jlist()).filter((entry) => entry.name === 'cl').map((entry) => entry.pid);
    const load = startLoad(port, 50);
    try {
      await waitFor('load warm-up (500 answers)', async () => (await load.stats()).ok >= 500, { timeoutMs: 20_000, intervalMs: 50 });
      const result = await tool.cli(['reload', 'cl']);
      // The window closes once the old workers are gone and the new ones have served 200 more requests.
      await waitPidsGone(`${tool.name}: old workers gone after reload`, before, 20_000);
      const { ok: okAfter } = await load.stats();
      await waitFor('200 answers after the reload', async () => (await load.stats()).ok >= okAfter + 200, { timeoutMs: 20_000, intervalMs: 20 });
      const stats = await load.stop();
      const after = (await tool.jlist()).filter((entry) => entry.name === 'cl');
      const replaced = after.length === 2 && after.every((entry) => entry.status === 'online' && !before.includes(entry.pid));
      record('reload', tool, result.ms);
      record('reloadFailed', tool, stats.failed);
      const errorText = Object.entries(stats.errors)
        .map(([code, count]) => `${code}×${count}`)
        .join(', ');
      logSample(
        'reload',
        tool,
        'ms',
        result.ms,
        `${stats.failed} failed of ${stats.ok + stats.failed}${errorText ? ` (${errorText})` : ''}${replaced ? '' : ' — workers NOT replaced'}`,
      );
      if (!replaced) details.push(`${tool.name} reload: after the reload the workers were ${JSON.stringify(after)} (before: pids ${before.join(', ')})`);
      const sum = (totals[tool.name] ??= { reps: 0, ok: 0, failed: 0, errors: {} });
      sum.reps++;
      sum.ok += stats.ok;
      sum.failed += stats.failed;
      for (const [code, count] of Object.entries(stats.errors)) sum.errors[code] = (sum.errors[code] ?? 0) + count;
    } catch (error) {
      await load.stop().catch(() => undefined);
      throw error;
    }
  });
  for (const [name, sum] of Object.entries(totals)) {
    if (sum.failed === 0) continue;
    const errorText = Object.entries(sum.errors)
      .map(([code, count]) => `${code}×${count}`)
      .join(', ');
    details.push(`${name} reload: ${sum.failed} failed requests of ${sum.ok + sum.failed} over ${sum.reps} reloads (${errorText})`);
  }
  for (const tool of tools) await tool.cli(['delete', 'cl']);
}

/**
 * The logger with a bare Node reader that drains its stdout: the most any manager could reach. With
 * `file`, the reader also appends every chunk to it (writeSync), the least any manager that keeps
 * the log must do. Resolves { seconds, cpuMs } (cpuMs: this process's CPU time while reading).
 */
async function logFloor(total, perWrite, t0File, file) {
  refuseDuringTeardown();
  const child = spawn(process.execPath, [LOGGER_APP], {
    env: env({ BENCH_LINES: String(total), BENCH_T0_FILE: t0File, BENCH_LINES_PER_WRITE: String(perWrite) }),
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  liveChildren.add(child.pid);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const fd = file ? fs.openSync(file, 'a') : undefined;
  const cpuBefore = process.cpuUsage();
  try {
    const finished = await new Promise((resolve, reject) => {
      let received = 0;
      const timer = setTimeout(() => reject(new Error('log floor: the logger did not finish in 60 s')), 60_000);
      child.stdout.on('data', (chunk) => {
        if (fd !== undefined) fs.writeSync(fd, chunk);
        received += chunk.length;
        if (received >= total * 60) {
          clearTimeout(timer);
          resolve(performance.timeOrigin + now());
        }
      });
    });
    const cpu = process.cpuUsage(cpuBefore);
    return { seconds: (finished - Number(fs.readFileSync(t0File, 'utf8'))) / 1000, cpuMs: (cpu.user + cpu.system) / 1000 };
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
    if (file) fs.rmSync(file, { force: true });
    child.kill('SIGKILL');
    await exited;
    liveChildren.delete(child.pid);
  }
}

/** Log throughput with one line per write() (console.log style) and with 100 lines per write() (a buffered logger). */
async function scenarioLogs() {
  // The batched variant writes more lines: 200k at 100 per write pass in ~0.1 s, too short to time on a busy machine.
  for (const [perWrite, total] of [
    [1, REPS.logLines],
    [100, REPS.batchedLogLines],
  ]) {
    const bytes = total * 60;
    const key = `logs${perWrite}`;
    await interleaved(REPS.logs, async function logs(tool, rep) {
      if (tool === tools[0]) {
        const { seconds } = await logFloor(total, perWrite, path.join(work, `floor-${perWrite}-${rep}.t0`));
        recordFloor(key, total / seconds);
        log(`${'log reference'.padEnd(14)} ${`${perWrite}/w`.padEnd(6)} ${formatValue('lines/s', total / seconds)}  (bare Node pipe reader)`);
        const withFile = await logFloor(total, perWrite, path.join(work, `floor-file-${perWrite}-${rep}.t0`), path.join(work, `floor-${perWrite}-${rep}.log`));
        recordFloor(`${key}File`, total / withFile.seconds);
        recordFloor(`${key}Cpu`, withFile.cpuMs);
        log(
          `${'log reference'.padEnd(14)} ${`${perWrite}/w`.padEnd(6)} ${formatValue('lines/s', total / withFile.seconds)}  (bare Node pipe reader appending to a file; its CPU ${withFile.cpuMs.toFixed(0)} ms)`,
        );
      }
      const name = `log${perWrite}-${rep}`;
      const out = path.join(work, `${tool.key}-${name}-out.log`);
      const err = path.join(work, `${tool.key}-${name}-err.log`);
      const t0File = path.join(work, `${tool.key}-${name}.t0`);
      const daemon = tool.daemonPid() ?? (await tool.ensureDaemon());
      const ticksBefore = cpuTicks(daemon);
      await tool.cli(['start', LOGGER_APP, '--name', name, '-o', out, '-e', err], {
        env: { BENCH_LINES: String(total), BENCH_T0_FILE: t0File, BENCH_LINES_PER_WRITE: String(perWrite) },
      });
      // Wait for every byte; if some never come, stop once the files have not grown for 5 s.
      let size = -1;
      let grewAt = now();
      const deadline = now() + 120_000;
      for (;;) {
        const current = logBytes(out);
        if (current >= bytes) break;
        if (current !== size) {
          size = current;
          grewAt = now();
        } else if (now() - grewAt > 5000 && fs.existsSync(t0File)) break;
        if (now() > deadline) break;
        await sleep(2);
      }
      const finished = performance.timeOrigin + now();
      const daemonCpuMs = ((cpuTicks(daemon) - ticksBefore) / TICKS_PER_SECOND) * 1000;
      const firstWrite = Number(fs.readFileSync(t0File, 'utf8'));
      const seconds = (finished - firstWrite) / 1000;
      const check = checkLog(out, total);
      const rate = (total - check.lost) / seconds;
      record(key, tool, rate);
      record(`${key}Cpu`, tool, daemonCpuMs);
      record('logsLost', tool, check.lost + check.torn);
      logSample(
        `log ${perWrite}/write`,
        tool,
        'lines/s',
        rate,
        `${total} lines in ${seconds.toFixed(2)} s, daemon CPU ${daemonCpuMs.toFixed(0)} ms; lost ${check.lost}, torn ${check.torn}, duplicated ${check.duplicated}; ${check.files} file(s)`,
      );
      if (check.files > 1 && rep === 0 && perWrite === 1)
        details.push(
          `${tool.name} rotated the ${total / 1000}k-line log (${(bytes / 1024 / 1024).toFixed(1)} MB) into ${check.files} files (its default log_max_size); the check reads them all`,
        );
      if (check.lost || check.torn || check.duplicated)
        details.push(
          `${tool.name} log (${perWrite} line(s)/write) rep ${rep}: lost ${check.lost}, torn ${check.torn}, duplicated ${check.duplicated} of ${total}`,
        );
      await tool.cli(['delete', name]);
    });
  }
}

/** New daemons, so memory figures reflect the fleet and not what earlier scenarios left in the heap. */
async function freshDaemons() {
  for (const tool of tools) {
    await tool.kill();
    await tool.ensureDaemon();
  }
}

async function startFleet(tool, file, count, prefix) {
  const result = await tool.cli(['start', file], { timeoutMs: 300_000 });
  await tool.waitOnline(count, { filter: (name) => name.startsWith(prefix), timeoutMs: 300_000 });
  return result.ms;
}

async function timedJlist(key, label, count) {
  await interleaved(REPS.jlist, async function jlist(tool) {
    const result = await tool.cli(['jlist']);
    const list = JSON.parse(result.stdout.slice(result.stdout.indexOf('[')));
    if (list.length !== count) throw new Error(`${tool.name} jlist: expected ${count} entries, got ${list.length}`);
    record(key, tool, result.ms);
    logSample(label, tool, 'ms', result.ms);
  });
}

async function scenarioFleet50() {
  const names = Array.from({ length: 50 }, (_, i) => `f${i}`);
  const file = ecosystem(path.join(work, 'fleet50.config.js'), names);
  await freshDaemons();
  for (let rep = 0; rep < REPS.delete; rep++) {
    if (rep > 0 && overBudget()) {
      details.push(`time budget reached: delete all ran ${rep} of ${REPS.delete} repetitions`);
      break;
    }
    for (const tool of tools) {
      const ms = await startFleet(tool, file, 50, 'f');
      record('start50', tool, ms);
      logSample('start 50', tool, 'ms', ms, '(informational)');
    }
    if (rep === 0) {
      await timedJlist('jlist50', 'jlist (50)', 50);
      // Both daemons over the same window, nothing else of ours running.
      const pids = tools.map((tool) => tool.daemonPid());
      const before = pids.map(cpuTicks);
      const t0 = now();
      // RSS is read through the same window (reading /proc costs the daemons nothing).
      const memory = await sampleMemory(pids, REPS.cpuWindowS * 1000);
      const seconds = (now() - t0) / 1000;
      tools.forEach((tool, i) => {
        const percent = ((cpuTicks(pids[i]) - before[i]) / TICKS_PER_SECOND / seconds) * 100;
        record('cpu50', tool, percent);
        logSample('CPU (50 idle)', tool, '%', percent, `over ${seconds.toFixed(1)} s`);
        recordMemory('50', 'RSS (50)', tool, memory[i]);
      });
    }
    for (const tool of tools) {
      const pids = (await tool.jlist()).map((entry) => entry.pid).filter(Boolean);
      const t0 = now();
      await tool.cli(['delete', 'all']);
      await waitPidsGone(`${tool.name}: 50 apps gone`, pids);
      const ms = now() - t0;
      record('delete50', tool, ms);
      logSample('delete all (50)', tool, 'ms', ms);
    }
  }
}

async function scenarioFleet200() {
  const count = REPS.bigFleet;
  const names = Array.from({ length: count }, (_, i) => `g${i}`);
  const file = ecosystem(path.join(work, `fleet${count}.config.js`), names);
  await freshDaemons();
  for (const tool of tools) {
    const ms = await startFleet(tool, file, count, 'g');
    record('start200', tool, ms);
    logSample(`start ${count}`, tool, 'ms', ms, '(informational)');
  }
  await timedJlist('jlist200', `jlist (${count})`, count);
  const memory = await sampleMemory(
    tools.map((tool) => tool.daemonPid()),
    RSS_WINDOW_MS,
  );
  tools.forEach((tool, i) => recordMemory('200', `RSS (${count})`, tool, memory[i]));
}

/** Binds the run's session (tools, repetitions, recording and logging helpers) and returns the scenarios by name. */
export function makeScenarios(session) {
  ({
    tools,
    reps: REPS,
    rssWindowMs: RSS_WINDOW_MS,
    work,
    tmp,
    env,
    record,
    recordFloor,
    log,
    logSample,
    details,
    interleaved,
    overBudget,
    strippedHere,
  } = session);
  return SCENARIOS;
}

const SCENARIOS = {
  cold: scenarioCold,
  ping: scenarioPing,
  start10: scenarioStart10,
  respawn: scenarioRespawn,
  reload: scenarioReload,
  logs: scenarioLogs,
  fleet50: scenarioFleet50,
  fleet200: scenarioFleet200,
};
