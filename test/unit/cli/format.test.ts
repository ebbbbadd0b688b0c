import * as assert from 'node:assert/strict';
import { renderProcessTable, renderTable } from '../../../src/cli/format';
import type { ProcessInfo } from '../../../src/shared/protocol';

const info = (extra: Partial<ProcessInfo>): ProcessInfo => ({
  id: 0,
  name: 'api',
  namespace: 'default',
  pid: 123,
  status: 'online',
  exec_mode: 'fork',
  instance: 0,
  instances: 1,
  restarts: 2,
  unstable_restarts: 0,
  started_at: 0,
  created_at: 0,
  uptime: 65_000,
  cpu: 1.5,
  memory: 50 * 1024 * 1024,
  script: '/a.js',
  args: [],
  cwd: '/',
  interpreter: 'node',
  node_args: [],
  out_log: '',
  err_log: '',
  combined_log: null,
  pid_file: '',
  watch: false,
  autorestart: true,
  exit_code: null,
  exit_signal: null,
  last_reason: null,
  last_reason_detail: null,
  health: null,
  last_probe: null,
  ...extra,
});

describe('terminal formatting', () => {
  it('aligns a table', () => {
    const lines = renderTable(['a', 'bb'], [['xxx', 'y']]).split('\n');
    assert.equal(lines.length, 5);
    assert.ok(lines.every((line) => line.length === lines[0].length));
  });

  it('renders the process table with figures, and a hint when empty', () => {
    const table = renderProcessTable([info({}), info({ id: 1, name: 'worker', pid: null, status: 'stopped' })], { color: false });
    assert.match(table, /│ 0 +│ api +│ fork +│ 123 +│ online +│ 2 +│ 1m +│ 1\.5% +│ 50\.0 MB +│ disabled +│/);
    assert.match(table, /│ 1 +│ worker +│ fork +│ - +│ stopped +│/);
    assert.doesNotMatch(table, /namespace/);
    assert.match(renderProcessTable([info({ namespace: 'shop' })], { color: false }), /namespace/);
    assert.match(renderProcessTable([], { color: false }), /No processes/);
  });
});
