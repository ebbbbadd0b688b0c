/**
 * 1,000 processes (issue #21 § 2): the store absorbs the fleet, and a row follows its event quickly.
 * Timings are recorded for `npm run bench` (CORRAL_BENCH_METRICS), never asserted.
 *
 * The row update is measured the way the view consumes it: from the daemon's event arriving on the
 * extension's connection until the provider has fired onDidChangeTreeData and produced the row's new
 * TreeItem, doing what the workbench does for that fire (a whole-tree fire: the root's children and every
 * TreeItem of them; an element fire: those elements' TreeItems).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ExtensionApi } from '../../src/extension/api';
import type { ProcessEvent, ProcessStatus } from '../../src/shared/protocol';
import type { TreeNode } from '../../src/extension/tree-model';
import { recordMeasurement } from '../support/measure';
import { cliOk, corral, deleteAll, treeRows, waitFor, workspaceFolder } from './support';

const COUNT = 1000;
const name = (index: number): string => `fleet-${String(index).padStart(4, '0')}`;

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

describe('1,000 processes', function () {
  let api: ExtensionApi;
  let dir: string;

  before(async function () {
    this.timeout(60_000);
    api = await corral();
    await deleteAll(api);
    const apps = Array.from({ length: COUNT }, (_, index) => ({ name: name(index), script: 'sleep', args: '600', interpreter: 'none' }));
    dir = workspaceFolder('fleet', { 'fleet.config.js': `module.exports = ${JSON.stringify({ apps })};\n` });
  });

  after(async function () {
    this.timeout(120_000);
    await deleteAll(api);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('absorbs a fleet of 1,000 and updates one row soon after its event', async function () {
    this.timeout(300_000);
    // The store's view of the fleet: when its last online event arrived and when the store held all of it online.
    let lastOnlineEvent = 0;
    const onEvent = api.connection.on('process:event', (event: ProcessEvent) => {
      if (event.status === 'online') lastOnlineEvent = performance.now();
    });
    let storeComplete = 0;
    const complete = (): boolean => api.store.size === COUNT && api.store.all().every((process) => process.status === 'online');
    const onStore = api.store.onDidChange(() => {
      if (!storeComplete && complete()) storeComplete = performance.now();
    });
    const started = performance.now();
    try {
      await cliOk(['start', path.join(dir, 'fleet.config.js')]);
      const cliDone = performance.now();
      await waitFor(`${COUNT} online processes in the store`, () => storeComplete > 0, 240_000, 100);
      console.log(
        `      fleet of ${COUNT}: start → store complete ${(storeComplete - started).toFixed(0)} ms (CLI returned at ${(cliDone - started).toFixed(0)} ms); ` +
          `last online event → store complete ${(storeComplete - lastOnlineEvent).toFixed(1)} ms`,
      );
      recordMeasurement('extFleetStore1000', storeComplete - started);
      recordMeasurement('extFleetStoreLag1000', Math.max(0, storeComplete - lastOnlineEvent));
    } finally {
      onEvent.dispose();
      onStore.dispose();
    }

    // A full render of the tree at 1,000 rows (what a whole-tree refresh costs the extension).
    const renders: number[] = [];
    for (let run = 0; run < 3; run++) {
      const t0 = performance.now();
      const rows = treeRows(api);
      renders.push(performance.now() - t0);
      assert.equal(rows.length, COUNT);
    }
    console.log(`      full tree of ${COUNT} rows: ${renders.map((ms) => ms.toFixed(1)).join(', ')} ms`);
    recordMeasurement('extTreeData1000', Math.min(...renders));

    // One app stopped and started again, a few times: event → the row shows the new state.
    const target = name(COUNT / 2);
    const id = api.store.byName(target)[0]!.id;
    const updates: number[] = [];
    const fires: string[] = [];
    for (let round = 0; round < 3; round++) {
      for (const [command, status] of [
        ['stop', 'stopped'],
        ['start', 'online'],
      ] as Array<[string, ProcessStatus]>) {
        const ms = await rowUpdate(api, id, target, status, () => void cliOk([command, target]), fires);
        updates.push(ms);
      }
    }
    console.log(`      ${target}: event → row shows the new state: ${updates.map((ms) => ms.toFixed(1)).join(', ')} ms (${fires.join(', ')})`);
    recordMeasurement('extRowUpdate1000', median(updates));
  });
});

/** Runs `act`, then resolves how long after the event with `status` for `id` the row of `app` showed it. */
function rowUpdate(api: ExtensionApi, id: number, app: string, status: ProcessStatus, act: () => void, fires: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    let arrived = 0;
    const timer = setTimeout(() => finish(new Error(`no row update of ${app} to ${status} within 30 s`)), 30_000);
    const onEvent = api.connection.on('process:event', (event: ProcessEvent) => {
      if (event.id === id && event.status === status) arrived = performance.now();
    });
    const onTree = api.tree.onDidChangeTreeData((changed) => {
      if (!arrived) return;
      // What the workbench does with this fire.
      const elements: TreeNode[] = changed === undefined || changed === null ? api.tree.getChildren() : Array.isArray(changed) ? changed : [changed];
      let shown = false;
      for (const element of elements) {
        const item = api.tree.getTreeItem(element);
        const description = String(item.description ?? '');
        // Online rows show figures ("↺0 · 3s"), others their state ("stopped · ↺1").
        if (item.label === app && (status === 'online' ? /^[\d↺]/.test(description) : description.startsWith(status))) shown = true;
      }
      if (!shown) return;
      fires.push(changed === undefined || changed === null ? 'whole tree' : `${elements.length} element${elements.length === 1 ? '' : 's'}`);
      finish(undefined, performance.now() - arrived);
    });
    function finish(error: Error | undefined, ms?: number): void {
      clearTimeout(timer);
      onEvent.dispose();
      onTree.dispose();
      if (error) reject(error);
      else resolve(ms!);
    }
    act();
  });
}
