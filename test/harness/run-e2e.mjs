// `npm run test:e2e`: the test/e2e suites (bundled to dist/test/e2e) drive the real workbench in Debian's
// Chromium: code-server from the cache with the extension installed from a .vsix packed by vsce. The harness owns
// code-server and Chromium; the suites connect to them through CORRAL_E2E_BROWSER and
// CORRAL_E2E_WORKBENCH_URL. Screenshots go to test-results/e2e/. Exit code: 0 passed, 1 tests failed,
// 2 infrastructure failure. Writes {passed, failed, skipped} to $CORRAL_RESULTS_FILE.
// Env: CORRAL_E2E_GREP (mocha grep), CORRAL_TEST_VERBOSE=1 (code-server log).
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import Mocha from 'mocha';
import { checkBrowser, launchBrowserServer } from './browser.mjs';
import { ensureCodeServer } from './cache.mjs';
import { startCodeServer } from './code-server.mjs';
import { EXIT_FAILED, EXIT_PASSED, InfrastructureError, writeResults } from './outcome.mjs';
import { openSandbox } from './sandbox.mjs';
import { runHarness } from './session.mjs';
import { installVsix, packageVsix } from './vsix.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const suitesDir = path.join(repoRoot, 'dist', 'test', 'e2e');
const verbose = process.env.CORRAL_TEST_VERBOSE === '1';

await runHarness('e2e', async ({ log, defer }) => {
  const suites = existsSync(suitesDir)
    ? readdirSync(suitesDir, { recursive: true, encoding: 'utf8' })
        .filter((file) => file.endsWith('.test.js'))
        .sort()
    : [];
  if (!existsSync(path.join(repoRoot, 'dist', 'extension.js')) || suites.length === 0) {
    throw new InfrastructureError('dist/extension.js or dist/test/e2e/*.test.js is missing: run `npm run build` first');
  }
  const sandbox = openSandbox({ log, defer });
  checkBrowser();
  const install = await ensureCodeServer({ log }).catch((error) => {
    throw new InfrastructureError('could not prepare code-server', { cause: error });
  });
  // What users install: the .vsix, not the working tree.
  const vsix = path.join(sandbox.root, 'corral.vsix');
  const size = await packageVsix({ repoRoot, outFile: vsix, env: sandbox.env() });
  await installVsix({ install, sandbox, vsix });
  log(`installed corral.vsix (${(size / 1024).toFixed(0)} KB) into code-server`);
  const browser = await launchBrowserServer({ sandbox, defer });
  const server = await startCodeServer({ install, sandbox, defer, verbose });
  log(`code-server ${install.vscodeVersion} on 127.0.0.1:${server.port}, Chromium ready`);

  // The suites run in this process: hand them the browser and the workbench through the environment.
  Object.assign(process.env, {
    CORRAL_E2E_BROWSER: browser.wsEndpoint(),
    CORRAL_E2E_WORKBENCH_URL: server.workbenchUrl({
      folder: sandbox.workspace,
      payload: [['skipWelcome', 'true']],
    }),
    CORRAL_E2E_SCREENSHOTS: path.join(repoRoot, 'test-results', 'e2e'),
    // The suites drive the CLI against the daemon the workbench's extension uses.
    CORRAL_E2E_HOME: sandbox.corralHome,
    CORRAL_E2E_ENV: JSON.stringify(sandbox.env()),
    CORRAL_E2E_WORKSPACE: sandbox.workspace,
  });
  const mocha = new Mocha({ reporter: 'spec', timeout: 120_000, slow: 15_000, grep: process.env.CORRAL_E2E_GREP || undefined });
  for (const file of suites) mocha.addFile(path.join(suitesDir, file));
  const stats = await new Promise((resolve) => {
    const runner = mocha.run(() => resolve(runner.stats));
  });
  writeResults({ passed: stats.passes, failed: stats.failures, skipped: stats.pending });
  log(`screenshots in ${path.relative(repoRoot, process.env.CORRAL_E2E_SCREENSHOTS)}/`);
  return stats.failures > 0 ? EXIT_FAILED : EXIT_PASSED;
});
