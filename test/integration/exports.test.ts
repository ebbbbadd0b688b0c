import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { fixture, TestHome } from '../support/harness';

/** systemd's own checker where this machine has it (Debian's systemd package); a structural check otherwise. */
function verifyUnit(file: string): void {
  const text = fs.readFileSync(file, 'utf8');
  for (const section of ['[Unit]', '[Service]', '[Install]']) assert.ok(text.includes(section), `${file} has ${section}`);
  if (spawnSync('systemd-analyze', ['--version']).status !== 0) return;
  const result = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(result.status, 0, `systemd-analyze verify ${file}: ${result.stderr}`);
  // verify exits 0 on some mistakes ("Failed to parse ..., ignoring"): it must have nothing to say.
  assert.equal(result.stderr.trim(), '', `systemd-analyze verify ${file}`);
}

describe('export and startup commands', () => {
  let home: TestHome;
  beforeEach(() => (home = new TestHome()));
  afterEach(() => home.cleanup());

  it('export kubernetes|systemd|compose write what the ecosystem file says, without the shell env', async () => {
    const eco = path.join(home.home, 'eco.config.js');
    fs.writeFileSync(
      eco,
      `module.exports = { apps: [{ name: 'api', script: ${JSON.stringify(fixture('http.js'))}, instances: 2, exec_mode: 'cluster', env: { PORT: 3000, API_TOKEN: 'tok' }, env_production: { NODE_ENV: 'production' } }] };`,
    );
    const k8s = path.join(home.home, 'k8s.yaml');
    await home.ok(['export', 'kubernetes', eco, '--env', 'production', '-o', k8s], { env: { SHELL_ONLY_VAR: 'should-not-leak' } });
    const documents = parseAllDocuments(fs.readFileSync(k8s, 'utf8')).map((document) => document.toJS());
    assert.deepEqual(
      documents.map((d) => d.kind),
      ['Deployment', 'Service'],
    );
    const env = documents[0].spec.template.spec.containers[0].env.map((e: { name: string }) => e.name).sort();
    assert.deepEqual(env, ['API_TOKEN', 'NODE_ENV', 'PORT']);
    const units = path.join(home.home, 'units');
    await home.ok(['export', 'systemd', eco, '-o', units]);
    assert.deepEqual(fs.readdirSync(units), ['api.service']);
    assert.match(
      fs.readFileSync(path.join(units, 'api.service'), 'utf8'),
      new RegExp(`^ExecStart=${process.execPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} ${fixture('http.js').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'),
    );
    verifyUnit(path.join(units, 'api.service'));
    const compose = (await home.ok(['export', 'compose', eco])).stdout;
    assert.match(compose, /API_TOKEN: \$\{API_TOKEN\}/);
    const bad = await home.cli(['export', 'helm', eco]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /export: usage/);
  });

  it('startup systemd --write installs a user unit; unstartup removes it', async () => {
    const config = path.join(home.home, 'xdg');
    const env = { XDG_CONFIG_HOME: config };
    const printed = await home.ok(['startup', 'systemd'], { env });
    assert.match(printed.stdout, /ExecStart=.*daemon\.js/);
    await home.ok(['startup', 'systemd', '--write'], { env });
    const unit = path.join(config, 'systemd', 'user', 'corral.service');
    verifyUnit(unit);
    assert.match(fs.readFileSync(unit, 'utf8'), new RegExp(`CORRAL_HOME=${home.home.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    await home.ok(['unstartup', 'systemd'], { env });
    assert.ok(!fs.existsSync(unit));
    await home.ok(['startup', 'systemd', '-w'], { env });
    assert.ok(fs.existsSync(unit), "PM2's startup -w installs too");
    await home.ok(['unstartup', 'systemd'], { env });
    const other = await home.cli(['startup', 'upstart'], { env });
    assert.match(other.stderr, /expected "systemd", "launchd" or "schtasks"/);
  });

  it('startup launchd and startup schtasks print recipes that run corral resurrect', async () => {
    const plist = await home.ok(['startup', 'launchd']);
    assert.match(plist.stdout, /<string>resurrect<\/string>/);
    assert.match(plist.stderr, /Library\/LaunchAgents\/io\.corral\.corral\.plist/);
    const task = await home.ok(['startup', 'schtasks', '--service-name', 'corral-dev']);
    assert.match(task.stdout, /schtasks \/Create \/F \/TN "corral-dev" \/SC ONLOGON/);
    assert.match((await home.ok(['unstartup', 'schtasks'])).stdout, /schtasks \/Delete \/F \/TN "corral"/);
    assert.match((await home.cli(['startup', 'launchd', '--write'])).stderr, /printed only/);
  });

  it('startup systemd -u <user> --hp <home> --service-name <name>: a system unit running as that user for its home', async () => {
    const printed = await home.ok(['startup', 'systemd', '-u', 'deploy', '--hp', '/srv/deploy', '--service-name', 'corral-web']);
    assert.match(printed.stdout, /^User=deploy$/m);
    assert.match(printed.stdout, /^Environment=CORRAL_HOME=\/srv\/deploy\/\.corral$/m);
    assert.match(printed.stdout, /^WantedBy=multi-user\.target$/m);
    assert.match(printed.stderr, /--write installs this as \/etc\/systemd\/system\/corral-web\.service, as root/);
    const unit = path.join(home.home, 'corral-web.service');
    fs.writeFileSync(unit, printed.stdout);
    verifyUnit(unit);
    for (const [args, message] of [
      [['-u', 'nobody'], /give both -u <user> and --hp <home>/],
      [['--service-name', 'a b'], /--service-name: expected letters/],
      [['-u', 'no body', '--hp', '/x'], /-u\/--user: not a user name/],
      [['-u', 'nobody', '--hp', 'rel'], /--hp: expected an absolute path/],
    ] as const) {
      const result = await home.cli(['startup', 'systemd', ...args]);
      assert.equal(result.code, 1, args.join(' '));
      assert.match(result.stderr, message);
    }
  });
});
