import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fixture, TestHome, until } from '../support/harness';
import { freePort } from '../support/load';

describe('depends_on: start order', () => {
  let home: TestHome;
  let stamps: string;
  beforeEach(() => {
    home = new TestHome();
    stamps = path.join(home.home, 'stamps.txt');
  });
  afterEach(() => home.cleanup());

  function ecosystem(apps: Array<Record<string, unknown>>): string {
    const file = path.join(home.home, 'ecosystem.json');
    fs.writeFileSync(file, JSON.stringify({ apps }));
    return file;
  }

  /** An app of stamp.js; with `readyAfter`, a readiness probe that passes that long after its start. */
  async function app(name: string, extra: Record<string, unknown> = {}, readyAfter?: number | 'never'): Promise<Record<string, unknown>> {
    const env: Record<string, unknown> = { NAME: name, STAMP_FILE: stamps };
    const config: Record<string, unknown> = { name, script: fixture('stamp.js'), env, kill_timeout: 5000, ...extra };
    if (readyAfter !== undefined) {
      env.PORT = await freePort();
      env.READY_AFTER_MS = readyAfter;
      config.readiness_probe = { http_get: { port: 'PORT', path: '/ready' }, period_ms: 100 };
    }
    return config;
  }

  /** The stamps written so far: "name what" -> ms. */
  function read(): Map<string, number> {
    const text = fs.existsSync(stamps) ? fs.readFileSync(stamps, 'utf8') : '';
    const lines = text.split('\n').filter(Boolean);
    return new Map(lines.map((line) => line.split(' ')).map(([name, what, at]) => [`${name} ${what}`, Number(at)]));
  }

  /** The stamps once these are all written (an app without a probe is online once spawned, before its first line runs). */
  const stamped = (...keys: string[]): Promise<Map<string, number>> =>
    until(() => {
      const stamps = read();
      return keys.every((key) => stamps.has(key)) && stamps;
    }, keys.join(', '));

  it('starts each app once its dependencies are ready, independent ones in parallel; stop and delete go dependents first', async function () {
    this.timeout(60_000);
    const file = ecosystem([
      await app('web', { depends_on: 'api' }),
      await app('api', { depends_on: ['db', 'cache'] }, 0),
      await app('db', {}, 1200),
      await app('cache', {}, 1200),
    ]);
    await home.ok(['start', file]);
    const started = await stamped('db start', 'cache start', 'api start', 'web start');
    const at = (key: string): number => started.get(key) ?? assert.fail(`no stamp "${key}" in ${[...started.keys()].join(', ')}`);
    assert.ok(Math.abs(at('db start') - at('cache start')) < 600, 'db and cache start in parallel');
    assert.ok(at('api start') - Math.max(at('db start'), at('cache start')) >= 1100, 'api starts once db and cache are ready');
    assert.ok(at('web start') >= at('api start'), 'web after api');
    const list = await home.jlist();
    assert.deepEqual(
      list.map((process) => process.status),
      ['online', 'online', 'online', 'online'],
    );
    assert.match((await home.ok(['describe', 'api'])).stdout, /depends on\s+│?\s*db, cache/);

    await home.ok(['stop', file]);
    const stopped = read();
    const stop = (name: string): number => stopped.get(`${name} stop`) ?? assert.fail(`${name} did not stop`);
    assert.ok(stop('web') <= stop('api') && stop('api') <= stop('db') && stop('api') <= stop('cache'), `stop order ${[...stopped].join(', ')}`);

    fs.rmSync(stamps);
    await home.ok(['start', file]);
    await home.ok(['delete', file]);
    const deleted = read();
    const gone = (name: string): number => deleted.get(`${name} stop`) ?? assert.fail(`${name} was not stopped by delete`);
    assert.ok(gone('web') <= gone('api') && gone('api') <= gone('db'), `delete order ${[...deleted].join(', ')}`);
    assert.equal((await home.jlist()).length, 0);
  });

  it('a dependency that never becomes ready errors, and its dependents stay stopped saying why', async function () {
    this.timeout(30_000);
    const file = ecosystem([
      await app('db', { listen_timeout: 1000, autorestart: false }, 'never'),
      await app('api', { depends_on: 'db' }),
      await app('web', { depends_on: 'api' }),
    ]);
    const events = await home.events();
    const starting = home.cli(['start', file]);
    await events.status('db', 'launching');
    const waiting = (await home.jlist()).find((process) => process.name === 'api');
    assert.equal(waiting?.status, 'stopped');
    assert.equal(waiting?.waiting, 'waiting for db');
    const result = await starting;
    assert.equal(result.code, 1);
    assert.match(result.stderr, /api \(id \d+\) not started: waiting for db: errored/);
    assert.match(result.stderr, /web \(id \d+\) not started: waiting for api: not started/);
    assert.equal(read().has('api start'), false, 'api never ran');
    const jlist = JSON.parse((await home.ok(['jlist'])).stdout) as Array<{ name: string; pm2_env: Record<string, unknown> }>;
    assert.equal(jlist.find((process) => process.name === 'api')?.pm2_env.waiting, 'waiting for db: errored');
    assert.match((await home.ok(['describe', 'api'])).stdout, /waiting\s+│?\s*waiting for db: errored/);
  });

  it('start <dependent> alone starts its stopped dependency first', async function () {
    this.timeout(30_000);
    const file = ecosystem([await app('db', {}, 500), await app('api', { depends_on: 'db' })]);
    await home.ok(['start', file]);
    await home.ok(['stop', 'all']);
    fs.rmSync(stamps);
    await home.ok(['start', 'api']);
    const started = await stamped('db start', 'api start');
    assert.ok((started.get('api start') ?? 0) - (started.get('db start') ?? Infinity) >= 400, `db first, ready, then api: ${[...started].join(', ')}`);
    assert.deepEqual(
      (await home.jlist()).map((process) => process.status),
      ['online', 'online'],
    );
  });

  it('resurrect brings the apps back in depends_on order', async function () {
    this.timeout(30_000);
    await home.ok(['start', ecosystem([await app('api', { depends_on: 'db' }), await app('db', {}, 800)])]);
    await home.ok(['kill']);
    fs.rmSync(stamps);
    await home.ok(['resurrect']);
    const started = await stamped('db start', 'api start');
    assert.ok((started.get('api start') ?? 0) - (started.get('db start') ?? Infinity) >= 700, `db ready before api: ${[...started].join(', ')}`);
  });

  for (const [what, apps, message] of [
    [
      'a cycle',
      [
        { name: 'db', depends_on: 'api' },
        { name: 'worker', depends_on: 'db' },
        { name: 'api', depends_on: 'worker' },
      ],
      /apps\[0\]\.depends_on: cycle db -> api -> worker -> db/,
    ],
    ['an unknown name', [{ name: 'api', depends_on: 'nope' }], /apps\[0\]\.depends_on: no app named "nope" in this file or known to the daemon/],
    ['itself', [{ name: 'api', depends_on: ['api'] }], /apps\[0\]\.depends_on: "api" depends on itself/],
  ] as const) {
    it(`depending on ${what} is one line naming the file, exit 1, nothing started`, async function () {
      this.timeout(20_000);
      const file = ecosystem(apps.map((entry) => ({ ...entry, script: fixture('stamp.js'), env: { NAME: entry.name, STAMP_FILE: stamps } })));
      const result = await home.cli(['start', file]);
      assert.equal(result.code, 1);
      const lines = result.stderr.trim().split('\n');
      assert.equal(lines.length, 1, result.stderr);
      assert.match(lines[0], message);
      assert.ok(lines[0].includes('ecosystem.json'), lines[0]);
      assert.deepEqual(await home.jlist(), []);
      assert.equal(fs.existsSync(stamps), false);
    });
  }
});
