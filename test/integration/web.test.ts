import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fixture, TestHome, until } from '../support/harness';
import { freePort } from '../support/load';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const parsePrometheus = require('parse-prometheus-text-format') as (
  text: string,
) => Array<{ name: string; type: string; metrics: Array<{ value: string; labels: Record<string, string> }> }>;

async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; type: string }> {
  const response = await fetch(url, { headers });
  return { status: response.status, body: await response.text(), type: response.headers.get('content-type') ?? '' };
}

/** A GET with a Host header of our choosing (fetch sets its own). */
function getWithHost(port: number, pathname: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path: pathname, agent: false, headers: { host } }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', reject);
  });
}

/** A raw request, for what http.get will not send: HTTP/1.1 with no Host at all. */
function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let answer = '';
    const socket = net.connect(port, '127.0.0.1', () => socket.write(text));
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
    socket.setTimeout(5000, () => socket.destroy(new Error('no answer')));
  });
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
    assert.deepEqual(
      JSON.parse(processes.body).map((p: { name: string }) => p.name),
      ['api'],
    );
    const metrics = await get(`http://127.0.0.1:${port}/metrics`);
    assert.match(metrics.type, /^text\/plain; version=0\.0\.4/);
    const families = parsePrometheus(metrics.body);
    const names = families.map((family) => family.name).sort();
    assert.deepEqual(names, [
      'corral_process_cpu_percent',
      'corral_process_memory_bytes',
      'corral_process_restarts_total',
      'corral_process_status',
      'corral_process_uptime_seconds',
    ]);
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

  it('on loopback, answers only requests addressed to a loopback name (no DNS rebinding)', async () => {
    await home.ok(['start', fixture('idle.js'), '--name', 'api', '--', '--secret-arg']);
    const port = await freePort();
    await home.ok(['web', '--port', String(port)]);
    for (const host of [`localhost:${port}`, 'localhost', `127.0.0.1:${port}`, '127.0.0.1', `[::1]:${port}`]) {
      const served = await getWithHost(port, '/processes', host);
      assert.equal(served.status, 200, host);
      assert.equal(JSON.parse(served.body)[0].name, 'api');
    }
    for (const host of [`evil.example:${port}`, 'evil.example', `localhost.evil.example:${port}`, `127.0.0.1.nip.io:${port}`]) {
      for (const pathname of ['/processes', '/', '/metrics', '/nope']) {
        const refused = await getWithHost(port, pathname, host);
        assert.equal(refused.status, 421, `${host}${pathname}`);
        assert.ok(
          refused.body.length < 100 && !refused.body.includes('api') && !refused.body.includes('secret-arg') && !refused.body.includes(fixture()),
          refused.body,
        );
      }
    }
    const noHost = await rawRequest(port, 'GET /processes HTTP/1.1\r\nConnection: close\r\n\r\n');
    assert.match(noHost, /^HTTP\/1\.1 421 /);
    assert.ok(!noHost.includes('secret-arg'));
  });

  it('does not trust a token file others could read or plant: a fresh 0600 token replaces it, and daemon.log says why', async () => {
    const tokenFile = path.join(home.home, 'web.token');
    const daemonLog = path.join(home.home, 'daemon.log');
    const planted = 'f'.repeat(64);
    await home.ok(['ping']);
    fs.writeFileSync(tokenFile, `${planted}\n`, { mode: 0o644 });
    fs.chmodSync(tokenFile, 0o644);
    const port = await freePort();
    await home.ok(['web', '--port', String(port), '--host', '0.0.0.0']);
    assert.equal((await get(`http://127.0.0.1:${port}/processes`, { authorization: `Bearer ${planted}` })).status, 401, 'the loose token is not accepted');
    const stat = fs.lstatSync(tokenFile);
    assert.ok(stat.isFile());
    assert.equal(stat.mode & 0o777, 0o600);
    const fresh = fs.readFileSync(tokenFile, 'utf8').trim();
    assert.notEqual(fresh, planted);
    assert.equal((await get(`http://127.0.0.1:${port}/processes`, { authorization: `Bearer ${fresh}` })).status, 200);
    assert.match(fs.readFileSync(daemonLog, 'utf8'), /not trusting .*web\.token: it has mode 0644/);

    // A symlink (to a file with a token the planter knows) is replaced by a file of our own; its target is left alone.
    const elsewhere = path.join(home.home, 'planted-token');
    fs.writeFileSync(elsewhere, `${planted}\n`, { mode: 0o600 });
    fs.rmSync(tokenFile);
    fs.symlinkSync(elsewhere, tokenFile);
    await home.ok(['web', '--port', String(port), '--host', '0.0.0.0']);
    assert.equal((await get(`http://127.0.0.1:${port}/processes`, { authorization: `Bearer ${planted}` })).status, 401);
    assert.ok(!fs.lstatSync(tokenFile).isSymbolicLink());
    assert.equal(fs.readFileSync(elsewhere, 'utf8').trim(), planted, 'the link target was not written through');
    assert.match(fs.readFileSync(daemonLog, 'utf8'), /not trusting .*web\.token: it is a symlink/);

    // A sound token file (0600, ours, a regular file) is kept.
    const kept = fs.readFileSync(tokenFile, 'utf8').trim();
    await home.ok(['web', '--port', String(port), '--host', '0.0.0.0']);
    assert.equal(fs.readFileSync(tokenFile, 'utf8').trim(), kept, 'a sound token file is kept');

    // Another owner's file, even 0600: only root can stage that (chown), so elsewhere this part is left out.
    if (process.getuid?.() === 0) {
      fs.chownSync(tokenFile, 65534, 65534);
      await home.ok(['web', '--port', String(port), '--host', '0.0.0.0']);
      assert.equal(fs.statSync(tokenFile).uid, 0);
      assert.notEqual(fs.readFileSync(tokenFile, 'utf8').trim(), kept);
      assert.match(fs.readFileSync(daemonLog, 'utf8'), /not trusting .*web\.token: it is owned by uid 65534/);
    }
  });

  it('records git metadata for an app in a repository, credentials stripped', async function () {
    this.timeout(20_000);
    const repo = fs.mkdtempSync(path.join(os.tmpdir(), 'corral-git-'));
    try {
      const git = (...args: string[]): string =>
        execFileSync('git', ['-C', repo, '-c', 'user.email=t@example.invalid', '-c', 'user.name=T', ...args], { encoding: 'utf8' }).trim();
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
        {
          type: 'git',
          repo_path: repo,
          branch: 'feature-x',
          revision,
          comment: 'first version of the app',
          commit_time: 'number',
          url: 'https://git.example.invalid/team/app.git',
          unstaged: false,
        },
      );
      const text = (await home.ok(['describe', 'versioned'])).stdout;
      assert.match(text, new RegExp(`feature-x@${revision.slice(0, 10)} first version of the app`));
      assert.ok(!text.includes('s3cr3t'));
    } finally {
      fs.rmSync(repo, { recursive: true, force: true });
    }
  });
});
