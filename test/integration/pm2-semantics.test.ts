import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fixture, httpGet, TestHome, workersListening } from '../support/harness';
import { freePort } from '../support/load';

// Ecosystem files and commands written for PM2 mean the same under Corral.
describe('PM2 semantics', () => {
  let home: TestHome;
  beforeEach(() => (home = new TestHome()));
  afterEach(() => home.cleanup());

  it('instances without exec_mode is cluster mode: every worker shares one fixed port', async function () {
    this.timeout(30_000);
    const port = await freePort();
    const file = path.join(home.home, 'ecosystem.config.js');
    fs.writeFileSync(file, `module.exports = { apps: [{ name: 'web', script: ${JSON.stringify(fixture('cluster-http.js'))}, instances: 2, env: { PORT: ${port} } }] };\n`);
    await home.ok(['start', file]);
    const workers = await home.jlist();
    assert.deepEqual(workers.map((worker) => [worker.exec_mode, worker.status]), [['cluster', 'online'], ['cluster', 'online']]);
    await workersListening(workers);
    const answers = new Set<string>();
    for (let i = 0; i < 40 && answers.size < 2; i++) answers.add((await httpGet(port)).body);
    assert.deepEqual([...answers].sort(), workers.map((worker) => String(worker.pid)).sort(), 'both workers answer on the one port');
    assert.ok(workers.every((worker) => worker.restarts === 0), 'no EADDRINUSE crash loop');
  });

  it('a known app name wins over a command of the same name on PATH', async () => {
    await home.ok(['start', fixture('idle.js'), '--name', 'sleep']);
    const [before] = await home.jlist();
    await home.ok(['stop', 'sleep']);
    await home.ok(['start', 'sleep']);
    const list = await home.jlist();
    assert.equal(list.length, 1, 'no second app from /bin/sleep');
    assert.deepEqual([list[0].id, list[0].script, list[0].status], [before.id, fixture('idle.js'), 'online']);
    // A command that is not a known app still starts as one.
    await home.ok(['start', 'sleep', '--name', 'nap', '--', '300']);
    const nap = (await home.jlist()).find((process) => process.name === 'nap');
    assert.equal(nap?.status, 'online');
    assert.equal(nap?.interpreter, 'none');
  });
});
