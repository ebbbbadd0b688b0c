/** `corral import pm2`: a dump written by the real PM2 (the devDependency), fork and cluster apps with env and watch. */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fixture, TestHome, until } from '../support/harness';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const PM2 = path.join(ROOT, 'node_modules', 'pm2', 'bin', 'pm2');
const SECRET = 'pm2-imported-s3cret';

function pm2(pm2Home: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [PM2, ...args],
      { cwd, env: { ...process.env, PM2_HOME: pm2Home, DB_PASSWORD: SECRET }, timeout: 60_000 },
      (error, stdout, stderr) => (error ? reject(new Error(`pm2 ${args.join(' ')}: ${error.message}\n${stdout}\n${stderr}`)) : resolve(stdout)),
    );
  });
}

describe('corral import pm2, from a real PM2 dump', function () {
  this.timeout(120_000);
  let pm2Home: string;
  let dump: string;
  let home: TestHome;

  before(async () => {
    pm2Home = fs.mkdtempSync(path.join(os.tmpdir(), 'corral-pm2-'));
    const cwd = path.dirname(fixture('idle.js'));
    try {
      await pm2(pm2Home, ['start', fixture('cluster-http.js'), '--name', 'web', '-i', '2', '--max-memory-restart', '300M', '--', '--flag', 'x'], cwd);
      await pm2(pm2Home, ['start', fixture('idle.js'), '--name', 'worker', '--watch', '--namespace', 'jobs', '--node-args=--max-old-space-size=100'], cwd);
      await pm2(pm2Home, ['start', fixture('idle.js'), '--name', 'parked'], cwd);
      await pm2(pm2Home, ['stop', 'parked'], cwd);
      await pm2(pm2Home, ['save'], cwd);
    } finally {
      await pm2(pm2Home, ['kill'], cwd).catch(() => undefined);
    }
    dump = path.join(pm2Home, 'dump.pm2');
    assert.ok(fs.existsSync(dump), 'pm2 save wrote its dump');
  });
  after(() => fs.rmSync(pm2Home, { recursive: true, force: true }));
  beforeEach(() => (home = new TestHome()));
  afterEach(() => home.cleanup());

  it('starts the same apps: cluster with its instances, fork with watch, namespace, node_args and args; env carried, a stopped app added stopped', async () => {
    // PM2_HOME says where the dump is, as for PM2 itself.
    const imported = await home.ok(['import', 'pm2'], { env: { PM2_HOME: pm2Home } });
    assert.match(imported.stdout, /imported 3 apps \(4 processes\)/);
    assert.ok(!`${imported.stdout}${imported.stderr}`.includes(SECRET), 'no env value printed');
    assert.match(imported.stderr, /web: env: .*DB_PASSWORD/, 'the kept variables are named');
    // start answers once the workers are launched; a cluster worker is online once its primary says so.
    const list = await until(async () => {
      const all = await home.jlist();
      return all.filter((process) => process.status === 'online').length === 3 && all;
    }, 'web (2) and worker online');
    const web = list.filter((process) => process.name === 'web');
    assert.equal(web.length, 2);
    assert.ok(web.every((process) => process.exec_mode === 'cluster'));
    const worker = list.find((process) => process.name === 'worker');
    assert.equal(worker?.status, 'online');
    assert.equal(worker?.namespace, 'jobs');
    assert.equal(list.find((process) => process.name === 'parked')?.status, 'stopped');
    const describe = JSON.parse((await home.ok(['describe', 'worker', '--json'])).stdout)[0];
    assert.ok(describe.watch);
    assert.deepEqual(describe.node_args, ['--max-old-space-size=100']);
    const webConfig = JSON.parse((await home.ok(['describe', 'web', '--json'])).stdout)[0];
    assert.deepEqual(webConfig.args, ['--flag', 'x']);
    assert.equal(webConfig.config.max_memory_restart, 300 * 1024 * 1024);
    // The value PM2 had is the app's, visible where values are asked for.
    assert.match((await home.ok(['env', String(web[0].id)])).stdout, new RegExp(`DB_PASSWORD=${SECRET}`));
  });

  it('--dry-run prints the ecosystem file with env values hidden and starts nothing; --write writes it 0600 and refuses to overwrite', async () => {
    const dry = await home.ok(['import', 'pm2', dump, '--dry-run']);
    assert.match(dry.stdout, /module\.exports = /);
    assert.match(dry.stdout, /"DB_PASSWORD": "<hidden/);
    assert.ok(!dry.stdout.includes(SECRET));
    assert.ok(!fs.existsSync(path.join(home.home, 'rpc.sock')), 'no daemon was needed');
    const out = path.join(home.home, 'apps.json');
    await home.ok(['import', 'pm2', dump, '--write', out]);
    assert.equal(fs.statSync(out).mode & 0o777, 0o600);
    const written = JSON.parse(fs.readFileSync(out, 'utf8')) as { apps: Array<Record<string, unknown>> };
    assert.deepEqual(
      written.apps.map((app) => [app.name, app.exec_mode, app.instances ?? 1]),
      [
        ['web', 'cluster', 2],
        ['worker', 'fork', 1],
        ['parked', 'fork', 1],
      ],
    );
    assert.equal((written.apps[0].env as Record<string, string>).DB_PASSWORD, SECRET);
    const again = await home.cli(['import', 'pm2', dump, '--write', out]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /apps\.json exists \(add --force to replace it\)/);
    // The written file starts the same apps.
    await home.ok(['start', out]);
    await until(async () => (await home.jlist()).filter((process) => process.status === 'online').length === 3, 'the 3 written apps online');
  });

  it('a missing or broken dump is one clear line, exit 1, nothing started', async () => {
    const missing = await home.cli(['import', 'pm2', path.join(home.home, 'nope.pm2')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no PM2 dump at .*nope\.pm2 \(run "pm2 save" first/);
    const broken = path.join(home.home, 'broken.pm2');
    fs.writeFileSync(broken, '[{"name": ');
    const bad = await home.cli(['import', 'pm2', broken]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /broken\.pm2: not JSON/);
    fs.writeFileSync(broken, JSON.stringify([{ name: 'x' }]));
    const shape = await home.cli(['import', 'pm2', broken]);
    assert.equal(shape.code, 1);
    assert.match(shape.stderr, /\[0\]: not a PM2 process \(needs a name and a pm_exec_path\)/);
    const other = await home.cli(['import', 'forever']);
    assert.equal(other.code, 1);
    assert.match(other.stderr, /only "import pm2 \[dump file\]" is supported/);
    assert.ok(!fs.existsSync(path.join(home.home, 'rpc.sock')), 'no daemon started');
  });
});
