import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fixture, TestHome, until } from '../support/harness';
import { freePort } from '../support/load';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const parsePrometheus = require('parse-prometheus-text-format') as (text: string) => Array<{ name: string; type: string; metrics: Array<{ value: string; labels: Record<string, string> }> }>;

async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; type: string }> {
  const response = await fetch(url, { headers });
  return { status: response.status, body: await response.text(), type: response.headers.get('content-type') ?? '' };
}

describe('remote monitoring: the HTTP API', () => {
  let home: TestHome;
  beforeEach(() => (home = new TestHome()));
  afterEach(() => home.cleanup());

  it('serves /, /processes and Prometheus /metrics on 127.0.0.1, with no env value anywhere', async () => {
    await home.ok(['start', fixture('idle.js'), '--name', 'api'], { env: { DB_PASSWORD: 'web-secret-4242' } });
    const client = await home.connect();
    const port = await freePort();
    const started = await home.ok(['web', '--port', String(port)]);
    assert.match(started.stdout, new RegExp(`web API on http://127\\.0\\.0\\.1:${port}`));
    await client.call('list', {}); // the daemon has sampled nothing yet; metrics still list the process
    const root = await get(`http://127.0.0.1:${port}/`);
    assert.equal(root.status, 200);
    const info = JSON.parse(root.body);
    for (const key of ['hostname', 'uptime', 'load', 'memory', 'cpus']) assert.ok(key in info, key);
    const processes = await get(`http://127.0.0.1:${port}/processes`);
    assert.deepEqual(JSON.parse(processes.body).map((p: { name: string }) => p.name), ['api']);
    const metrics = await get(`http://127.0.0.1:${port}/metrics`);
    assert.match(metrics.type, /^text\/plain; version=0\.0\.4/);
    const families = parsePrometheus(metrics.body);
    const names = families.map((family) => family.name).sort();
    assert.deepEqual(names, ['corral_process_cpu_percent', 'corral_process_memory_bytes', 'corral_process_restarts_total', 'corral_process_status', 'corral_process_uptime_seconds']);
    const status = families.find((family) => family.name === 'corral_process_status');
    assert.deepEqual(status?.metrics[0].labels, { name: 'api', id: '0', namespace: 'default', status: 'online' });
    for (const body of [root.body, processes.body, metrics.body]) assert.ok(!body.includes('web-secret-4242'));
    assert.equal((await get(`http://127.0.0.1:${port}/nope`)).status, 404);
    await home.ok(['web', '--stop']);
    await assert.rejects(fetch(`http://127.0.0.1:${port}/`));
  });

  it('on a non-loopback address every request needs the bearer token from web.token (0600)', async () => {
    await home.ok(['start', fixture('idle.js'), '--name', 'api']);
    const port = await freePort();
    const started = await home.ok(['web', '--port', String(port), '--host', '0.0.0.0']);
    assert.match(started.stdout, /Authorization: Bearer/);
    const tokenFile = path.join(home.home, 'web.token');
    assert.equal(fs.statSync(tokenFile).mode & 0o777, 0o600);
    const token = fs.readFileSync(tokenFile, 'utf8').trim();
    assert.equal((await get(`http://127.0.0.1:${port}/processes`)).status, 401);
    assert.equal((await get(`http://127.0.0.1:${port}/metrics`, { authorization: 'Bearer wrong' })).status, 401);
    const ok = await get(`http://127.0.0.1:${port}/processes`, { authorization: `Bearer ${token}` });
    assert.equal(ok.status, 200);
    assert.equal(JSON.parse(ok.body)[0].name, 'api');
  });

  it('records git metadata for an app in a repository, credentials stripped', async function () {
    this.timeout(20_000);
    const repo = fs.mkdtempSync(path.join(os.tmpdir(), 'corral-git-'));
    try {
      const git = (...args: string[]): string => execFileSync('git', ['-C', repo, '-c', 'user.email=t@example.invalid', '-c', 'user.name=T', ...args], { encoding: 'utf8' }).trim();
      git('init', '-q', '-b', 'feature-x');
      fs.copyFileSync(fixture('idle.js'), path.join(repo, 'app.js'));
      git('add', 'app.js');
      git('commit', '-q', '-m', 'first version of the app');
      git('remote', 'add', 'origin', 'https://user:s3cr3t@git.example.invalid/team/app.git');
      const revision = git('rev-parse', 'HEAD');
      await home.ok(['start', path.join(repo, 'app.js'), '--name', 'versioned']);
      const description = await until(async () => {
        const [entry] = JSON.parse((await home.ok(['describe', 'versioned', '--json'])).stdout);
        return entry.versioning ? entry : undefined;
      }, 'the git metadata');
      assert.deepEqual(
        { ...description.versioning, commit_time: typeof description.versioning.commit_time },
        { type: 'git', repo_path: repo, branch: 'feature-x', revision, comment: 'first version of the app', commit_time: 'number', url: 'https://git.example.invalid/team/app.git', unstaged: false },
      );
      const text = (await home.ok(['describe', 'versioned'])).stdout;
      assert.match(text, new RegExp(`feature-x@${revision.slice(0, 10)} first version of the app`));
      assert.ok(!text.includes('s3cr3t'));
    } finally {
      fs.rmSync(repo, { recursive: true, force: true });
    }
  });
});
