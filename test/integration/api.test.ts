import * as assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { fixture, ROOT, TestHome, until } from '../support/harness';
import type * as CorralApi from '../../src/api/index';

// The package as `require('corral')` resolves it (package.json "exports"): dist/api.js.
const corral = createRequire(__filename)('corral') as typeof CorralApi;

describe('programmatic API (require("corral"), PM2 style)', () => {
  let home: TestHome;
  beforeEach(() => (home = new TestHome()));
  afterEach(async () => {
    await corral.disconnect();
    await home.cleanup();
  });

  it('connect, start, list, launchBus, restart, stop, delete, disconnect with promises', async function () {
    this.timeout(30_000);
    await corral.connect({ home: home.home, daemonScript: `${ROOT}/dist/daemon.js` });
    const bus = await corral.launchBus();
    const lines: string[] = [];
    const events: string[] = [];
    bus.on('log:out', (packet) => lines.push(`${packet.process.name}: ${packet.data}`));
    bus.on('process:event', (packet) => events.push(`${packet.process.name} ${packet.event}`));
    const started = await corral.start(fixture('ticker.js'), { name: 'ticker', instances: 1 });
    assert.deepEqual(
      started.map((process) => [process.name, process.pm2_env.status, process.pm_id]),
      [['ticker', 'online', started[0].id]],
    );
    await until(() => lines.some((line) => line.startsWith('ticker: ')), 'a log line on the bus');
    const [listed] = await corral.list();
    assert.equal(listed.pm2_env.exec_mode, 'cluster_mode', 'instances without exec_mode: cluster, as PM2');
    await corral.restart('ticker');
    await corral.stop(listed.pm_id);
    await until(() => events.includes('ticker stop'), 'the stop event');
    assert.ok(events.includes('ticker online'));
    const [description] = await corral.describe('ticker');
    assert.equal(description.status, 'stopped');
    await corral.delete('all');
    assert.deepEqual(await corral.list(), []);
    bus.close();
  });

  it('takes Node-style callbacks, and a bad option is an error naming the field', async function () {
    this.timeout(30_000);
    await new Promise<void>((resolve, reject) =>
      corral.connect({ home: home.home, daemonScript: `${ROOT}/dist/daemon.js` }, (error) => (error ? reject(error) : resolve())),
    );
    const apps = await new Promise<CorralApi.Process[]>((resolve, reject) =>
      corral.start({ script: fixture('idle.js'), name: 'cb' }, (error, result) => (error ? reject(error) : resolve(result ?? []))),
    );
    assert.equal(apps[0].name, 'cb');
    const failure = await new Promise<Error | null>((resolve) => corral.start({ script: fixture('idle.js'), instances: 'lots' }, (error) => resolve(error)));
    assert.match(String(failure?.message ?? (failure as unknown as { problems: string[] })?.problems), /instances/);
    await assert.rejects(corral.stop('nobody'), /no process or namespace named "nobody"/);
    const list = await new Promise<CorralApi.Process[]>((resolve, reject) => corral.list((error, result) => (error ? reject(error) : resolve(result ?? []))));
    assert.deepEqual(
      list.map((process) => process.name),
      ['cb'],
    );
  });
});
