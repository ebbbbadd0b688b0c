/**
 * The `ps` process table (macOS, BSD; Linux with CORRAL_PORTABLE=1): its parsing, the real `ps` here,
 * and the proof that under CORRAL_PORTABLE=1 the daemon's process management reads nothing in /proc.
 */
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { processAlive } from '../../../../src/client/process-alive';
import { MetricsSampler, type Sampled } from '../../../../src/daemon/metrics';
import { findOrphans } from '../../../../src/daemon/orphans';
import { processTable } from '../../../../src/daemon/platform/index';
import { descendants, endProcesses, InstanceProcesses, processesWhere } from '../../../../src/daemon/platform/processes';
import { parseCommands, parseEnvironment, parseTable, psTable } from '../../../../src/daemon/platform/ps-table';
import { processTableSource } from '../../../../src/shared/platform/process-table-source';

const LSTART = 'Wed Dec  2 02:04:24 2026';
const LSTART_SECONDS = Date.UTC(2026, 11, 2, 2, 4, 24) / 1000;

/** A Node child that stays until killed, with `env` (and a grandchild when `withChild`). */
/** Resolves once `probe` holds, looking every 10 ms; fails naming `what` after 10 s. */
async function eventually(probe: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function sleeper(env: Record<string, string>, withChild = false): Promise<ChildProcess> {
  const code = withChild
    ? "require('child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' }); setInterval(() => {}, 1000); console.log('up')"
    : "setInterval(() => {}, 1000); console.log('up')";
  const child = spawn(process.execPath, ['-e', code], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'inherit'], detached: true });
  return new Promise((resolve, reject) => {
    child.stdout?.once('data', () => resolve(child));
    child.once('error', reject);
  });
}

function killGroup(child: ChildProcess): void {
  try {
    process.kill(-(child.pid as number), 'SIGKILL');
  } catch {
    /* gone */
  }
}

describe('daemon/platform: the ps process table', () => {
  it('parses the table, leaving out zombies and lines that are not a process', () => {
    const output = [
      `    1     0     1 Ss   ${LSTART}`,
      `  812     1   812 Z    ${LSTART}`,
      `  900   812   900 S+   ${LSTART}`,
      'garbage',
      `  901     1   901 S    Wed Foo  2 02:04:24 2026`,
      '',
    ].join('\n');
    assert.deepEqual(parseTable(output), [
      { pid: 1, ppid: 0, pgid: 1, startTime: LSTART_SECONDS },
      { pid: 900, ppid: 812, pgid: 900, startTime: LSTART_SECONDS },
    ]);
  });

  it('takes the environment as what follows the plain command line, and distrusts anything else', () => {
    const commands = parseCommands(`  42 ${LSTART} node app.js --flag=1\n`);
    assert.deepEqual(commands.get(42), { startTime: LSTART_SECONDS, text: 'node app.js --flag=1' });
    assert.deepEqual(parseEnvironment('node app.js', 'node app.js A=1 CORRAL_HOME=/home/a b/.corral CORRAL_INSTANCE=3:ab'), [
      'A=1',
      'CORRAL_HOME=/home/a b/.corral',
      'CORRAL_INSTANCE=3:ab',
    ]);
    assert.deepEqual(parseEnvironment('node app.js', 'node app.js'), []);
    assert.equal(parseEnvironment('node app.js', 'node other.js CORRAL_INSTANCE=3:ab'), null, 'another command line: not this process');
    assert.equal(parseEnvironment('node app.js', 'node app.js not a variable'), null);
  });

  it('reads the real table, start times and environments here (procps)', async () => {
    const table = psTable('procps');
    const child = await sleeper({ CORRAL_INSTANCE: '7:portable-test', SPACED: 'a b  c' });
    try {
      const listed = table.entries().find((entry) => entry.pid === child.pid);
      assert.ok(listed, 'the child is listed');
      assert.equal(listed.ppid, process.pid);
      assert.equal(listed.pgid, child.pid, 'detached: its own group');
      assert.ok(Math.abs(listed.startTime - Date.now() / 1000) < 60, `start time ${listed.startTime} is about now`);
      assert.deepEqual(table.read([listed.pid]).get(listed.pid), listed, 'a second read agrees');
      const variables = table.environments([listed]).get(listed.pid);
      assert.ok(variables?.includes('CORRAL_INSTANCE=7:portable-test'), `marker read: ${JSON.stringify(variables)}`);
      assert.ok(variables?.includes('SPACED=a b  c'));
      assert.equal(table.environments([{ ...listed, startTime: listed.startTime - 1 }]).size, 0, 'another start time: not trusted');
      assert.ok((table.residentBytes([listed.pid]).get(listed.pid) ?? 0) > 1024 * 1024, 'resident memory in bytes');
    } finally {
      killGroup(child);
    }
  });

  describe('with CORRAL_PORTABLE=1, nothing in /proc is read', () => {
    // The fs the daemon's modules (and pidusage) call, wrapped to count and refuse any /proc path.
    const nodeFs = createRequire(__filename)('node:fs') as Record<string, unknown> & { promises: Record<string, unknown> };
    const wrapped: [Record<string, unknown>, string, unknown][] = [];
    const procReads: string[] = [];
    function guard(owner: Record<string, unknown>, name: string): void {
      const original = owner[name] as (...args: unknown[]) => unknown;
      wrapped.push([owner, name, original]);
      owner[name] = function (this: unknown, ...args: unknown[]) {
        if (/^\/proc(\/|$)/.test(String(args[0]))) {
          procReads.push(`${name} ${String(args[0])}`);
          throw Object.assign(new Error(`read of ${String(args[0])} under CORRAL_PORTABLE=1`), { code: 'EACCES' });
        }
        return original.apply(this, args);
      };
    }
    let previous: string | undefined;
    beforeEach(() => {
      previous = process.env.CORRAL_PORTABLE;
      procReads.length = 0;
      for (const name of ['readFileSync', 'readdirSync', 'openSync', 'existsSync', 'statSync', 'readFile', 'readdir', 'open', 'stat', 'createReadStream'])
        guard(nodeFs, name);
      for (const name of ['readFile', 'readdir', 'open', 'stat']) guard(nodeFs.promises, name);
    });
    afterEach(() => {
      for (const [owner, name, original] of wrapped.splice(0)) owner[name] = original;
      if (previous === undefined) delete process.env.CORRAL_PORTABLE;
      else process.env.CORRAL_PORTABLE = previous;
    });

    /** Everything the daemon does with the process table: list, markers, tree, memory, CPU, alive, signals. */
    async function manageProcesses(): Promise<void> {
      const home = '/nonexistent/portable-home';
      const child = await sleeper({ CORRAL_HOME: home, pm_id: '3', CORRAL_INSTANCE: '3:no-proc' }, true);
      try {
        const pid = child.pid as number;
        const instance = new InstanceProcesses('3:no-proc', true);
        instance.rooted(pid);
        // The child has printed 'up' once it spawned the grandchild; the grandchild shows in the table soon after.
        await eventually(() => instance.list().length === 2, 'the grandchild in the table');
        const listed = instance.list().map((entry) => entry.pid);
        assert.ok(listed.includes(pid) && listed.length === 2, `the instance is the child and its child: ${listed.join(',')}`);
        assert.equal(descendants(pid).length, 1);
        assert.deepEqual(
          findOrphans(home)
            .map((entry) => entry.pid)
            .sort(),
          [...listed].sort(),
          'the orphan sweep finds the child and its child (it inherits the markers)',
        );
        assert.ok(processesWhere((variables) => variables.includes('CORRAL_INSTANCE=3:no-proc')).length >= 1);
        // CPU and memory of the tree (pidusage), then the memory-limit check (own resident memory).
        const sampled: Sampled[] = [];
        const tree = { id: 3, pid, app: { monitor_tree: true, max_memory_restart: null }, cpu: 0, memory: 0, samples: [] };
        await new MetricsSampler(
          1000,
          () => [tree],
          (processes) => sampled.push(...processes),
        ).tick();
        assert.equal(sampled.length, 1, 'pidusage sampled it');
        const limited = { ...tree, app: { monitor_tree: false, max_memory_restart: 1 }, memory: 0, samples: [] };
        const overLimit: number[] = [];
        const sampler = new MetricsSampler(
          1000,
          () => [limited],
          () => undefined,
          (process) => overLimit.push(process.id),
        );
        (sampler as unknown as { checkMemory(): void }).checkMemory();
        assert.ok(limited.memory > 0 && overLimit.length === 1, 'memory read and over its 1-byte limit');
        assert.ok(processAlive(pid));
        instance.signal('SIGTERM', false);
        await endProcesses(instance.list(), 500);
        // The child is ours: it is gone from the table once Node has reaped it (on a later turn of the loop).
        await eventually(() => instance.list().length === 0, 'every process of the instance gone from the table');
        assert.deepEqual(instance.list(), [], 'all ended');
      } finally {
        killGroup(child);
      }
    }

    it('lists, reads markers and memory, samples, checks and signals through ps alone', async () => {
      process.env.CORRAL_PORTABLE = '1';
      assert.equal(processTableSource(), 'ps');
      assert.equal(processTable().source, 'ps');
      await manageProcesses();
      assert.deepEqual(procReads, []);
    });

    it('the guard does see /proc reads: the same run without the switch (Linux) is caught', async function () {
      if (process.platform !== 'linux') this.skip();
      delete process.env.CORRAL_PORTABLE;
      await manageProcesses().catch(() => undefined); // every /proc read fails here, so the run does too
      assert.ok(procReads.length > 0, 'the /proc reader was seen');
    });
  });
});
