// The edit loop (issue #21 § 3): an HTTP app answering its version; the file is rewritten with the next version and
// the time is taken until a GET answers it, with the failed requests of a light keep-alive load meanwhile. Corral
// watch (fork), Corral watch (cluster -i 2, which reloads), PM2 --watch, nodemon and `node --watch`, each at its
// defaults, interleaved edit by edit. Every tool runs its own copy of the app in its own folder on its own port.
import { fork, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatValue } from './report.mjs';
import { freePort, liveChildren, median, processAlive, sleep, teardown, waitFor } from './util.mjs';

const BENCH = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
const APP = path.join(BENCH, 'fixtures/version-http.js');
const LOAD = path.join(BENCH, 'edit-load.mjs');
const clock = () => performance.timeOrigin + performance.now();
/** GET loops of the load while an edit is timed: light, so the machine's two cores are the tools', not the load's. */
const CONNECTIONS = 2;

function nodemonBin() {
  try {
    return createRequire(path.join(BENCH, '..', 'package.json')).resolve('nodemon/bin/nodemon.js');
  } catch {
    return null;
  }
}

function startLoad(env, port) {
  if (teardown.started) throw new Error('the run is being torn down');
  const child = fork(LOAD, [String(port), String(CONNECTIONS)], { env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  liveChildren.add(child.pid);
  const ask = (message) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('edit load did not answer')), 15_000);
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
      await waitFor('edit load exit', () => !processAlive(child.pid), { timeoutMs: 5000 });
      liveChildren.delete(child.pid);
      return result;
    },
  };
}

/** A tool run as a plain child (nodemon, node --watch): resolves a stop function that waits for it to exit. */
function spawnWatcher(args, { cwd, env }) {
  if (teardown.started) throw new Error('the run is being torn down');
  const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
  liveChildren.add(child.pid);
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    stderr: () => stderr,
    stop: async () => {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
      liveChildren.delete(child.pid);
    },
  };
}

/**
 * @param {object} session  run.mjs's session (tools, reps, env, work, record, recordFloor, log, logSample, details)
 * @returns {() => Promise<void>} the scenario
 */
export function editScenario(session) {
  const { tools, reps: REPS, env, work, record, recordFloor, log, details } = session;
  const [corral, pm2] = tools;
  return async function editLoop() {
    const nodemon = nodemonBin();
    const variants = [
      { key: 'corralFork', label: 'Corral watch (fork)', tool: corral, args: ['--watch'] },
      { key: 'corralCluster', label: 'Corral watch (cluster -i 2)', tool: corral, args: ['-i', '2', '--watch'] },
      { key: 'pm2', label: 'PM2 --watch', tool: pm2, args: ['--watch'] },
      nodemon ? { key: 'nodemon', label: 'nodemon', command: [nodemon, 'app.js'] } : null,
      { key: 'nodeWatch', label: 'node --watch', command: ['--watch', 'app.js'] },
    ].filter(Boolean);
    if (!nodemon) details.push('edit loop: nodemon is not installed (devDependency), its row is left out');
    for (const tool of tools) await tool.ensureDaemon();
    try {
      for (const variant of variants) {
        variant.dir = path.join(work, `edit-${variant.key}`);
        fs.mkdirSync(variant.dir, { recursive: true });
        variant.file = path.join(variant.dir, 'app.js');
        fs.writeFileSync(variant.file, fs.readFileSync(APP, 'utf8'));
        variant.version = 0;
        variant.port = await freePort();
        const appEnv = { BENCH_PORT: String(variant.port) };
        if (variant.tool) {
          const name = `edit-${variant.key}`;
          await variant.tool.cli(['start', 'app.js', '--name', name, ...variant.args], { cwd: variant.dir, env: appEnv });
          variant.stop = () => variant.tool.cli(['delete', name], { check: false });
        } else {
          variant.stop = spawnWatcher(variant.command, { cwd: variant.dir, env: env(appEnv) }).stop;
        }
      }
      for (const variant of variants) {
        const load = startLoad(env(), variant.port);
        await waitFor(`${variant.label}: v0 served`, async () => (await load.stats()).firstSeen.v0, { timeoutMs: 30_000, intervalMs: 20 });
        await load.stop();
      }
      const failedTotals = {};
      for (let rep = 0; rep < REPS.edit; rep++) {
        for (const variant of variants) {
          const next = `v${variant.version + 1}`;
          const load = startLoad(env(), variant.port);
          try {
            await waitFor(`${variant.label}: warm-up`, async () => (await load.stats()).ok >= 50, { timeoutMs: 20_000, intervalMs: 10 });
            const before = await load.stats();
            const source = fs.readFileSync(variant.file, 'utf8').replace(/const VERSION = '[^']*';/, `const VERSION = '${next}';`);
            const t0 = clock();
            fs.writeFileSync(variant.file, source);
            const seen = await waitFor(`${variant.label}: ${next} served`, async () => (await load.stats()).firstSeen[next], {
              timeoutMs: 30_000,
              intervalMs: 5,
            });
            const { ok: okAtSeen } = await load.stats();
            await waitFor(`${variant.label}: 200 answers after ${next}`, async () => (await load.stats()).ok >= okAtSeen + 200, {
              timeoutMs: 20_000,
              intervalMs: 10,
            });
            const after = await load.stop();
            variant.version++;
            const ms = seen - t0;
            const failed = after.failed - before.failed;
            const errors = Object.entries(after.errors)
              .map(([code, count]) => `${code}×${count - (before.errors[code] ?? 0)}`)
              .filter((text) => !text.endsWith('×0'))
              .join(', ');
            const totals = (failedTotals[variant.label] ??= { failed: 0, ok: 0 });
            totals.failed += failed;
            totals.ok += after.ok - before.ok;
            if (variant.tool) {
              const key = variant.key === 'corralCluster' ? 'editCluster' : 'editFork';
              record(key, variant.tool, ms);
              record(`${key}Failed`, variant.tool, failed);
              if (variant.tool === pm2) {
                record('editCluster', pm2, ms);
                record('editClusterFailed', pm2, failed);
              }
            } else {
              const key = variant.key === 'nodemon' ? 'editNodemon' : 'editNodeWatch';
              recordFloor(key, ms);
              recordFloor(`${key}Failed`, failed);
            }
            log(`${'edit loop'.padEnd(14)} ${variant.label.padEnd(28)} ${formatValue('ms', ms)}  ${failed} failed${errors ? ` (${errors})` : ''}`);
          } catch (error) {
            await load.stop().catch(() => undefined);
            throw error;
          }
          await sleep(300); // the next edit of this variant is 4 variants away; this keeps edits apart for the watchers
        }
      }
      for (const [label, { failed, ok }] of Object.entries(failedTotals))
        if (failed > 0) details.push(`edit loop, ${label}: ${failed} failed requests of ${failed + ok} over ${REPS.edit} edits`);
    } finally {
      for (const variant of variants) await variant.stop?.().catch(() => undefined);
    }
  };
}

/** The edit loop's rows: Corral fork ≤ the fastest other tool; Corral cluster 0 failed and ≤ 1.5 × the fastest. */
export function editRows(get) {
  const med = (values) => median(values ?? []);
  const others = [med(get('editFork').pm2), med(get('editNodemon').floor), med(get('editNodeWatch').floor)].filter(Number.isFinite);
  const fastestOther = others.length ? Math.min(...others) : NaN;
  const fastest = Math.min(fastestOther, med(get('editFork').corral));
  const clusterFailed = (get('editClusterFailed').corral ?? []).reduce((a, b) => a + b, 0);
  const shown = (value) => (Number.isFinite(value) ? `${value.toFixed(0)} ms` : 'n/a');
  return [
    {
      key: 'editFork',
      label: 'edit loop: file rewritten → new version served, Corral watch (fork) vs PM2 --watch',
      unit: 'ms',
      target: { corralAtMost: fastestOther, text: `≤ the fastest other tool = ${shown(fastestOther)}` },
    },
    {
      key: 'editCluster',
      label: 'edit loop: Corral watch (cluster -i 2, reload) vs PM2 --watch',
      unit: 'ms',
      target: { corralAtMost: 1.5 * fastest, failed: clusterFailed, text: `≤ 1.5 × the fastest = ${shown(1.5 * fastest)}, 0 failed` },
    },
    { key: 'editNodemonRef', label: 'edit loop reference: nodemon', unit: 'ms', corral: get('editNodemon').floor ?? [], pm2: [] },
    { key: 'editNodeWatchRef', label: 'edit loop reference: node --watch', unit: 'ms', corral: get('editNodeWatch').floor ?? [], pm2: [] },
    { key: 'editForkFailed', label: 'edit loop: failed requests, Corral fork vs PM2 --watch (total over edits)', unit: 'count', sum: true },
    { key: 'editClusterFailed', label: 'edit loop: failed requests, Corral cluster vs PM2 --watch (total over edits)', unit: 'count', sum: true },
    {
      key: 'editNodemonFailedRef',
      label: 'edit loop: failed requests, nodemon (total)',
      unit: 'count',
      corral: get('editNodemonFailed').floor ?? [],
      pm2: [],
      sum: true,
    },
    {
      key: 'editNodeWatchFailedRef',
      label: 'edit loop: failed requests, node --watch (total)',
      unit: 'count',
      corral: get('editNodeWatchFailed').floor ?? [],
      pm2: [],
      sum: true,
    },
  ];
}
