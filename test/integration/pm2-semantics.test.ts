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
});
