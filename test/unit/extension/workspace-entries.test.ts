import * as assert from 'node:assert/strict';
import { createsServer, declaredApps, looksLikeEcosystemFile, packageEntries } from '../../../src/extension/workspace-entries';

describe('extension workspace entries', () => {
  it('finds apps and their scripts in a JavaScript ecosystem file', () => {
    const text = `module.exports = {\n  apps: [\n    { name: 'api', script: './api.js', instances: 2 },\n    {\n      script: "worker.js",\n      name: "worker",\n    },\n  ],\n};\n`;
    const apps = declaredApps(text);
    assert.deepEqual(
      apps.map(({ name, script }) => ({ name, script })),
      [
        { name: 'api', script: './api.js' },
        { name: 'worker', script: 'worker.js' },
      ],
    );
    assert.equal(text.slice(apps[0].offset, apps[0].offset + 3), 'api');
  });

  it('reads JSON and YAML ecosystem files, and ignores namespace keys', () => {
    const json = declaredApps('{"apps":[{"name":"web","namespace":"front","script":"web.js"}]}');
    assert.deepEqual(
      json.map(({ name, script }) => ({ name, script })),
      [{ name: 'web', script: 'web.js' }],
    );
    const yaml = declaredApps('apps:\n  - name: cron-job\n    script: jobs/run.js\n');
    assert.deepEqual(
      yaml.map(({ name, script }) => ({ name, script })),
      [{ name: 'cron-job', script: 'jobs/run.js' }],
    );
  });

  it('names entries from package.json main, bin and start', () => {
    const entries = packageEntries({ main: 'lib/index.js', bin: { tool: './bin/tool.js' }, scripts: { start: 'node --inspect server.js --port 3000' } }, '/p');
    assert.deepEqual(entries, ['/p/lib/index.js', '/p/bin/tool.js', '/p/server.js']);
    assert.deepEqual(packageEntries({ main: 'server' }, '/p'), ['/p/server', '/p/server.js', '/p/server/index.js']);
  });

  it('recognises servers and ecosystem file names', () => {
    assert.ok(createsServer('http.createServer((req, res) => {})'));
    assert.ok(createsServer('app.listen(3000)'));
    assert.ok(!createsServer('console.log("hi")'));
    assert.ok(looksLikeEcosystemFile('/w/ecosystem.config.js'));
    assert.ok(looksLikeEcosystemFile('/w/ecosystem.prod.json'));
    assert.ok(!looksLikeEcosystemFile('/w/package.json'));
  });
});
