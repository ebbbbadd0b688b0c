// The soak (issue #21 § 4): is the daemon's memory flat after many restarts and a lot of logs? Corral only (PM2's
// own daemon over the same soak would double the scenario's time; its memory rows are in the fleet scenarios).
// A few apps running /bin/true (interpreter none, min_uptime 0, restart_delay 0: an exit with code 0 is a clean
// exit, so the restart policy neither backs off nor gives up) restart as fast as the daemon respawns them, while
// one Node app writes 100-byte lines at full speed until the log files hold the target. The daemon's RSS and
// private (anonymous) memory are read along the way; the curve goes into the notes with a verdict.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatValue } from './report.mjs';
import { anonymousBytes, now, rssBytes, sleep } from './util.mjs';

const LOGGER = `const chunk = ('x'.repeat(99) + '\\n').repeat(1000);
function go() { while (process.stdout.write(chunk)); process.stdout.once('drain', go); }
go();
`;

/** Bytes in every file under dir (the daemon's log files). */
function bytesUnder(dir) {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    try {
      total += fs.statSync(path.join(entry.parentPath ?? entry.path, entry.name)).size;
    } catch {
      // rotated away meanwhile
    }
  }
  return total;
}

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
    const daemon = await tool.ensureDaemon();
    const logger = path.join(work, 'soak-logger.js');
    fs.writeFileSync(logger, LOGGER);
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
    fs.writeFileSync(file, `module.exports = ${JSON.stringify({ apps: [...restarters, { name: 'soak-log', script: logger }] }, null, 1)};\n`);

    const logsDir = path.join(tool.home, 'logs');
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
    sample(0, 0, 'before');
    await tool.cli(['start', file]);
    let restarts = 0;
    let logBytes = 0;
    let loggerStopped = false;
    const capMs = quick ? 120_000 : 900_000;
    let nextSampleAt = 0;
    while (now() - t0 < capMs) {
      restarts = await restartsOf(tool, 'soak-true-');
      logBytes = bytesUnder(logsDir);
      if (!loggerStopped && logBytes >= targetLogBytes) {
        await tool.cli(['stop', 'soak-log']);
        loggerStopped = true;
      }
      if (now() - t0 >= nextSampleAt) {
        sample(restarts, logBytes);
        nextSampleAt = now() - t0 + (quick ? 2000 : 10_000);
      }
      if (restarts >= targetRestarts && loggerStopped) break;
      await sleep(250);
    }
    await tool.cli(['stop', 'all']);
    const reached = restarts >= targetRestarts && loggerStopped;
    if (!reached)
      details.push(
        `soak: the ${(capMs / 1000).toFixed(0)} s cap came first (${restarts} of ${targetRestarts} restarts, ${formatValue('MB', logBytes)} of logs)`,
      );
    // Settled: everything stopped, a few seconds for the heap to be collected as it would be on an idle daemon.
    await sleep(5000);
    const end = sample(restarts, bytesUnder(logsDir), 'all stopped, 5 s later');
    await tool.cli(['delete', 'all']);

    // Warm-up: the first reading once a tenth of the restarts are done (heaps, pools and caches have grown to size).
    const warm = curve.find((point) => point.restarts >= targetRestarts / 10 && point.phase !== 'before') ?? curve[1] ?? curve[0];
    const peak = curve.filter((point) => point.s >= warm.s);
    const growth = (key) => (Math.max(...peak.map((point) => point[key])) - warm[key]) / warm[key];
    const endGrowth = (key) => (end[key] - warm[key]) / warm[key];
    const flat = endGrowth('rss') < 0.1 && endGrowth('anon') < 0.1;
    record('soakRssWarm', tool, warm.rss);
    record('soakRssEnd', tool, end.rss);
    record('soakAnonWarm', tool, warm.anon);
    record('soakAnonEnd', tool, end.anon);
    const pct = (value) => `${value >= 0 ? '+' : ''}${(value * 100).toFixed(1)} %`;
    const table = curve
      .map(
        (point) =>
          `${point.s.toFixed(0)} s: ${point.restarts} restarts, ${formatValue('MB', point.logBytes)} logs → RSS ${formatValue('MB', point.rss)}, private ${formatValue('MB', point.anon)}${point.phase ? ` (${point.phase})` : ''}`,
      )
      .join('; ');
    details.push(
      `soak (Corral; ${targetRestarts} restarts of 4 /bin/true apps and ${formatValue('MB', targetLogBytes)} of logs from one app at full speed): ${table}. ` +
        `After warm-up (${warm.restarts} restarts) → settled end: RSS ${pct(endGrowth('rss'))}, private ${pct(endGrowth('anon'))}; highest reading along the way RSS ${pct(growth('rss'))}, private ${pct(growth('anon'))}. ` +
        `Verdict: ${flat ? 'flat' : 'NOT flat'} (target: growth after warm-up < 10 %)${reached ? '' : ', soak cut short by its cap'}.`,
    );
  };
}
