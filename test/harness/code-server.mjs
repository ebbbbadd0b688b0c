// Starts the cached code-server on 127.0.0.1 with everything it writes inside the run's sandbox, and
// builds workbench URLs that load the extension from the working tree.
import { writeFileSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import * as path from 'node:path';
import { InfrastructureError } from './outcome.mjs';
import { spawnGroup, stopGroup } from './processes.mjs';

const STARTUP_TIMEOUT_MS = 60_000;
const LOG_LIMIT = 200_000;

// Quiet, deterministic user settings: no trust prompt, welcome page, update or telemetry traffic, no AI side bar.
const USER_SETTINGS = {
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.disableAIFeatures': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'workbench.enableExperiments': false,
  'git.enabled': false,
  'github.gitAuthentication': false,
  'typescript.disableAutomaticTypeAcquisition': true,
};

/** A port nobody listens on right now (the kernel picks it; code-server binds it a moment later). */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts code-server and resolves once it listens. `defer` registers its shutdown (the whole process group).
 * The extension host inherits code-server's environment, so extraEnv reaches the extension and its tests.
 * Returns { port, log(), workbenchUrl({ folder, payload }), remoteUri(path), exited }.
 */
export async function startCodeServer({ install, sandbox, extraEnv = {}, defer, verbose }) {
  const port = await freePort();
  const configFile = path.join(sandbox.root, 'code-server.yaml');
  writeFileSync(configFile, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  mkdirSync(path.join(sandbox.userData, 'User'), { recursive: true });
  writeFileSync(path.join(sandbox.userData, 'User', 'settings.json'), JSON.stringify(USER_SETTINGS, null, 2));

  const args = [
    install.codeServerEntry,
    '--config',
    configFile,
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--auth',
    'none',
    '--user-data-dir',
    sandbox.userData,
    '--extensions-dir',
    sandbox.extensions,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    // Without it the built workbench ignores the ?payload= that loads the extension under development.
    '--vscode-option',
    'enable-smoke-test-driver',
  ];
  // Node 24 first on PATH: code-server and its helpers may spawn `node` by name.
  const env = sandbox.env({ ...extraEnv, PATH: `${path.dirname(install.nodeBin)}${path.delimiter}${process.env.PATH}` });
  const child = spawnGroup(install.nodeBin, args, { env, cwd: sandbox.workspace, stdio: ['ignore', 'pipe', 'pipe'] });
  defer('code-server', () => stopGroup(child.pid));

  let output = '';
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  const listening = new Promise((resolve) => {
    const onData = (chunk) => {
      output = (output + chunk).slice(-LOG_LIMIT);
      if (verbose) process.stdout.write(`[code-server] ${chunk}`);
      if (/HTTP server listening on/.test(output)) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
  });
  let timer;
  const timeout = new Promise((resolve) => (timer = setTimeout(() => resolve('timeout'), STARTUP_TIMEOUT_MS)));
  const outcome = await Promise.race([listening.then(() => 'listening'), exited.then((code) => `exited with ${code}`), timeout]);
  clearTimeout(timer);
  if (outcome !== 'listening') {
    throw new InfrastructureError(
      `code-server did not start (${outcome === 'timeout' ? `no "listening" within ${STARTUP_TIMEOUT_MS} ms` : outcome}):\n${output.slice(-4_000)}`,
    );
  }

  // Remote URIs: with plain paths the workbench silently loads nothing.
  const remoteUri = (absolutePath) => `vscode-remote://127.0.0.1:${port}${encodeURI(absolutePath)}`;
  return {
    port,
    exited,
    log: () => output,
    remoteUri,
    workbenchUrl({ folder, payload }) {
      // encodeURIComponent, not URLSearchParams: the workbench does not read '+' as a space.
      return `http://127.0.0.1:${port}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    },
  };
}
