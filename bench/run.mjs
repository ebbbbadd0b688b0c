#!/usr/bin/env node
// Corral vs PM2, side by side: the same scenarios against both, interleaved A B A B, medians and ratio
// Corral/PM2 against the speed targets. `npm run bench` (builds first), or `node bench/run.mjs [--quick]
// [--only=cold,ping,start10,respawn,reload,logs,fleet50,fleet200,fleet1000,edit,soak,extension] [--out=FILE] [--keep] [--keep-env]`.
// `extension` (full mode, or when named in --only) times the VS Code extension in the test harness.
// Each tool runs in its own temporary home; every process started here is stopped on the way out.
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatValue, machineInfo, renderMarkdown, renderTerminal } from './lib/report.mjs';
import { buildRows } from './lib/rows.mjs';
import { makeScenarios, SCENARIO_NAMES } from './lib/scenarios.mjs';
import { editScenario } from './lib/scenarios-edit.mjs';
import { fleetScenario } from './lib/scenarios-fleet.mjs';
import { soakScenario } from './lib/scenarios-soak.mjs';
import { baseEnv, keepEnvironment, makeTools, MARKER_VAR, STRIPPED_VARS } from './lib/tools.mjs';
import { liveChildren, now, pidsWithEnv, processAlive, run, sleep, teardown } from './lib/util.mjs';

const ROOT = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
const ALL_SCENARIOS = [...SCENARIO_NAMES, 'fleet1000', 'edit', 'soak', 'extension'];

// ---------------------------------------------------------------------------------------------- options
const argv = process.argv.slice(2);
const flag = (name) => argv.includes(`--${name}`);
const option = (name) => argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
for (const arg of argv) {
  if (!/^--(quick|keep|keep-env|only=.+|out=.+)$/.test(arg)) {
    console.error(`bench: unknown argument ${arg}\nusage: node bench/run.mjs [--quick] [--only=${ALL_SCENARIOS.join(',')}] [--out=FILE] [--keep] [--keep-env]`);
    process.exit(2);
  }
}
const QUICK = flag('quick');
keepEnvironment(flag('keep-env'));
/** Stripped variables that this machine sets: ping is also timed with them, for the record. */
const strippedHere = flag('keep-env')
  ? {}
  : Object.fromEntries(STRIPPED_VARS.filter((name) => process.env[name] !== undefined).map((name) => [name, process.env[name]]));
// The extension scenario starts a VS Code (about a minute): full runs only, unless asked for.
const ONLY = option('only')?.split(',') ?? ALL_SCENARIOS.filter((name) => !QUICK || name !== 'extension');
for (const name of ONLY) if (!ALL_SCENARIOS.includes(name)) throw new Error(`--only: unknown scenario ${name}`);
const OUT = path.resolve(option('out') ?? path.join(ROOT, QUICK ? 'bench/RESULTS.quick.md' : 'bench/RESULTS.md'));
const REPS = QUICK
  ? {
      cold: 2,
      ping: 5,
      start10: 2,
      respawn: 3,
      reload: 2,
      logs: 2,
      jlist: 3,
      delete: 1,
      cpuWindowS: 10,
      logLines: 200_000,
      batchedLogLines: 1_000_000,
      bigFleet: 200,
      hugeFleet: 300,
      hugeFleetJlist: 3,
      hugeFleetPm2CapMs: 60_000,
      edit: 3,
    }
  : {
      cold: 9,
      ping: 21,
      start10: 11,
      respawn: 11,
      reload: 5,
      logs: 5,
      jlist: 15,
      delete: 3,
      cpuWindowS: 30,
      logLines: 200_000,
      batchedLogLines: 1_000_000,
      bigFleet: 200,
      hugeFleet: 1000,
      hugeFleetJlist: 9,
      hugeFleetPm2CapMs: 180_000,
      edit: 9,
    };
/** Daemon RSS is the median of readings every 250 ms over a window this long (the CPU window for 50 apps). */
const RSS_WINDOW_MS = QUICK ? 2000 : 4000;
/** The whole run stops measuring after this, cleans up and reports what it has (25 / 4 minutes: the 1,000-app fleet with PM2 capped takes ~6). */
const BUDGET_MS = (QUICK ? 240 : 1800) * 1000;

// ---------------------------------------------------------------------------------------------- state
const marker = `${process.pid}-${randomUUID().slice(0, 8)}`;
const tmp = fs.mkdtempSync('/tmp/cb-'); // short: unix socket paths are limited to ~107 bytes
const work = path.join(tmp, 'w');
fs.mkdirSync(work);
const tools = makeTools({ root: ROOT, marker });
const [corral, pm2] = tools;
corral.key = 'c';
pm2.key = 'p';
const startedAt = new Date();
const started = now();
const loadBefore = os.loadavg()[0];

/** samples[key] = { corral: [], pm2: [] } */
const samples = {};
const details = [];
function record(key, tool, value) {
  samples[key] ??= { corral: [], pm2: [] };
  samples[key][tool === corral ? 'corral' : 'pm2'].push(value);
}
function recordFloor(key, value) {
  samples[key] ??= { corral: [], pm2: [] };
  (samples[key].floor ??= []).push(value);
}
function log(text) {
  const elapsed = ((now() - started) / 1000).toFixed(1).padStart(6);
  process.stdout.write(`[${elapsed}s] ${text}\n`);
}
function logSample(scenario, tool, unit, value, extra = '') {
  log(`${scenario.padEnd(14)} ${tool.name.padEnd(6)} ${formatValue(unit, value)}${extra ? `  ${extra}` : ''}`);
}
function overBudget() {
  return now() - started > BUDGET_MS;
}
/** Repetitions, A B A B; stops early when the time budget is spent (at least one rep always runs). */
async function interleaved(reps, body) {
  for (let rep = 0; rep < reps; rep++) {
    if (rep > 0 && overBudget()) {
      details.push(`time budget reached: ${body.name || 'a scenario'} ran ${rep} of ${reps} repetitions`);
      break;
    }
    for (const tool of tools) await body(tool, rep);
  }
}

function env(extra = {}) {
  return { ...baseEnv(), [MARKER_VAR]: marker, ...extra };
}

// ---------------------------------------------------------------------------------------------- report
function report() {
  const evaluated = buildRows(samples, { reps: REPS, strippedHere });
  if (loadByScenario.length > 0)
    details.push(`load average (1 min) as each scenario began: ${loadByScenario.join(', ')} (${os.availableParallelism?.() ?? os.cpus().length} cores)`);
  console.log(`\n${renderTerminal(evaluated)}\n`);
  const markdown = renderMarkdown({
    rows: evaluated,
    machine: machineInfo(ROOT),
    mode: QUICK ? 'quick' : 'full',
    startedAt,
    durationS: (now() - started) / 1000,
    loadBefore,
    loadAfter: os.loadavg()[0],
    config: `${Object.entries(REPS)
      .map(([key, value]) => `${key} ${value}`)
      .join(', ')}${ONLY.length < ALL_SCENARIOS.length ? `; only ${ONLY.join(',')}` : ''}`,
    details,
  });
  fs.writeFileSync(OUT, markdown);
  console.log(`wrote ${path.relative(process.cwd(), OUT) || OUT}`);
}

// ---------------------------------------------------------------------------------------------- cleanup
let cleaning = null;
function cleanup() {
  cleaning ??= (async () => {
    teardown.started = true; // no new command from a scenario still in flight
    // Commands in flight first (a `start` still spawning apps), then the daemons with their apps.
    for (const pid of liveChildren) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    for (const tool of tools) {
      try {
        await tool.kill({ timeoutMs: 90_000 });
      } catch (error) {
        log(`cleanup: ${tool.name} kill: ${error.message.split('\n')[0]}`);
      }
    }
    // Anything still carrying this run's marker (a daemon or app that outlived its kill) is ours: stop it by pid.
    // A second pass catches anything a dying process started during the first.
    for (let pass = 0; pass < 2; pass++) {
      let leftovers = pidsWithEnv(MARKER_VAR, marker);
      if (leftovers.length === 0) break;
      log(`cleanup: ${leftovers.length} leftover process(es) of this run: ${leftovers.join(', ')}; sending SIGTERM`);
      for (const pid of leftovers)
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          /* gone */
        }
      const deadline = now() + 3000;
      while (now() < deadline && leftovers.some(processAlive)) await sleep(50);
      leftovers = leftovers.filter(processAlive);
      for (const pid of leftovers)
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      await sleep(300);
    }
    if (flag('keep')) log(`kept ${tmp}`);
    else fs.rmSync(tmp, { recursive: true, force: true });
  })();
  return cleaning;
}

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(signal, () => {
    interrupted = true;
    log(`${signal}: stopping both daemons and everything this run started (no results are written)`);
    cleanup().finally(() => process.exit(130));
  });
}

const scenarios = makeScenarios({
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
});

/**
 * The extension in a real VS Code (the test harness: code-server and Chromium, prepared once into
 * ~/.cache/corral-test): activation, the tree data of 200 processes, and the workbench showing them.
 * The suites write their timings to CORRAL_BENCH_METRICS; PM2 has no extension to compare with.
 */
async function extensionScenario() {
  const file = path.join(tmp, 'extension-metrics.jsonl');
  const suites = [
    ['test/harness/run-vscode.mjs', { CORRAL_VSCODE_GREP: 'activates, then attaches|200 processes|1,000 processes|edit loop in the editor' }],
    ['test/harness/run-e2e.mjs', { CORRAL_E2E_GREP: 'opens the Corral view from the activity bar|200 processes' }],
  ];
  for (const [script, grep] of suites) {
    log(`extension: node ${script} (${Object.values(grep)[0]})`);
    const result = await run(process.execPath, [path.join(ROOT, script)], {
      env: env({ ...grep, CORRAL_BENCH_METRICS: file }),
      cwd: ROOT,
      timeoutMs: 10 * 60_000,
    });
    if (result.code !== 0) details.push(`extension: ${script} exited with code ${result.code}: ${result.stderr.trim().split('\n').slice(-3).join(' / ')}`);
  }
  const lines = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
  for (const line of lines) {
    const { key, value } = JSON.parse(line);
    record(key, corral, value);
    logSample('extension', corral, 'ms', value, key);
  }
  if (lines.length === 0) throw new Error('the VS Code suites recorded no timing');
}

const session = { tools, reps: REPS, env, work, record, recordFloor, log, logSample, details, interleaved };
const runners = {
  ...scenarios,
  fleet1000: fleetScenario(session),
  edit: editScenario(session),
  soak: soakScenario({ ...session, quick: QUICK }),
  extension: extensionScenario,
};

/** The 1-minute load average as each scenario began: other work on a shared machine shows up here. */
const loadByScenario = [];

async function main() {
  for (const tool of tools) {
    if (!fs.existsSync(tool.cliPath)) throw new Error(`${tool.cliPath} is missing: run "npm install" and "npm run build" (or "npm run bench")`);
  }
  const machine = machineInfo(ROOT);
  if (Object.keys(strippedHere).length > 0) {
    details.push(
      `${Object.keys(strippedHere).join(', ')} is set on this machine and was removed from every process the bench starts (it adds ~60 ms to each Node start-up, for both tools alike); the informational ping row shows the CLIs with it. \`--keep-env\` keeps it.`,
    );
  }
  log(`${QUICK ? 'quick' : 'full'} run: Corral ${machine.corral} vs PM2 ${machine.pm2}, Node ${machine.node}, ${machine.cpu} × ${machine.cores}; temp ${tmp}`);
  corral.useHome(path.join(tmp, 'c'));
  pm2.useHome(path.join(tmp, 'p'));
  for (const name of ALL_SCENARIOS) {
    if (!ONLY.includes(name)) continue;
    if (overBudget()) {
      details.push(`time budget reached: scenario ${name} skipped`);
      continue;
    }
    if (name !== 'cold') {
      corral.useHome(path.join(tmp, 'c'));
      pm2.useHome(path.join(tmp, 'p'));
    }
    const load = os.loadavg()[0];
    loadByScenario.push(`${name} ${load.toFixed(1)}`);
    log(`— ${name} (load average ${load.toFixed(2)})`);
    try {
      await runners[name]();
    } catch (error) {
      log(`${name} FAILED: ${error.stack ?? error}`);
      details.push(`scenario ${name} failed: ${String(error.message).split('\n')[0]}`);
      // Start the next scenario from clean daemons.
      for (const tool of tools) await tool.kill().catch(() => undefined);
    }
  }
}

let exitCode = 0;
try {
  await main();
} catch (error) {
  exitCode = 1;
  log(`bench failed: ${error.stack ?? error}`);
} finally {
  await cleanup();
}
if (!interrupted) {
  report();
  process.exit(exitCode);
}
