import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { fixture, TestHome, until } from '../support/harness';

describe('ecosystem files', () => {
  let home: TestHome;
  beforeEach(() => (home = new TestHome()));
  afterEach(() => home.cleanup());

  for (const [file, suffix] of [
    ['three.config.js', 'js'],
    ['three.config.mjs', 'mjs'],
    ['three.json', 'json'],
    ['three.yml', 'yml'],
  ] as const) {
    it(`${file}: starts all 3 apps with env_production under --env production`, async () => {
      await home.ok(['start', fixture('ecosystems', file), '--env', 'production']);
      const list = await home.jlist();
      assert.deepEqual(
        list.map((p) => p.name),
        ['alpha', 'beta', 'gamma'].map((name) => `${name}-${suffix}`),
      );
      for (const [index, app] of list.entries()) {
        assert.equal(app.status, 'online');
        const line = await until(() => fs.readFileSync(app.out_log, 'utf8').split('\n')[0], `${app.name} output`);
        assert.deepEqual(JSON.parse(line), { LABEL: ['alpha', 'beta', 'gamma'][index], MODE: 'production' });
      }
      // stop and delete accept the ecosystem file as a target
      await home.ok(['stop', fixture('ecosystems', file)]);
      assert.ok((await home.jlist()).every((p) => p.status === 'stopped'));
      await home.ok(['delete', fixture('ecosystems', file)]);
      assert.deepEqual(await home.jlist(), []);
    });
  }

  it('without --env the base env applies', async () => {
    await home.ok(['start', fixture('ecosystems', 'three.json'), '--only', 'beta-json']);
    const list = await home.jlist();
    assert.deepEqual(
      list.map((p) => p.name),
      ['beta-json'],
    );
    const line = await until(() => fs.readFileSync(list[0].out_log, 'utf8').split('\n')[0], 'output');
    assert.equal(JSON.parse(line).MODE, 'dev');
  });

  it('a malformed file fails naming file, app and field, and starts nothing', async () => {
    const result = await home.cli(['start', 'test/fixtures/ecosystems/bad-instances.config.js']);
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr.trim(),
      'corral: test/fixtures/ecosystems/bad-instances.config.js: apps[1].instances: expected a number, "max" or a negative number, got "lots"',
    );
    assert.deepEqual(await home.jlist(), []);
  });

  it('re-starting an ecosystem file applies it again to the running apps', async () => {
    await home.ok(['start', fixture('ecosystems', 'three.yml')]);
    const before = await home.jlist();
    await home.ok(['start', fixture('ecosystems', 'three.yml'), '--env', 'production']);
    const after = await home.jlist();
    assert.deepEqual(
      after.map((p) => p.id),
      before.map((p) => p.id),
    );
    assert.ok(after.every((p, i) => p.pid !== before[i].pid && p.status === 'online'));
  });

  it('writes a sample ecosystem file that starts', async () => {
    await home.ok(['ecosystem'], { cwd: home.home });
    const sample = `${home.home}/ecosystem.config.js`;
    assert.match(fs.readFileSync(sample, 'utf8'), /env_production/);
    const again = await home.cli(['ecosystem'], { cwd: home.home });
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already exists/);
  });
});
