// The soak (issue #21 § 4): is the daemon's memory flat after many restarts and a lot of logs? Corral only (PM2's
// own daemon over the same soak would double the scenario's time; its memory rows are in the fleet scenarios).
// A few apps running /bin/true (interpreter none, min_uptime 0, restart_delay 0: an exit with code 0 is a clean
// exit, so the restart policy neither backs off nor gives up) restart as fast as the daemon respawns them, while
// one Node app writes 100-byte lines at full speed until the log files hold the target. The daemon's RSS and
// private (anonymous) memory are read along the way; the curve goes into the notes with a verdict.
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { formatValue } from './report.mjs';
import { anonymousBytes, now, rssBytes, sleep } from './util.mjs';

// Writes 100-byte lines at full speed until argv[3] bytes have been handed to stdout, then idles; every 8 MB and at
// the end it records its count in the file argv[2]. Counted by the writer: rotation deletes old log files, so the
// files on disk never add up to what went through the daemon.
const LOGGER = `const fs = require('node:fs');
const [progress, target] = [process.argv[2], Number(process.argv[3])];
const chunk = ('x'.repeat(99) + '\\n').repeat(1000);
let written = 0;
let reported = 0;
const report = () => { fs.writeFileSync(progress + '.tmp', String(written)); fs.renameSync(progress + '.tmp', progress); reported = written; };
function go() {
  while (written < target) {
    written += chunk.length;
    if (written - reported >= 8 << 20) report();
    if (!process.stdout.write(chunk)) return process.stdout.once('drain', go);
  }
  process.stdout.write('', () => { report(); setInterval(() => {}, 1 << 30); });
}
go();
`;

/**
 * The daemon's inspector (SIGUSR1, the address from daemon.log), to force a full garbage collection before a
 * reading: what is left is retained memory, not garbage waiting for the next collection. Through the `ws` package
 * (Node 20 has no global WebSocket; PM2, a devDependency, brings it); null when it cannot be had.
 */
async function openInspector(home, pid) {
  let WebSocket;
  try {
    WebSocket = globalThis.WebSocket ?? createRequire(import.meta.url)('ws');
  } catch {
    return null;
  }
  const logFile = path.join(home, 'daemon.log');
  const address = () => [...fs.readFileSync(logFile, 'utf8').matchAll(/Debugger listening on (ws:\S+)/g)].pop()?.[1];
  process.kill(pid, 'SIGUSR1');
  let url;
  for (let i = 0; i < 100 && !(url = address()); i++) await sleep(50);
  if (!url) return null;
  const socket = new WebSocket(url);
  await new Promise((resolve, reject) => {
    socket.addEventListener('open', resolve, { once: true });
    socket.addEventListener('error', reject, { once: true });
  });
  let lastId = 0;
  const pending = new Map();
  socket.addEventListener('message', (message) => {
    const reply = JSON.parse(String(message.data));
    pending.get(reply.id)?.(reply);
    pending.delete(reply.id);
  });
  const call = (method, params = {}) =>
    new Promise((resolve) => {
      const id = ++lastId;
      pending.set(id, resolve);
      socket.send(JSON.stringify({ id, method, params }));
    });
  return {
    /** A full collection, then the heap in use and the process's RSS and private memory. */
    async collected() {
      await call('HeapProfiler.collectGarbage');
      const reply = await call('Runtime.evaluate', { expression: 'process.memoryUsage().heapUsed', returnByValue: true });
      return { heapUsed: reply.result?.result?.value, rss: rssBytes(pid), anon: anonymousBytes(pid) };
    },
    close: () => socket.close(),
  };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor(sorted.length / 2)] : NaN;
};

/** Sum of restart_time over the apps whose names start with prefix, from Corral's jlist. */
async function restartsOf(tool, prefix) {
  const { stdout } = await tool.cli(['jlist']);
  const list = JSON.parse(stdout.slice(stdout.indexOf('['), stdout.lastIndexOf(']') + 1));
  return list.filter((entry) => entry.name.startsWith(prefix)).reduce((sum, entry) => sum + (entry.pm2_env?.restart_time ?? 0), 0);
}

/**
 * @param {object} session  run.mjs's session (tools, env, work, record, log, details) and quick
 * @returns {() => Promise<void>} the scenario
 */
export function soakScenario(session) {
  const { tools, work, record, log, details, quick } = session;
  const targetRestarts = quick ? 1000 : 10_000;
  const targetLogBytes = (quick ? 100 : 1024) * 1024 * 1024;
  return async function soak() {
    const tool = tools[0];
    await tool.kill();
    // The daemon's inspector on a free port when SIGUSR1 opens it (9229 may be taken by another process here).
    await tool.cli(['ping'], { env: { NODE_OPTIONS: '--inspect-port=0' } });
    const daemon = await tool.ensureDaemon();
    const logger = path.join(work, 'soak-logger.js');
    fs.writeFileSync(logger, LOGGER);
    const progressFile = path.join(work, 'soak-logger.progress');
    fs.rmSync(progressFile, { force: true });
    const loggedBytes = () => {
      try {
        return Number(fs.readFileSync(progressFile, 'utf8')) || 0;
      } catch {
        return 0;
      }
    };
    const restarters = Array.from({ length: 4 }, (_, i) => ({
      name: `soak-true-${i}`,
      script: '/bin/true',
      interpreter: 'none',
      autorestart: true,
      min_uptime: 0,
      restart_delay: 0,
      max_restarts: 1_000_000,
    }));
    const file = path.join(work, 'soak.config.js');
    fs.writeFileSync(
      file,
      `module.exports = ${JSON.stringify({ apps: [...restarters, { name: 'soak-log', script: logger, args: [progressFile, String(targetLogBytes)], autorestart: false }] }, null, 1)};\n`,
    );

    const t0 = now();
    const curve = [];
    const sample = (restarts, logBytes, phase) => {
      const point = { s: (now() - t0) / 1000, restarts, logBytes, rss: rssBytes(daemon), anon: anonymousBytes(daemon), phase };
      curve.push(point);
      log(
        `${'soak'.padEnd(14)} ${tool.name.padEnd(6)} ${String(restarts).padStart(6)} restarts, ${formatValue('MB', logBytes)} logs → RSS ${formatValue('MB', point.rss)}, private ${formatValue('MB', point.anon)}${phase ? ` (${phase})` : ''}`,
      );
      return point;
    };
    // Opened first, so every reading has its cost in it alike.
    const inspector = await openInspector(tool.home, daemon);
    sample(0, 0, 'before');
    await tool.cli(['start', file]);
    const started = now();
    // Forced-GC readings at a quarter (the warm-up: heaps, pools and caches have grown to their working size),
    // half and three quarters of the restarts; the end one once all is stopped.
    const checkpoints = [0.25, 0.5, 0.75];
    const collectedAt = new Map();
    let restarts = 0;
    let logBytes = 0;
    let loggerStopped = false;
    const capMs = quick ? 120_000 : 900_000;
    let nextSampleAt = 0;
    while (now() - t0 < capMs) {
      restarts = await restartsOf(tool, 'soak-true-');
      logBytes = loggedBytes();
      if (!loggerStopped && logBytes >= targetLogBytes) {
        await tool.cli(['stop', 'soak-log']);
        loggerStopped = true;
      }
      const due = checkpoints.find((share) => !collectedAt.has(share) && restarts >= targetRestarts * share);
      if (due !== undefined) {
        collectedAt.set(due, { restarts, ...(inspector ? await inspector.collected() : {}) });
        sample(restarts, logBytes, due === checkpoints[0] ? 'warm-up reading' : `forced GC at ${due * 100} %`);
        nextSampleAt = now() - t0 + (quick ? 2000 : 10_000);
      } else if (now() - t0 >= nextSampleAt) {
        sample(restarts, logBytes);
        nextSampleAt = now() - t0 + (quick ? 2000 : 10_000);
      }
      if (restarts >= targetRestarts && loggerStopped) break;
      await sleep(250);
    }
    const runningS = (now() - started) / 1000;
    await tool.cli(['stop', 'all']);
    const reached = restarts >= targetRestarts && loggerStopped;
    if (!reached)
      details.push(
        `soak: the ${(capMs / 1000).toFixed(0)} s cap came first (${restarts} of ${targetRestarts} restarts, ${formatValue('MB', logBytes)} of logs)`,
      );
    // Settled: everything stopped, a few seconds for the heap to be collected as it would be on an idle daemon.
    await sleep(5000);
    const end = sample(restarts, logBytes, 'all stopped, 5 s later');
    const endCollected = inspector ? { restarts, ...(await inspector.collected()) } : null;
    inspector?.close();
    await tool.cli(['delete', 'all']);

    const warmIndex = curve.findIndex((point) => point.phase === 'warm-up reading');
    const warm = curve[warmIndex] ?? curve[1] ?? curve[0];
    const rel = (a, b) => (a - b) / b;
    const pct = (value) => (Number.isFinite(value) ? `${value >= 0 ? '+' : ''}${(value * 100).toFixed(1)} %` : '—');
    // The readings without a forced GC after warm-up, in thirds: a leak is a trend (the last third above the
    // first); garbage and allocator high-water go up and down around a level.
    const running = curve.slice(warmIndex + 1, -1).filter((point) => !point.phase);
    const third = Math.max(1, Math.floor(running.length / 3));
    const trend = (key) => rel(median(running.slice(-third).map((point) => point[key])), median(running.slice(0, third).map((point) => point[key])));
    const settled = (key) => rel(end[key], warm[key]);
    // The forced-GC readings: the heap after a full GC holds what is retained, so a leak grows it from reading to
    // reading; the private memory after GC reaches the allocator's level once warm and stays there.
    const warmCollected = collectedAt.get(checkpoints[0]);
    const collected = warmCollected?.heapUsed !== undefined && endCollected?.heapUsed !== undefined ? endCollected : null;
    const later = checkpoints
      .slice(1)
      .map((share) => collectedAt.get(share))
      .filter((reading) => reading?.heapUsed !== undefined);
    const heapGrowth = collected ? rel(collected.heapUsed, warmCollected.heapUsed) : NaN;
    const heapPerRestart = collected ? (collected.heapUsed - warmCollected.heapUsed) / Math.max(1, restarts - warmCollected.restarts) : NaN;
    const anonLevel = later.length > 0 ? Math.max(...later.map((reading) => reading.anon)) : warmCollected?.anon;
    const anonGrowthCollected = collected ? rel(collected.anon, anonLevel) : NaN;
    // Flat: after a forced GC the heap at the end holds no more than 10 % (or 1 MB) over its warm-up reading, and
    // the private memory no more than 10 % over its highest forced-GC reading after warm-up. Without the
    // inspector: the settled end against the warm-up reading.
    const heapFlat = collected ? heapGrowth < 0.1 || collected.heapUsed - warmCollected.heapUsed < 1024 * 1024 : false;
    const flat = collected ? heapFlat && anonGrowthCollected < 0.1 : settled('rss') < 0.1 && settled('anon') < 0.1;
    record('soakRssWarm', tool, warm.rss);
    record('soakRssEnd', tool, end.rss);
    record('soakAnonWarm', tool, warm.anon);
    record('soakAnonEnd', tool, end.anon);
    if (collected) {
      record('soakHeapWarm', tool, warmCollected.heapUsed);
      record('soakHeapEnd', tool, collected.heapUsed);
      record('soakAnonLevelGc', tool, anonLevel);
      record('soakAnonEndGc', tool, collected.anon);
    }
    record('soakRestartRate', tool, restarts / runningS);
    const table = curve
      .map(
        (point) =>
          `${point.s.toFixed(0)} s: ${point.restarts} restarts, ${formatValue('MB', point.logBytes)} logs → RSS ${formatValue('MB', point.rss)}, private ${formatValue('MB', point.anon)}${point.phase ? ` (${point.phase})` : ''}`,
      )
      .join('; ');
    const gcReadings = [...checkpoints.map((share) => [`${share * 100} %`, collectedAt.get(share)]), ['end', collected]]
      .filter(([, reading]) => reading?.heapUsed !== undefined)
      .map(
        ([when, reading]) =>
          `${when} (${reading.restarts} restarts): heap ${formatValue('MB', reading.heapUsed)}, private ${formatValue('MB', reading.anon)}, RSS ${formatValue('MB', reading.rss)}`,
      )
      .join('; ');
    const gcText = collected
      ? `After a forced full GC: ${gcReadings}. Heap from warm-up to end ${pct(heapGrowth)} (${heapPerRestart.toFixed(0)} bytes per restart); private at the end against its highest reading after warm-up ${pct(anonGrowthCollected)}. `
      : 'No forced-GC reading (the inspector could not be reached). ';
    details.push(
      `soak (Corral; ${targetRestarts} restarts of 4 /bin/true apps and ${formatValue('MB', targetLogBytes)} of logs from one app at full speed; ${(restarts / runningS).toFixed(1)} restarts/s, ${formatValue('MB', logBytes / runningS)}/s of logs): ${table}. ` +
        gcText +
        `Without a forced GC: warm-up reading → settled end RSS ${pct(settled('rss'))}, private ${pct(settled('anon'))}; trend while running (median of the last third of the readings after warm-up against the first third) RSS ${pct(trend('rss'))}, private ${pct(trend('anon'))}. ` +
        `Verdict: ${flat ? 'flat' : 'NOT flat'} (target: ${collected ? 'after a forced GC, the heap from warm-up and the private memory from its level after warm-up' : 'the settled end against warm-up'} grow < 10 %)${reached ? '' : ', soak cut short by its cap'}.`,
    );
  };
}
