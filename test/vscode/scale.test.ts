/** 200 processes: the view's data follows the daemon quickly and a full render of the tree stays cheap. */
import * as assert from 'node:assert/strict';
import type { ExtensionApi } from '../../src/extension/api';
import { recordMeasurement } from '../support/measure';
import { cliOk, corral, deleteAll, treeRows, waitFor } from './support';

describe('200 processes', function () {
  let api: ExtensionApi;

  before(async () => {
    api = await corral();
  });

  afterEach(async function () {
    this.timeout(120_000);
    await deleteAll(api);
  });

  it('lists 200 processes in the tree and renders all their rows', async function () {
    this.timeout(120_000);
    // `sleep` instances are the cheapest real processes: 4 apps of 50 in 2 namespaces.
    for (const [name, namespace] of [
      ['sleep-a', 'one'],
      ['sleep-b', 'one'],
      ['sleep-c', 'two'],
      ['sleep-d', 'two'],
    ]) {
      await cliOk(['start', 'sleep', '--name', name, '-i', '50', '--namespace', namespace, '--silent', '--', '600']);
    }
    await waitFor('200 processes in the store', () => api.store.size === 200 && api.store.all().every((process) => process.status === 'online'), 60_000, 50);
    // What the view asks for when everything is expanded: every node and its TreeItem.
    const timings: number[] = [];
    for (let run = 0; run < 5; run++) {
      const started = performance.now();
      const rows = treeRows(api);
      timings.push(performance.now() - started);
      assert.equal(rows.filter((row) => row.label.includes(' #')).length, 200);
    }
    const best = Math.min(...timings);
    console.log(`      full tree (2 namespaces, 4 apps, 200 instances): ${timings.map((ms) => ms.toFixed(1)).join(', ')} ms`);
    recordMeasurement('extTreeData200', best);
  });
});
