// The table: which samples make which row, with the target for each.
import { evaluate } from './report.mjs';
import { editRows } from './scenarios-edit.mjs';
import { fleetRows } from './scenarios-fleet.mjs';
import { median } from './util.mjs';

/** Rows for the report, evaluated (medians, ratio, verdict); rows with no samples are left out. */
export function buildRows(samples, { reps: REPS, strippedHere }) {
  const get = (key) => samples[key] ?? { corral: [], pm2: [] };
  const floor = median(get('cold').floor ?? []);
  const reloadFailed = Math.max(0, ...get('reloadFailed').corral);
  const logsLost = Math.max(0, ...get('logsLost').corral);
  const big = REPS.bigFleet;
  const MB = 1024 * 1024;
  const nodeBoot = median(get('ping').floor ?? []);
  const bootPlus12 = {
    corralAtMost: nodeBoot + 12,
    text: Number.isFinite(nodeBoot) ? `≤ node boot + 12 ms = ${(nodeBoot + 12).toFixed(0)} ms` : '≤ node boot + 12 ms',
  };
  const nodeRss = median(get('rssIdle').floor ?? []);
  const logFloor = (key) => median(get(key).floor ?? []);
  /** At least 0.95 × the bare reader of the same run, with 0 lost or torn lines. */
  const nearReader = (key) => {
    const floor = logFloor(key);
    return {
      corralAtLeast: 0.95 * floor,
      lost: logsLost,
      text: Number.isFinite(floor) ? `≥ 0.95 × reader = ${Math.round((0.95 * floor) / 1000)}k, 0 lost/torn` : '≥ 0.95 × reader, 0 lost/torn',
    };
  };
  const list = [
    { key: 'cold', label: 'cold start: start → first 200', unit: 'ms', target: { ratioAtMost: 0.5 } },
    { key: 'coldFloor', label: 'cold start floor: bare `node app.js` → first 200 (no manager)', unit: 'ms', corral: get('cold').floor, pm2: [] },
    { key: 'coldCli', label: 'cold start: CLI exit (informational)', unit: 'ms' },
    { key: 'ping', label: 'CLI round trip: ping', unit: 'ms', target: bootPlus12 },
    { key: 'pingFloor', label: 'CLI reference: node boot (`node -e 0`, same environment)', unit: 'ms', corral: get('ping').floor, pm2: [] },
    {
      key: 'pingMachineEnv',
      label: `CLI round trip: ping, CLI run with ${Object.keys(strippedHere).join(', ') || 'nothing'} as this machine sets it (informational)`,
      unit: 'ms',
    },
    { key: 'start10', label: 'start 10 apps (ecosystem) → all online', unit: 'ms', target: { ratioAtMost: 0.5 } },
    { key: 'jlist50', label: 'jlist, 50 apps', unit: 'ms', target: bootPlus12 },
    { key: 'jlist200', label: `jlist, ${big} apps`, unit: 'ms', target: { ratioAtMost: 0.3 } },
    { key: 'delete50', label: 'delete all, 50 apps', unit: 'ms', target: { ratioAtMost: 0.5 } },
    { key: 'start50', label: 'start 50 apps (ecosystem) → all online (informational)', unit: 'ms' },
    { key: 'start200', label: `start ${big} apps (ecosystem) → all online (informational)`, unit: 'ms' },
    {
      key: 'respawn',
      label: 'respawn: crash → next 200',
      unit: 'ms',
      target: { corralAtMost: floor + 30, text: Number.isFinite(floor) ? `≤ floor + 30 ms = ${(floor + 30).toFixed(0)} ms` : '≤ floor + 30 ms' },
    },
    { key: 'reload', label: 'cluster reload (-i 2) under keep-alive load: duration', unit: 'ms', target: { ratioAtMost: 1.0, failed: reloadFailed } },
    { key: 'reloadFailed', label: 'cluster reload: failed requests (total over reps)', unit: 'count', sum: true },
    {
      key: 'rssIdle',
      label: 'daemon RSS, idle',
      unit: 'MB',
      target: {
        corralAtMost: nodeRss + 6 * MB,
        text: Number.isFinite(nodeRss) ? `≤ bare node + 6 MB = ${((nodeRss + 6 * MB) / MB).toFixed(1)} MB` : '≤ bare node + 6 MB',
      },
    },
    { key: 'rssNode', label: 'RSS reference: a bare idle `node` process (no manager)', unit: 'MB', corral: get('rssIdle').floor, pm2: [] },
    { key: 'rss50', label: 'daemon RSS, 50 apps (informational: most of an RSS is the Node binary)', unit: 'MB' },
    { key: 'rss200', label: `daemon RSS, ${big} apps (informational)`, unit: 'MB' },
    { key: 'anonIdle', label: 'daemon private (anonymous) memory, idle (informational)', unit: 'MB' },
    { key: 'anonNode', label: 'private memory reference: a bare idle `node` process', unit: 'MB', corral: get('anonIdle').floor, pm2: [] },
    { key: 'anon50', label: 'daemon private (anonymous) memory, 50 apps', unit: 'MB', target: { ratioAtMost: 0.5 } },
    { key: 'anon200', label: `daemon private (anonymous) memory, ${big} apps`, unit: 'MB', target: { ratioAtMost: 0.5 } },
    { key: 'cpu50', label: `daemon CPU, 50 idle apps, ${REPS.cpuWindowS} s`, unit: '%', target: { ratioAtMost: 0.5 } },
    { key: 'logs1', label: `log throughput, ${REPS.logLines / 1000}k lines, 1 line per write`, unit: 'lines/s', target: nearReader('logs1') },
    {
      key: 'logs1Floor',
      label: 'log reference, 1 line per write: the same app into a bare Node pipe reader (no manager, no file)',
      unit: 'lines/s',
      corral: get('logs1').floor,
      pm2: [],
    },
    {
      key: 'logs1File',
      label: 'log reference, 1 line per write: a bare Node reader that appends every chunk to a file (writeSync)',
      unit: 'lines/s',
      corral: get('logs1File').floor,
      pm2: [],
    },
    { key: 'logs1Cpu', label: `log, 1 line per write: daemon CPU time for the ${REPS.logLines / 1000}k lines`, unit: 'ms', target: { ratioAtMost: 0.5 } },
    { key: 'logs1CpuFloor', label: 'log CPU reference, 1 line per write: the reader appending to a file', unit: 'ms', corral: get('logs1Cpu').floor, pm2: [] },
    {
      key: 'logs100',
      label: `log throughput, ${REPS.batchedLogLines / 1000}k lines, 100 lines per write`,
      unit: 'lines/s',
      target: nearReader('logs100'),
    },
    {
      key: 'logs100Floor',
      label: 'log reference, 100 lines per write: the same app into a bare Node pipe reader (no manager, no file)',
      unit: 'lines/s',
      corral: get('logs100').floor,
      pm2: [],
    },
    {
      key: 'logs100File',
      label: 'log reference, 100 lines per write: a bare Node reader that appends every chunk to a file (writeSync)',
      unit: 'lines/s',
      corral: get('logs100File').floor,
      pm2: [],
    },
    {
      key: 'logs100Cpu',
      label: `log, 100 lines per write: daemon CPU time for the ${REPS.batchedLogLines / 1000}k lines`,
      unit: 'ms',
      target: { ratioAtMost: 0.5 },
    },
    {
      key: 'logs100CpuFloor',
      label: 'log CPU reference, 100 lines per write: the reader appending to a file',
      unit: 'ms',
      corral: get('logs100Cpu').floor,
      pm2: [],
    },
    { key: 'logsLost', label: 'log lines lost or torn (total over reps)', unit: 'count', sum: true },
    ...fleetRows(get, REPS),
    ...editRows(get),
    { key: 'soakHeapWarm', label: 'soak: daemon heap used after a forced GC, at warm-up (a quarter of the restarts)', unit: 'MB' },
    { key: 'soakHeapEnd', label: 'soak: daemon heap used after a forced GC, at the end (all stopped)', unit: 'MB' },
    {
      key: 'soakAnonLevelGc',
      label: 'soak: daemon private memory after a forced GC, highest reading after warm-up (half, three quarters of the restarts)',
      unit: 'MB',
    },
    { key: 'soakAnonEndGc', label: 'soak: daemon private memory after a forced GC, at the end', unit: 'MB' },
    { key: 'soakRestartRate', label: 'soak: restarts per second (4 /bin/true apps, one app logging at full speed; informational)', unit: 'count' },
    { key: 'extActivate', label: 'VS Code extension: activate() (extension host)', unit: 'ms' },
    { key: 'extLoadActivate', label: 'VS Code extension: loading and activating the bundle, as the host sees it', unit: 'ms' },
    { key: 'extTreeData200', label: 'VS Code extension: tree data of 200 processes, fully expanded (best of 5)', unit: 'ms' },
    { key: 'extTreeShown200', label: 'VS Code workbench: 200 processes started from the CLI → all rows shown (after the last start returns)', unit: 'ms' },
    { key: 'extFleetStore1000', label: 'VS Code extension: 1,000 apps from one ecosystem file → all online in the store (from the start command)', unit: 'ms' },
    { key: 'extFleetStoreLag1000', label: "VS Code extension: 1,000 apps: the daemon's last online event → all online in the store", unit: 'ms' },
    { key: 'extTreeData1000', label: 'VS Code extension: tree data of 1,000 app rows (best of 3)', unit: 'ms' },
    {
      key: 'extRowUpdate1000',
      label: "VS Code extension, 1,000 apps: one app's stop/start event → its row's new TreeItem (median of 6)",
      unit: 'ms',
      target: { corralAtMost: 50, text: '≤ 50 ms' },
    },
    { key: 'extEditAlways', label: 'VS Code edit loop: save() in the editor → new version served, fork app, restartOnSave "always" (median of 3)', unit: 'ms' },
    { key: 'extEditAlwaysFailed', label: 'VS Code edit loop, fork app, restartOnSave "always": failed keep-alive GETs (3 saves)', unit: 'count', sum: true },
    { key: 'extEditWatchCluster', label: 'VS Code edit loop: save() in the editor → new version served, watched cluster app of 2 (median of 3)', unit: 'ms' },
    { key: 'extEditWatchClusterFailed', label: 'VS Code edit loop, watched cluster app of 2: failed keep-alive GETs (3 saves)', unit: 'count', sum: true },
  ];
  return list
    .map((row) => {
      const values = get(row.key);
      let corralValues = row.corral ?? values.corral;
      let pm2Values = row.pm2 ?? values.pm2;
      if (row.sum) {
        corralValues = corralValues.length ? [corralValues.reduce((a, b) => a + b, 0)] : [];
        pm2Values = pm2Values.length ? [pm2Values.reduce((a, b) => a + b, 0)] : [];
      }
      return { ...row, corral: corralValues, pm2: pm2Values };
    })
    .filter((row) => row.corral.length > 0 || row.pm2.length > 0)
    .map(evaluate);
}
