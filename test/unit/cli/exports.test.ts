import * as assert from 'node:assert/strict';
import { parseAllDocuments } from 'yaml';
import { appCommand, exportCompose, exportKubernetes, exportSystemdUnits, kubernetesName, startupUnit } from '../../../src/cli/exports';
import { normalizeApp, type AppConfig } from '../../../src/shared/config';

// kubernetes-models is ESM only; a real import() survives the CommonJS test bundle this way.
const importEsm = new Function('specifier', 'return import(specifier)') as (
  specifier: string,
) => Promise<Record<string, new (data: unknown) => { validate(): void }>>;

function app(raw: Record<string, unknown>): AppConfig {
  return normalizeApp(raw, { source: 'eco.config.js', index: 0, baseDir: '/srv/shop', baseEnv: {}, cpuCount: 4, fileExists: () => true }).app;
}

const api = app({
  name: 'Shop API',
  script: 'server.js',
  exec_mode: 'cluster',
  instances: 3,
  node_args: '--max-old-space-size=256',
  max_memory_restart: '300M',
  kill_timeout: 5000,
  wait_ready: true,
  listen_timeout: 4000,
  env: { PORT: 8080, NODE_ENV: 'production', DB_PASSWORD: 'hunter2', STRIPE_API_KEY: 'sk_live' },
});
const worker = app({ name: 'worker', script: 'jobs/worker.js', args: ['--queue', 'mail'], autorestart: false, env: { QUEUE: 'mail' } });

describe('exports', () => {
  it('makes DNS-1123 names', () => {
    assert.equal(kubernetesName('Shop API'), 'shop-api');
    assert.equal(kubernetesName('--x__y--'), 'x-y');
    assert.equal(kubernetesName('***'), 'app');
    assert.equal(kubernetesName('a'.repeat(80)).length, 63);
  });

  it('builds the app command relative to its cwd', () => {
    assert.deepEqual(appCommand(api), ['node', '--max-old-space-size=256', 'server.js']);
    assert.deepEqual(appCommand(worker), ['node', 'jobs/worker.js', '--queue', 'mail']);
  });

  it('kubernetes: Deployments and a Service that validate against the Kubernetes schemas, secrets by reference', async () => {
    const text = exportKubernetes([api, worker]);
    assert.match(text, /REPLACE-ME\/image:tag/);
    assert.ok(!text.includes('hunter2') && !text.includes('sk_live'), 'no secret value inline');
    const documents = parseAllDocuments(text).map((document) => document.toJS());
    assert.deepEqual(
      documents.map((d) => `${d.kind}/${d.metadata.name}`),
      ['Deployment/shop-api', 'Service/shop-api', 'Deployment/worker'],
    );
    const { Deployment } = await importEsm('kubernetes-models/apps/v1');
    const { Service } = await importEsm('kubernetes-models/v1');
    for (const document of documents) new (document.kind === 'Service' ? Service : Deployment)(document).validate();
    const [deployment, service] = documents;
    assert.equal(deployment.spec.replicas, 3);
    assert.equal(deployment.spec.template.spec.terminationGracePeriodSeconds, 5);
    const container = deployment.spec.template.spec.containers[0];
    assert.equal(container.resources.limits.memory, String(300 * 1024 * 1024));
    assert.deepEqual(container.readinessProbe.tcpSocket, { port: 8080 });
    assert.deepEqual(
      container.env.find((e: { name: string }) => e.name === 'DB_PASSWORD'),
      { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'shop-api-secrets', key: 'DB_PASSWORD' } } },
    );
    assert.deepEqual(
      container.env.find((e: { name: string }) => e.name === 'NODE_ENV'),
      { name: 'NODE_ENV', value: 'production' },
    );
    assert.equal(service.spec.ports[0].port, 8080);
    // A deliberately broken object does not validate: the check can fail.
    assert.throws(() => new Deployment({ ...deployment, spec: { ...deployment.spec, replicas: 'three' } }).validate());
  });

  it('systemd: one unit per app with the policy mapped, secrets in an EnvironmentFile', () => {
    const units = exportSystemdUnits([api, worker], '/usr/bin/node');
    assert.deepEqual(
      units.map((unit) => unit.file),
      ['shop-api.service', 'worker.service'],
    );
    const [shop, jobs] = units.map((unit) => unit.text);
    for (const section of ['[Unit]', '[Service]', '[Install]']) assert.ok(shop.includes(section));
    assert.match(shop, /^ExecStart=\/usr\/bin\/node --max-old-space-size=256 \/srv\/shop\/server\.js$/m);
    assert.match(shop, /^WorkingDirectory=\/srv\/shop$/m);
    assert.match(shop, /^TimeoutStopSec=5$/m);
    assert.match(shop, /^KillSignal=SIGINT$/m);
    assert.match(shop, /^MemoryMax=314572800$/m);
    assert.match(shop, /^EnvironmentFile=\/etc\/corral\/shop-api\.env$/m);
    assert.ok(!shop.includes('hunter2'));
    assert.match(jobs, /^Restart=no$/m);
    // Every non-comment line of a unit is a [Section] or Key=value.
    for (const line of [...shop.split('\n'), ...jobs.split('\n')])
      assert.ok(line === '' || line.startsWith('#') || /^\[[A-Za-z]+\]$/.test(line) || /^[A-Za-z]+=/.test(line), line);
  });

  it('compose: a service per app, secrets as ${VAR} references', async () => {
    const text = exportCompose([api, worker]);
    const compose = parseAllDocuments(text)[0].toJS();
    assert.deepEqual(Object.keys(compose.services), ['shop-api', 'worker']);
    assert.equal(compose.services['shop-api'].environment.DB_PASSWORD, '${DB_PASSWORD}');
    assert.deepEqual(compose.services['shop-api'].ports, ['8080:8080']);
    assert.equal(compose.services.worker.restart, 'no');
    assert.equal(compose.services['shop-api'].stop_grace_period, '5s');
  });

  it('startup unit runs the daemon and restores the saved list', () => {
    const unit = startupUnit({
      nodePath: '/usr/bin/node',
      daemonScript: '/opt/corral/dist/daemon.js',
      cliScript: '/opt/corral/dist/cli.js',
      home: '/home/u/.corral',
      user: true,
    });
    assert.match(unit, /^ExecStart=\/usr\/bin\/node \/opt\/corral\/dist\/daemon\.js$/m);
    assert.match(unit, /^ExecStartPost=\/usr\/bin\/node \/opt\/corral\/dist\/cli\.js resurrect --silent$/m);
    assert.match(unit, /^Environment=CORRAL_HOME=\/home\/u\/\.corral$/m);
    assert.match(unit, /^KillMode=mixed$/m);
    assert.match(unit, /^WantedBy=default\.target$/m);
  });
});
