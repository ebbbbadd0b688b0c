import * as assert from 'node:assert/strict';
import type { ProcessInfo } from '../../../src/shared/protocol';
import {
  appDisplayState,
  appStatus,
  buildTree,
  children,
  contextValue,
  describeProcesses,
  displayState,
  isGroup,
  tooltip,
  totals,
  type AppNode,
} from '../../../src/extension/tree-model';

let nextId = 0;
function proc(extra: Partial<ProcessInfo> = {}): ProcessInfo {
  const id = extra.id ?? nextId++;
  return {
    id,
    name: 'web',
    namespace: 'default',
    pid: 1000 + id,
    status: 'online',
    exec_mode: 'fork',
    instance: 0,
    instances: 1,
    restarts: 0,
    unstable_restarts: 0,
    started_at: 0,
    created_at: 0,
    uptime: 0,
    cpu: 1.5,
    memory: 50 * 1024 * 1024,
    script: '/srv/web/server.js',
    args: [],
    cwd: '/srv/web',
    interpreter: 'node',
    node_args: [],
    out_log: '/h/logs/web-out.log',
    err_log: '/h/logs/web-error.log',
    combined_log: null,
    pid_file: '/h/pids/web-0.pid',
    watch: false,
    autorestart: true,
    exit_code: null,
    exit_signal: null,
    last_reason: 'start',
    last_reason_detail: null,
    health: null,
    last_probe: null,
    ...extra,
  };
}

describe('extension tree model', () => {
  it('lists apps by name when there is one namespace, one leaf per single-process app', () => {
    const tree = buildTree([proc({ name: 'worker' }), proc({ name: 'api' })]);
    assert.deepEqual(
      tree.map((node) => node.kind === 'app' && node.name),
      ['api', 'worker'],
    );
    assert.equal(children(tree[0]).length, 0);
  });

  it('groups by namespace when there are several, and expands multi-instance apps to their instances', () => {
    const tree = buildTree([
      proc({ id: 10, name: 'api', namespace: 'backend', exec_mode: 'cluster', instances: 2 }),
      proc({ id: 11, name: 'api', namespace: 'backend', exec_mode: 'cluster', instances: 2 }),
      proc({ id: 12, name: 'site', namespace: 'frontend' }),
    ]);
    assert.deepEqual(
      tree.map((node) => node.kind === 'namespace' && node.namespace),
      ['backend', 'frontend'],
    );
    const [api] = children(tree[0]) as AppNode[];
    assert.ok(isGroup(api));
    assert.deepEqual(
      children(api).map((node) => node.key),
      ['id:10', 'id:11'],
    );
  });

  it('describes running processes as cpu · memory · restarts · uptime', () => {
    const now = 125_000;
    assert.equal(describeProcesses([proc({ cpu: 4.25, memory: 186 * 1024 * 1024, restarts: 3, started_at: 5_000 })], now), '4.3% · 186 MB · ↺3 · 2m');
    assert.equal(describeProcesses([proc({ status: 'stopped', restarts: 0 })], now), 'stopped');
    assert.equal(describeProcesses([proc({ status: 'errored', restarts: 16 })], now), 'errored · ↺16');
    const two = [proc({ started_at: 100_000 }), proc({ status: 'launching' })];
    assert.match(describeProcesses(two, now), /^1\/2 · /);
  });

  it('says what a stopped app waits for (depends_on), in the description and the tooltip', () => {
    const waiting = proc({ status: 'stopped', depends_on: ['db'], waiting: 'waiting for db: errored' });
    assert.equal(describeProcesses([waiting], 1000), 'waiting for db: errored');
    const [app] = buildTree([waiting]) as AppNode[];
    const text = tooltip(app, 1000, 'linux');
    assert.match(text, /depends on: db/);
    assert.match(text, /waiting: waiting for db: errored/);
  });

  it('names the file of the last watch restart', () => {
    const text = describeProcesses([proc({ last_reason: 'watch', last_reason_detail: 'changed src/index.js' })], 1000);
    assert.match(text, /⟳ changed src\/index\.js$/);
  });

  it('puts the worst state first for an app', () => {
    assert.equal(appStatus([proc(), proc({ status: 'errored' })]), 'errored');
    assert.equal(appStatus([proc({ status: 'stopped' }), proc()]), 'online');
  });

  it('drives menus with words in contextValue', () => {
    const [app] = buildTree([proc({ exec_mode: 'cluster', instances: 1, watch: true })]) as AppNode[];
    assert.equal(contextValue(app, 'linux'), 'corral.app running cluster watching pid script');
    const [stopped] = buildTree([proc({ status: 'stopped', pid: null, interpreter: 'none', script: 'npm' })]) as AppNode[];
    assert.equal(contextValue(stopped, 'linux'), 'corral.app stopped');
  });

  it('knows a Windows script path for "Open Script" only on Windows', () => {
    const [app] = buildTree([proc({ script: 'C:\\srv\\web\\server.js', cwd: 'C:\\srv\\web' })]) as AppNode[];
    assert.match(contextValue(app, 'win32'), /\bscript\b/);
    assert.doesNotMatch(contextValue(app, 'linux'), /\bscript\b/);
  });

  it('writes a Markdown tooltip with pid, mode, script, cwd, logs and the last restart reason', () => {
    const [app] = buildTree([proc({ id: 7, pid: 4242, last_reason: 'crash', last_reason_detail: 'exited with code 1' })]) as AppNode[];
    const text = tooltip(app, 1000, 'linux');
    for (const part of [
      '4242',
      'fork',
      '`/srv/web/server.js`',
      '`/srv/web`',
      '`/h/logs/web-out.log`',
      '`/h/logs/web-error.log`',
      'crash: exited with code 1',
    ]) {
      assert.ok(text.includes(part), `${part} in ${text}`);
    }
  });

  it("shows Windows paths in Windows' own form, and a disabled log as /dev/null", () => {
    const [app] = buildTree([
      proc({
        script: 'c:/srv/web/server.js',
        cwd: 'c:\\srv\\web',
        watch: ['c:/srv/web/src', 'C:\\srv\\lib'],
        out_log: '/dev/null',
        err_log: 'c:/h/logs/web-error.log',
      }),
    ]) as AppNode[];
    const text = tooltip(app, 1000, 'win32');
    for (const part of [
      '`C:\\srv\\web\\server.js`',
      'cwd: `C:\\srv\\web`',
      'watch: `C:\\srv\\web\\src`, `C:\\srv\\lib`',
      'out log: `/dev/null`',
      '`C:\\h\\logs\\web-error.log`',
    ]) {
      assert.ok(text.includes(part), `${part} in ${text}`);
    }
    // Elsewhere a path is shown as the daemon reports it.
    assert.ok(tooltip(app, 1000, 'darwin').includes('`c:/srv/web/server.js`'));
  });

  it('shows what the probes say: unhealthy and not-ready states, the last check in the tooltip', () => {
    const probe = { probe: 'liveness' as const, ok: false, at: 0, duration_ms: 3, detail: 'HTTP 500' };
    const sick = proc({ name: 'api', health: 'unhealthy', last_probe: probe });
    const fine = proc({ name: 'api', health: 'healthy' });
    assert.equal(displayState(sick), 'unhealthy');
    assert.equal(displayState(fine), 'online');
    assert.equal(displayState(proc({ status: 'launching', health: 'not-ready' })), 'not-ready');
    assert.equal(displayState(proc({ status: 'stopped', health: null })), 'stopped');
    assert.equal(appDisplayState([fine, sick]), 'unhealthy');
    assert.equal(appDisplayState([proc({ status: 'launching', health: 'not-ready' }), fine]), 'not-ready');
    assert.match(describeProcesses([sick], 1000), / · unhealthy$/);
    assert.match(describeProcesses([fine, sick], 1000), / · 1 unhealthy$/);
    assert.equal(describeProcesses([proc({ status: 'launching', health: 'not-ready', restarts: 2 })], 1000), 'launching (not ready) · ↺2');
    const [app] = buildTree([sick]) as AppNode[];
    const text = tooltip(app, 1000, 'linux');
    assert.match(text, /^health: unhealthy {2}$/m);
    assert.match(text, /^last probe: liveness failed: HTTP 500 \\\(/m);
    assert.doesNotMatch(tooltip(buildTree([proc({ name: 'plain' })])[0] as AppNode, 1000, 'linux'), /health|probe/);
  });

  it('adds up online processes for the status bar', () => {
    const sum = totals([proc({ cpu: 1 }), proc({ cpu: 2, memory: 10 }), proc({ status: 'errored', cpu: 9 })]);
    assert.equal(sum.online, 2);
    assert.equal(sum.errored, 1);
    assert.equal(sum.cpu, 3);
  });

  it('builds a tree of 200 processes in a few milliseconds', () => {
    const processes = Array.from({ length: 200 }, (_, index) => proc({ id: 1000 + index, name: `app-${index % 20}`, namespace: `ns-${index % 3}` }));
    const started = performance.now();
    const tree = buildTree(processes);
    for (const group of tree) for (const app of children(group)) children(app);
    assert.ok(performance.now() - started < 50);
  });
});
