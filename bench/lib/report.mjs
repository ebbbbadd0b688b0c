// Turns the samples into rows (medians, ratio Corral/PM2, target verdict) and renders them for the
// terminal and for RESULTS.md.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { median } from './util.mjs';

/** Ratios within this much of a target count as noise (the rule). */
export const NOISE = 0.15;

const formatters = {
  ms: (value) => (value >= 100 ? `${value.toFixed(0)} ms` : `${value.toFixed(1)} ms`),
  MB: (value) => `${(value / 1024 / 1024).toFixed(1)} MB`,
  '%': (value) => `${value.toFixed(2)} %`,
  'lines/s': (value) => `${Math.round(value / 1000)}k lines/s`,
  count: (value) => String(Math.round(value)),
};

export function formatValue(unit, value) {
  if (value === undefined || value === null || Number.isNaN(value)) return 'n/a';
  return (formatters[unit] ?? String)(value);
}

function ratioOf(corral, pm2) {
  if (!Number.isFinite(corral) || !Number.isFinite(pm2)) return NaN;
  if (pm2 === 0) return corral === 0 ? 1 : Infinity;
  return corral / pm2;
}

/**
 * A row: { label, unit, corral: number[], pm2: number[], target?, note? }.
 * target: { ratioAtMost: x } | { ratioAtLeast: x, lost?: number } | { corralAtMost: x, text } | { corralAtLeast: x, text, lost? } | { failedZero: number, ratioAtMost: x }
 * Returns the row with medians, ratio and verdict filled in.
 */
export function evaluate(row) {
  const corral = median(row.corral ?? []);
  const pm2 = median(row.pm2 ?? []);
  const ratio = ratioOf(corral, pm2);
  let verdict = '';
  let targetText = '';
  const target = row.target;
  if (target) {
    const absolute = 'corralAtMost' in target || 'corralAtLeast' in target;
    const missing = !Number.isFinite(corral) || (!absolute && !Number.isFinite(ratio) && ratio !== Infinity);
    if ('corralAtLeast' in target) {
      targetText = target.text;
      const lostOk = target.lost === undefined || target.lost === 0;
      verdict = !lostOk ? 'missed' : corral >= target.corralAtLeast ? 'holds' : corral >= target.corralAtLeast / (1 + NOISE) ? 'within noise' : 'missed';
    } else if ('corralAtMost' in target) {
      targetText = target.text;
      const failedOk = target.failed === undefined || target.failed === 0;
      verdict = !failedOk ? 'missed' : corral <= target.corralAtMost ? 'holds' : corral <= target.corralAtMost * (1 + NOISE) ? 'within noise' : 'missed';
    } else if ('ratioAtLeast' in target) {
      targetText = `≥ ${target.ratioAtLeast}${target.lost !== undefined ? ', 0 lost/torn' : ''}`;
      const lostOk = target.lost === undefined || target.lost === 0;
      verdict = !lostOk ? 'missed' : ratio >= target.ratioAtLeast ? 'holds' : ratio >= target.ratioAtLeast / (1 + NOISE) ? 'within noise' : 'missed';
    } else {
      targetText = `≤ ${target.ratioAtMost}${target.failed !== undefined ? ', 0 failed' : ''}`;
      const failedOk = target.failed === undefined || target.failed === 0;
      verdict = !failedOk ? 'missed' : ratio <= target.ratioAtMost ? 'holds' : ratio <= target.ratioAtMost * (1 + NOISE) ? 'within noise' : 'missed';
    }
    if (missing || (absolute && !Number.isFinite(target.corralAtMost ?? target.corralAtLeast))) verdict = 'not measured';
  }
  return { ...row, corralMedian: corral, pm2Median: pm2, ratio, verdict, targetText };
}

function ratioText(ratio) {
  if (ratio === Infinity) return '∞';
  return Number.isFinite(ratio) ? ratio.toFixed(2) : '—';
}

function cell(unit, values, medianValue) {
  if (!values || values.length === 0) return '—';
  const main = formatValue(unit, medianValue);
  return values.length > 1 ? `${main} (n=${values.length})` : main;
}

export function renderTerminal(rows) {
  const lines = [];
  const header = ['scenario', 'Corral', 'PM2', 'Corral/PM2', 'target', 'verdict'];
  const body = rows.map((row) => [
    row.label,
    cell(row.unit, row.corral, row.corralMedian),
    cell(row.unit, row.pm2, row.pm2Median),
    ratioText(row.ratio),
    row.targetText || '—',
    row.verdict || '—',
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...body.map((cells) => cells[column].length)));
  const render = (cells) => cells.map((text, column) => text.padEnd(widths[column])).join('  ');
  lines.push(render(header), widths.map((width) => '-'.repeat(width)).join('  '), ...body.map(render));
  return lines.join('\n');
}

export function machineInfo(root) {
  const cpus = os.cpus();
  let corralCommit = 'unknown';
  try {
    corralCommit = execFileSync('git', ['-C', root, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['-C', root, 'status', '--porcelain', '--', 'src', 'esbuild.mjs'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    if (dirty) corralCommit += ' + uncommitted changes in src/';
  } catch {
    // not a git checkout
  }
  const version = (file) => {
    try {
      return JSON.parse(fs.readFileSync(path.join(root, file), 'utf8')).version;
    } catch {
      return 'unknown';
    }
  };
  return {
    cpu: cpus[0]?.model?.trim() ?? 'unknown',
    cores: os.availableParallelism?.() ?? cpus.length,
    memory: `${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    corral: `${version('package.json')} (${corralCommit})`,
    pm2: version('node_modules/pm2/package.json'),
  };
}

export function renderMarkdown({ rows, machine, mode, startedAt, durationS, loadBefore, loadAfter, config, details }) {
  const escape = (text) => String(text).replace(/\|/g, '\\|');
  const out = [];
  out.push('# Corral vs PM2: benchmark results', '');
  out.push(`Written by \`npm run bench${mode === 'quick' ? ' -- --quick' : ''}\` (bench/run.mjs). Do not edit by hand; re-run to refresh.`, '');
  out.push('| | |', '| --- | --- |');
  out.push(`| date | ${startedAt.toISOString()} (${durationS.toFixed(0)} s, ${mode} mode) |`);
  out.push(`| machine | ${escape(machine.cpu)}, ${machine.cores} cores, ${machine.memory} RAM, ${escape(machine.os)} |`);
  out.push(
    `| load average (1 min) | ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after (the machine is shared; interleaving A B A B spreads the noise) |`,
  );
  out.push(`| Node | ${machine.node} |`);
  out.push(`| Corral | ${escape(machine.corral)} (node dist/cli.js, temporary CORRAL_HOME) |`);
  out.push(`| PM2 | ${machine.pm2} (node_modules/pm2/bin/pm2, temporary PM2_HOME) |`);
  out.push(`| repetitions | ${escape(config)} |`, '');
  out.push('Medians; `n` is the number of samples per tool. Ratio = Corral / PM2 (lower is better for times, memory and CPU;');
  out.push(`higher is better for log throughput). A ratio within ${NOISE * 100} % of its target counts as noise ("within noise").`, '');
  out.push('| scenario | Corral | PM2 | Corral/PM2 | target | verdict |', '| --- | --- | --- | --- | --- | --- |');
  for (const row of rows) {
    out.push(
      `| ${escape(row.label)} | ${escape(cell(row.unit, row.corral, row.corralMedian))} | ${escape(cell(row.unit, row.pm2, row.pm2Median))} | ${ratioText(row.ratio)} | ${escape(row.targetText || '—')} | ${row.verdict || '—'} |`,
    );
  }
  out.push('');
  if (details.length > 0) {
    out.push('## Notes from this run', '');
    for (const line of details) out.push(`- ${line}`);
    out.push('');
  }
  out.push('## How each figure is taken', '');
  out.push(
    '- **cold start**: no daemon, fresh home; time from running `start fixtures/http.js` until GET / on 127.0.0.1 answers 200 (probed every 3 ms on new connections). **floor**: the same for bare `node fixtures/http.js`.',
    '- **start 10**: `start start10.config.js` (10 idle apps) until `jlist` shows all 10 online (the CLI exit when the first `jlist` after it already does).',
    '- **jlist**: wall time of one `jlist` CLI run with 50 / 200 idle apps, output parsed and checked.',
    '- **delete all**: wall time of `delete all` with 50 idle apps, until every app pid is gone.',
    '- **respawn**: GET /crash makes the app exit(1); time until the next 200 (probed every 2 ms). Target: at most the cold-start floor + 30 ms.',
    '- **reload**: `start fixtures/http.js -i 2`, 50 keep-alive connections (http.Agent keepAlive) looping GET / from a separate process; `reload` wall time; failed = any error or non-200 from the load start until both old workers are gone and the new ones have served 200 more requests.',
    '- **daemon RSS**: VmRSS of the daemon pid (daemon.pid / pm2.pid) idle (no apps, a fresh daemon after a few pings), with 50 and with 200 idle apps (each fleet on a freshly started daemon): the median of readings every 250 ms over a few seconds (over the CPU window for 50 apps). The reference row is a bare idle `node` process read over the idle window. Most of an RSS is the shared pages of the Node binary; the private (anonymous) rows, from /proc/<pid>/smaps_rollup, are what the daemon itself adds.',
    '- **daemon CPU**: utime+stime of both daemons over the same window with 50 idle apps each.',
    "- **log throughput**: the app writes 200,000 numbered 60-byte lines to stdout, one line per write() (console.log style), or 1,000,000 lines 100 per write() (a buffered logger; 200,000 of those pass in ~0.1 s, too short to time on a shared machine), honouring drain; lines / time from its first write until the `-o` file (with any files it was rotated into) holds every byte; then every line is checked (lost, torn, duplicated). The reference rows are the same app writing into a bare Node reader that discards the bytes (with one line per write the app itself is the limit), and into one that appends every chunk to a file with writeSync (the least a manager that keeps the log must do; its CPU time is the CPU reference). Targets: throughput ≥ 0.95 × the discarding reader of the same run; daemon CPU ≤ 0.5 × PM2's.",
    '- **CLI round trip**: wall time of `ping` against a running daemon; the reference is `node -e 0` run the same way, before each Corral ping. Target for ping and jlist of 50 apps: node boot + 12 ms.',
    "- **edit loop**: bench/fixtures/version-http.js answers its `VERSION`; each tool runs its own copy in its own folder, at the tool's defaults (Corral `--watch` fork and `-i 2 --watch`, PM2 `--watch`, nodemon, `node --watch`). Per edit: a light keep-alive load (2 loops of GET, bench/edit-load.mjs) warms up, the VERSION line is rewritten in place, and the time runs until the load first gets the new text; failed = errors and non-200 answers from the edit until 200 answers after it. Edits are interleaved tool by tool.",
    '- **fleet of 1,000** (300 in quick runs): one ecosystem file of `sleep 600` apps with `interpreter: none`, on a fresh daemon; time from running `start` until a `jlist` issued then shows all online. **floor**: a bare Node script (bench/fleet-floor.mjs) spawning the same sleeps with piped stdout/stderr, from its first spawn() to the last `spawn` event, in the same run. Then `ping` and `jlist` interleaved on that daemon, idle CPU and RSS over the CPU window, and `delete all` until every pid is gone. PM2 runs the same with each wait capped; what it reached by the cap is in the notes.',
    '- **VS Code extension** (full mode): the test harness runs the real VS Code (code-server 4.139.1, Chromium) with the extension from dist/. Activation: `activate()` itself and the host loading plus activating the bundle, in an empty workspace. Tree data: building every node and TreeItem of the fully expanded tree with 200 processes (best of 5). Workbench: 4 cluster apps × 50 `sleep` instances started from the CLI; time from the last `start` returning until the sidebar shows all four rows at 50/50. PM2 has no extension to compare with (the best PM2 extension polls `pm2 jlist` every second).',
    "- Every process the bench starts gets an environment without NODE_EXTRA_CA_CERTS (see the notes when this machine sets it) and without the user's CORRAL_HOME / PM2_HOME.",
  );
  out.push('');
  return out.join('\n');
}
