// `npm run test:vscode`: runs the test/vscode suites (bundled to dist/test/vscode) inside a real VS Code
// extension host with the extension loaded from the working tree. A desktop VS Code when there is one
// (see desktop.mjs), else the cached code-server in headless Chromium. Exit code: 0 passed, 1 tests
// failed, 2 infrastructure failure. Writes {passed, failed, skipped} to $CORRAL_RESULTS_FILE.
// Env: CORRAL_VSCODE_GREP (mocha grep), CORRAL_TEST_VERBOSE=1 (workbench and code-server logs),
// CORRAL_VSCODE_TIMEOUT_MS (whole test run, default 5 min).
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkBrowser, launchBrowser } from './browser.mjs';
import { ensureCodeServer } from './cache.mjs';
import { startCodeServer } from './code-server.mjs';
import { findDesktopVsCode, runInDesktopVsCode } from './desktop.mjs';
import { EXIT_FAILED, EXIT_PASSED, InfrastructureError, writeResults } from './outcome.mjs';
import { openSandbox } from './sandbox.mjs';
import { runHarness } from './session.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const testsEntry = path.join(repoRoot, 'dist', 'test', 'vscode', 'index.js');
const verbose = process.env.CORRAL_TEST_VERBOSE === '1';
const runTimeoutMs = Number(process.env.CORRAL_VSCODE_TIMEOUT_MS || 5 * 60_000);
const LOG_PREFIX = '[corral-test] ';

await runHarness('vscode', async ({ log, defer }) => {
  for (const file of [path.join(repoRoot, 'dist', 'extension.js'), testsEntry]) {
    if (!existsSync(file)) throw new InfrastructureError(`${path.relative(repoRoot, file)} is missing: run \`npm run build\` first`);
  }
  const sandbox = openSandbox({ log, defer });

  const resultsFile = path.join(sandbox.root, 'results.json');
  // Read by test/vscode/index.ts inside the extension host.
  const testsEnv = {
    CORRAL_VSCODE_RESULTS: resultsFile,
    CORRAL_VSCODE_GREP: process.env.CORRAL_VSCODE_GREP,
    CORRAL_BENCH_METRICS: process.env.CORRAL_BENCH_METRICS,
  };

  const desktop = await findDesktopVsCode({ log });
  const exitCode = desktop
    ? await runInDesktopVsCode({ executable: desktop, sandbox, extensionPath: repoRoot, testsEntry, testsEnv, log })
    : await runInCodeServer({ sandbox, testsEnv, log, defer });

  const results = readResults(resultsFile, exitCode);
  writeResults(results);
  return exitCode === 0 && results.failed === 0 ? EXIT_PASSED : EXIT_FAILED;
});

/** Loads the workbench with the extension and its tests; resolves with the extension host's exit code. */
async function runInCodeServer({ sandbox, testsEnv, log, defer }) {
  checkBrowser();
  const install = await ensureCodeServer({ log }).catch((error) => {
    throw new InfrastructureError('could not prepare code-server', { cause: error });
  });
  const started = Date.now();
  const extraEnv = { ...testsEnv, CORRAL_VSCODE_LOG_PREFIX: LOG_PREFIX };
  const browser = await launchBrowser({ sandbox, defer });
  const server = await startCodeServer({ install, sandbox, extraEnv, defer, verbose });
  log(`code-server ${install.vscodeVersion} listening on 127.0.0.1:${server.port} after ${Date.now() - started} ms`);

  const page = await browser.newPage();
  let reportExit;
  const exit = new Promise((resolve) => (reportExit = resolve));
  // Called by the workbench's smoke-test driver with the extension host's exit code.
  await page.exposeFunction('codeAutomationExit', (code) => reportExit(code));
  // The workbench's log carries the extension host's console; test/vscode/index.ts prefixes mocha's
  // report, so it can be told apart from the workbench's own chatter.
  await page.exposeFunction('codeAutomationLog', (_type, args) => {
    const [first, ...rest] = Array.isArray(args) ? args : [args];
    if (typeof first === 'string' && first.startsWith(LOG_PREFIX)) console.log(first.slice(LOG_PREFIX.length), ...rest);
    else if (verbose) console.log('[workbench]', first, ...rest);
  });
  page.on('pageerror', (error) => log(`page error: ${error.message}`));

  const url = server.workbenchUrl({
    folder: sandbox.workspace,
    payload: [
      ['extensionDevelopmentPath', server.remoteUri(repoRoot)],
      ['extensionTestsPath', server.remoteUri(testsEntry)],
      ['skipWelcome', 'true'],
    ],
  });
  await page.goto(url);

  let timer;
  const outcome = await Promise.race([
    exit.then((code) => ({ code })),
    server.exited.then((code) => ({ failure: `code-server exited (${code}) during the run` })),
    new Promise((resolve) => (timer = setTimeout(() => resolve({ failure: `no result after ${runTimeoutMs} ms` }), runTimeoutMs))),
  ]);
  clearTimeout(timer);
  if (outcome.failure) {
    throw new InfrastructureError(`${outcome.failure}; code-server log tail:\n${server.log().slice(-4_000)}`);
  }
  log(`extension host exited with ${outcome.code} after ${Date.now() - started} ms`);
  if (outcome.code !== 0 && !verbose) log('CORRAL_TEST_VERBOSE=1 shows the workbench and code-server logs');
  return outcome.code;
}

/** The suites' own counts. test/vscode/index.ts always writes them, so none means the suites never ran. */
function readResults(file, exitCode) {
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8'));
  throw new InfrastructureError(`VS Code exited with ${exitCode} before the test suites ran`);
}
