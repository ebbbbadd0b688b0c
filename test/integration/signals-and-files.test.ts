import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fixture, TestHome, until } from '../support/harness';

describe('signals, log reopening, ESM ecosystem in a module package', () => {
  let home: TestHome;
  beforeEach(() => (home = new TestHome()));
  afterEach(() => home.cleanup());

  it('sendSignal delivers the signal to the app', async () => {
    await home.ok(['start', fixture('on-signal.js'), '--name', 'sig']);
    const [sig] = await home.jlist();
    await until(() => fs.readFileSync(sig.out_log, 'utf8').includes('waiting for signals'), 'the app to be ready');
    const result = await home.ok(['sendSignal', 'SIGUSR2', 'sig']);
    assert.match(result.stdout, /sent SIGUSR2 to sig/);
    await until(() => fs.readFileSync(sig.out_log, 'utf8').includes('got SIGUSR2 #1'), 'the signal to arrive');
    const stopped = await home.cli(['sendSignal', 'usr2', '999']);
    assert.equal(stopped.code, 1);
  });

  it('reloadLogs reopens log files moved away by an external rotation', async () => {
    await home.ok(['start', fixture('on-signal.js'), '--name', 'rot']);
    const [rot] = await home.jlist();
    await until(() => fs.readFileSync(rot.out_log, 'utf8').includes('waiting for signals'), 'the first line');
    const rotated = `${rot.out_log}.1`;
    fs.renameSync(rot.out_log, rotated);
    await home.ok(['reloadLogs']);
    await home.ok(['sendSignal', 'SIGUSR1', 'rot']);
    await until(() => fs.existsSync(rot.out_log) && fs.readFileSync(rot.out_log, 'utf8').includes('line after signal'), 'a line in the new file');
    assert.ok(!fs.readFileSync(rotated, 'utf8').includes('line after signal'));
  });

  it('loads a .config.js ecosystem file that is ESM because its package says "type": "module"', async () => {
    const dir = path.join(home.home, 'esm-project');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }');
    fs.copyFileSync(fixture('idle.js'), path.join(dir, 'idle.cjs'));
    fs.writeFileSync(path.join(dir, 'ecosystem.config.js'), "export default { apps: [{ name: 'esm-app', script: './idle.cjs' }] };\n");
    await home.ok(['start', path.join(dir, 'ecosystem.config.js')]);
    const [app] = await home.jlist();
    assert.equal(app.name, 'esm-app');
    assert.equal(app.status, 'online');
  });

  it('names with shell metacharacters are just names', async () => {
    const name = 'we$(touch pwned);`id`|&';
    await home.ok(['start', fixture('idle.js'), '--name', name], { cwd: home.home });
    const [app] = await home.jlist();
    assert.equal(app.name, name);
    assert.equal(path.dirname(app.out_log), path.join(home.home, 'logs'), 'the log file stays in the logs folder');
    assert.ok(!fs.existsSync(path.join(home.home, 'pwned')));
    await home.ok(['stop', name]);
  });
});
