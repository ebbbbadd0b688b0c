/**
 * Windows has no process table: the daemon's table, monitor_tree's descendants and the orphan sweep
 * degrade by the platform passed in, so these run on Linux.
 */
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { stopOrphans } from '../../../../src/daemon/orphans';
import { processTable } from '../../../../src/daemon/platform/index';
import { descendants } from '../../../../src/daemon/platform/processes';
import { processTableSource, processTableUnavailable } from '../../../../src/shared/platform/process-table-source';

describe('daemon/platform: no process table on Windows', function () {
  this.timeout(10_000);
  let child: ChildProcess | null = null;
  afterEach(() => {
    if (child?.pid !== undefined) process.kill(-child.pid, 'SIGKILL'); // its group: the grandchild too
    child = null;
  });

  it('is chosen for win32 only, and says why', () => {
    assert.equal(processTableSource({}, 'win32'), 'none');
    assert.equal(processTableSource({ CORRAL_PORTABLE: '1' }, 'win32'), 'none');
    assert.match(processTableUnavailable('win32') ?? '', /no ps .*environment/);
    for (const platform of ['linux', 'darwin', 'freebsd'] as const) assert.equal(processTableUnavailable(platform), null);
  });

  it('reads nothing: no entries, pids, environments or memory (and no ps is run to look)', () => {
    const table = processTable('win32');
    assert.equal(table.source, 'none');
    assert.equal(table.pidusageUsesPs, false);
    assert.deepEqual(table.entries(), []);
    assert.deepEqual(table.read([process.pid]), new Map());
    assert.deepEqual(table.environments([{ pid: process.pid, ppid: 1, pgid: 1, startTime: 0 }]), new Map());
    assert.deepEqual(table.residentBytes([process.pid]), new Map());
    assert.notEqual(processTable('linux').source, 'none');
  });

  it('monitor_tree: no descendants on Windows, the real ones here', async () => {
    const code =
      "const c = require('child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' }); console.log(c.pid); setInterval(() => {}, 1000)";
    const started = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
    child = started;
    const grandchild = await new Promise<number>((resolve) => started.stdout?.once('data', (data: Buffer) => resolve(Number(String(data).trim()))));
    assert.deepEqual(descendants(started.pid as number, 'linux'), [grandchild]);
    assert.deepEqual(descendants(started.pid as number, 'win32'), []);
  });

  it('the orphan sweep is skipped with one log line saying why', async () => {
    const lines: string[] = [];
    assert.deepEqual(await stopOrphans('/nonexistent/corral-home', 10, (line) => lines.push(line), 'win32'), []);
    assert.equal(lines.length, 1);
    assert.match(lines[0], /^orphan sweep skipped: Windows has no ps/);
  });
});
