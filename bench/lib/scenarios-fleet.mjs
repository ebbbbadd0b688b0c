// The 1,000-app fleet (issue #21 § 2): `sleep 600` apps with `interpreter: none` from one ecosystem file, against
// a bare Node script spawning the same processes (the floor, bench/fleet-floor.mjs), measured in the same run.
// Corral: all online, jlist beside ping, delete all, idle daemon CPU and RSS. PM2 beside it with a cap on each wait
// (at 1,000 apps it may take minutes): what it reached is reported, not waited for.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatValue } from './report.mjs';
import { cpuTicks, liveChildren, median, now, processAlive, rssBytes, sleep, teardown, TICKS_PER_SECOND, waitFor } from './util.mjs';

const FLOOR_SCRIPT = path.resolve(fileURLToPath(new URL('../fleet-floor.mjs', import.meta.url)));

/**
 * Runs the floor script once: resolves { ms, endMs }: the milliseconds it took to spawn `count` sleeps, and to end
 * them all (SIGINT, every exit seen); its children are gone after.
 */
async function spawnFloor(env, count) {
  if (teardown.started) throw new Error('the run is being torn down');
  const child = spawn(process.execPath, [FLOOR_SCRIPT, String(count)], { env, stdio: ['pipe', 'pipe', 'inherit'] });
  liveChildren.add(child.pid);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let text = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => (text += chunk));
  /** The next JSON line the script prints. */
  const nextLine = (what) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`fleet floor: ${what} of ${count} sleeps did not finish in 120 s`)), 120_000);
      const check = () => {
        if (!text.includes('\n')) return;
        clearTimeout(timer);
        child.stdout.off('data', check);
        child.off('exit', early);
        const line = text.slice(0, text.indexOf('\n'));
        text = text.slice(text.indexOf('\n') + 1);
        resolve(JSON.parse(line));
      };
      const early = (code) => {
        clearTimeout(timer);
        reject(new Error(`fleet floor exited with ${code} before reporting`));
      };
      child.stdout.on('data', check);
      child.once('exit', early);
      check();
    });
  try {
    const { ms } = await nextLine('the spawn');
    child.stdin.write('end\n');
    const { endMs } = await nextLine('the end');
    return { ms, endMs };
  } finally {
    child.stdin.end();
    await exited;
    liveChildren.delete(child.pid);
  }
}

/** The process list's online count and pids, or null when the CLI failed (an overloaded PM2 times out). */
async function onlineNow(tool, prefix) {
  try {
    const list = (await tool.jlist()).filter((entry) => entry.name.startsWith(prefix));
    return { online: list.filter((entry) => entry.status === 'online' && entry.pid > 0).length, pids: list.map((entry) => entry.pid).filter(Boolean) };
  } catch {
    return null;
  }
}

/**
 * @param {object} session  run.mjs's session (tools, reps, env, record, recordFloor, log, logSample, details, interleaved)
 * @returns {() => Promise<void>} the scenario
 */
export function fleetScenario(session) {
  const { tools, reps: REPS, env, work, record, recordFloor, log, logSample, details, interleaved } = session;
  return async function fleet1000() {
    const count = REPS.hugeFleet;
    const prefix = 'h';
    const apps = Array.from({ length: count }, (_, i) => ({ name: `${prefix}${i}`, script: 'sleep', args: '600', interpreter: 'none' }));
    const file = path.join(work, `fleet${count}.config.js`);
    fs.writeFileSync(file, `module.exports = ${JSON.stringify({ apps }, null, 1)};\n`);

    // The floor first, twice (the first warms the page cache for `sleep`); the second is recorded.
    await spawnFloor(env(), Math.min(count, 100));
    const { ms: floor, endMs } = await spawnFloor(env(), count);
    recordFloor('fleetStart', floor);
    recordFloor('fleetDelete', endMs);
    log(
      `${`fleet ${count}`.padEnd(14)} ${'floor'.padEnd(6)} ${formatValue('ms', floor)}  (bare Node spawning ${count} sleeps; ending them: ${formatValue('ms', endMs)})`,
    );

    for (const tool of tools) {
      const cap = tool === tools[0] ? 300_000 : REPS.hugeFleetPm2CapMs;
      await tool.kill();
      await tool.ensureDaemon();
      const t0 = now();
      const started = tool.cli(['start', file], { timeoutMs: cap, check: false });
      const result = await started.catch((error) => ({ code: null, error }));
      let reached = await onlineNow(tool, prefix);
      let elapsed = null;
      if (reached?.online === count) elapsed = now() - t0;
      while (elapsed === null && now() - t0 < cap) {
        const asked = now();
        reached = await onlineNow(tool, prefix);
        if (reached?.online === count) elapsed = asked - t0;
        else await sleep(200);
      }
      if (elapsed === null) {
        details.push(
          `${tool.name} fleet ${count}: ${reached?.online ?? 'unknown (jlist failed)'} of ${count} online after the ${(cap / 1000).toFixed(0)} s cap (start ${result.code === 0 ? 'returned' : `ended with ${result.code ?? result.error?.message?.split('\n')[0]}`}); its other fleet figures are left out`,
        );
        logSample(`fleet ${count}`, tool, 'count', reached?.online ?? 0, `online after the ${(cap / 1000).toFixed(0)} s cap`);
        const pids = reached?.pids ?? [];
        await tool.kill({ timeoutMs: 300_000 }).catch((error) => details.push(`${tool.name} fleet ${count}: kill failed: ${error.message.split('\n')[0]}`));
        await waitFor(`${tool.name}: fleet gone`, () => pids.every((pid) => !processAlive(pid)), { timeoutMs: 60_000, intervalMs: 50 }).catch(() => undefined);
        continue;
      }
      record('fleetStart', tool, elapsed);
      logSample(`fleet ${count}`, tool, 'ms', elapsed, `all online (floor ${formatValue('ms', floor)})`);

      // jlist beside ping, on the same daemon in the same state.
      await interleaved(REPS.hugeFleetJlist, async function fleetJlist(current) {
        if (current !== tool) return;
        const ping = await tool.cli(['ping']);
        record('fleetPing', tool, ping.ms);
        const list = await tool.cli(['jlist'], { timeoutMs: 60_000 });
        const entries = JSON.parse(list.stdout.slice(list.stdout.indexOf('[')));
        if (entries.length !== count) throw new Error(`${tool.name} jlist: expected ${count} entries, got ${entries.length}`);
        record('fleetJlist', tool, list.ms);
        logSample(`jlist (${count})`, tool, 'ms', list.ms, `(ping ${formatValue('ms', ping.ms)})`);
      });

      // Idle CPU and RSS over one window, the fleet sampled by the daemon meanwhile.
      const daemon = tool.daemonPid();
      const ticks = cpuTicks(daemon);
      const rss = [];
      const w0 = now();
      while (now() - w0 < REPS.cpuWindowS * 1000) {
        rss.push(rssBytes(daemon));
        await sleep(250);
      }
      const percent = ((cpuTicks(daemon) - ticks) / TICKS_PER_SECOND / ((now() - w0) / 1000)) * 100;
      record('fleetCpu', tool, percent);
      record('fleetRss', tool, median(rss));
      logSample(`CPU (${count})`, tool, '%', percent, `RSS ${formatValue('MB', median(rss))}`);

      const pids = (await onlineNow(tool, prefix))?.pids ?? [];
      const d0 = now();
      await tool.cli(['delete', 'all'], { timeoutMs: cap });
      await waitFor(`${tool.name}: ${count} apps gone`, () => pids.every((pid) => !processAlive(pid)), { timeoutMs: cap, intervalMs: 10 });
      const deleted = now() - d0;
      record('fleetDelete', tool, deleted);
      logSample(`delete (${count})`, tool, 'ms', deleted);
    }
  };
}

/** The fleet's rows, with the issue's targets (against the floor and ping measured in the same run, or absolute). */
export function fleetRows(get, REPS) {
  const count = REPS.hugeFleet;
  const floor = median(get('fleetStart').floor ?? []);
  const ping = median(get('fleetPing').corral);
  const bound = (value, text) => ({ corralAtMost: value, text: Number.isFinite(value) ? text : text.replace(/ = .*/, '') });
  return [
    {
      key: 'fleetStart',
      label: `fleet of ${count} (\`sleep\`, interpreter none, one ecosystem file): start → all online`,
      unit: 'ms',
      target: bound(floor * 1.2, `≤ 1.2 × floor = ${(floor * 1.2).toFixed(0)} ms`),
    },
    {
      key: 'fleetFloor',
      label: `fleet floor: a bare Node script spawning the same ${count} sleeps (no manager)`,
      unit: 'ms',
      corral: get('fleetStart').floor ?? [],
      pm2: [],
    },
    { key: 'fleetPing', label: `ping, ${count} apps`, unit: 'ms' },
    { key: 'fleetJlist', label: `jlist, ${count} apps`, unit: 'ms', target: bound(ping * 1.5, `≤ 1.5 × ping = ${(ping * 1.5).toFixed(0)} ms`) },
    { key: 'fleetDelete', label: `delete all, ${count} apps → every pid gone`, unit: 'ms', target: { corralAtMost: 1000, text: '≤ 1000 ms' } },
    {
      key: 'fleetDeleteFloor',
      label: `delete floor: the same script ending its ${count} sleeps (SIGINT each, until every exit; no manager, no CLI)`,
      unit: 'ms',
      corral: get('fleetDelete').floor ?? [],
      pm2: [],
    },
    { key: 'fleetCpu', label: `daemon CPU, ${count} idle apps, ${REPS.cpuWindowS} s`, unit: '%', target: { corralAtMost: 1, text: '≤ 1 %' } },
    { key: 'fleetRss', label: `daemon RSS, ${count} apps`, unit: 'MB', target: { corralAtMost: 85 * 1024 * 1024, text: '≤ 85 MB' } },
  ];
}
