import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fixture, TestHome, until } from '../support/harness';

const OTHER_USER = 'corral-other';

/** A second, unprivileged user for the connection test; null where one cannot be created. */
function otherUser(): string | null {
  if (spawnSync('id', ['-u', OTHER_USER]).status === 0) return OTHER_USER;
  if (spawnSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', OTHER_USER]).status === 0) return OTHER_USER;
  return null;
}

describe('faults: permissions and secrets', () => {
  let home: TestHome;
  before(() => {
    home = new TestHome();
  });
  after(() => home.cleanup());

  it('home 0700, sockets and dump 0600, logs 0640 or stricter', async () => {
    await home.ok(['start', fixture('idle.js'), '--name', 'perm']);
    await home.ok(['save']);
    const [perm] = await home.jlist();
    await until(() => fs.existsSync(perm.out_log), 'the log file');
    const mode = (file: string): number => fs.statSync(file).mode & 0o777;
    assert.equal(mode(home.home), 0o700);
    assert.equal(mode(path.join(home.home, 'rpc.sock')), 0o600);
    assert.equal(mode(path.join(home.home, 'pub.sock')), 0o600);
    assert.equal(mode(path.join(home.home, 'dump.json')), 0o600);
    for (const file of [perm.out_log, perm.err_log, path.join(home.home, 'daemon.log')])
      assert.equal(mode(file) & 0o037, 0, `${file} is ${mode(file).toString(8)}`);
  });

  it('another user cannot connect to the daemon', async function () {
    const user = otherUser();
    if (!user) this.skip(); // no useradd here: check by hand with another account (see the README)
    const probe = `require('net').createConnection(${JSON.stringify(path.join(home.home, 'rpc.sock'))}).on('connect', () => { console.log('CONNECTED'); process.exit(0); }).on('error', (e) => { console.log(e.code); process.exit(0); })`;
    const output = execFileSync('runuser', ['-u', user as string, '--', process.execPath, '-e', probe], { encoding: 'utf8' }).trim();
    assert.equal(output, 'EACCES');
  });

  it('an env secret never shows in jlist, describe, events or daemon.log; env <id> shows it on request', async () => {
    const secret = 's3cret-DB-pass-31337';
    const events = await home.events();
    const client = await home.connect();
    const subscription = await client.subscribe();
    const published: string[] = [];
    for (const name of ['process:event', 'metrics', 'process:deleted'] as const) subscription.on(name, (payload) => published.push(JSON.stringify(payload)));
    await home.ok(['start', fixture('idle.js'), '--name', 'vault'], { env: { DB_PASSWORD: secret } });
    await home.ok(['restart', 'vault']);
    await events.some((e) => e.name === 'vault' && e.status === 'online', 'online');
    const vault = (await home.jlist()).find((p) => p.name === 'vault') as { id: number };
    const outputs = [
      (await home.ok(['jlist'])).stdout,
      (await home.ok(['describe', 'vault'])).stdout,
      (await home.ok(['describe', 'vault', '--json'])).stdout,
      (await home.ok(['list'])).stdout,
      published.join('\n'),
      fs.readFileSync(path.join(home.home, 'daemon.log'), 'utf8'),
    ];
    for (const text of outputs) assert.ok(!text.includes(secret), `leaked in: ${text.slice(0, 200)}`);
    const [description] = JSON.parse((await home.ok(['describe', 'vault', '--json'])).stdout);
    assert.ok(description.config.env_keys.includes('DB_PASSWORD'), 'describe names the variable');
    const env = await home.ok(['env', String(vault.id)]);
    assert.ok(env.stdout.split('\n').includes(`DB_PASSWORD=${secret}`));
    subscription.dispose();
  });
});
