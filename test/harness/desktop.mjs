// The same extension-host suites in a desktop VS Code through @vscode/test-electron, for machines that have
// one: VSCODE_EXECUTABLE names it, or (with a display) a download from Microsoft is tried and, failing that,
// the caller falls back to code-server. CORRAL_VSCODE=code-server or =desktop forces one side.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { CACHE_ROOT } from './cache.mjs';
import { InfrastructureError } from './outcome.mjs';

/** The VS Code inside the pinned code-server: the desktop download matches it unless told otherwise. */
const VSCODE_VERSION = process.env.CORRAL_VSCODE_VERSION || '1.139.1';
const DOWNLOAD_IDLE_TIMEOUT_MS = 15_000;

function hasDisplay() {
  return process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
}

/** The desktop VS Code executable to use, or undefined for code-server. */
export async function findDesktopVsCode({ log }) {
  const mode = process.env.CORRAL_VSCODE || 'auto';
  const named = process.env.VSCODE_EXECUTABLE;
  if (named && mode !== 'code-server') {
    if (!existsSync(named)) throw new InfrastructureError(`VSCODE_EXECUTABLE=${named} does not exist`);
    return named;
  }
  // Electron cannot start without a display; without one the download would only cost time.
  if (mode === 'code-server' || (mode === 'auto' && !hasDisplay())) return undefined;
  const { downloadAndUnzipVSCode } = await import('@vscode/test-electron');
  try {
    return await downloadAndUnzipVSCode({
      version: VSCODE_VERSION,
      cachePath: path.join(CACHE_ROOT, 'vscode-desktop'),
      timeout: DOWNLOAD_IDLE_TIMEOUT_MS,
    });
  } catch (error) {
    if (mode === 'desktop') throw new InfrastructureError(`could not download VS Code ${VSCODE_VERSION}`, { cause: error });
    log(`no desktop VS Code (${error.message.split('\n')[0]}); using code-server`);
    return undefined;
  }
}

/** Runs the suites in the desktop VS Code; resolves with its exit code. */
export async function runInDesktopVsCode({ executable, sandbox, extensionPath, testsEntry, testsEnv, log }) {
  const { runTests, TestRunFailedError } = await import('@vscode/test-electron');
  log(`desktop VS Code: ${executable}`);
  // Strip the calling window's VS Code variables (test-electron merges this over process.env).
  const cleared = Object.fromEntries(
    Object.keys(process.env)
      .filter((key) => key.startsWith('VSCODE_'))
      .map((key) => [key, undefined]),
  );
  try {
    return await runTests({
      vscodeExecutablePath: executable,
      extensionDevelopmentPath: extensionPath,
      extensionTestsPath: testsEntry,
      launchArgs: [sandbox.workspace, `--user-data-dir=${sandbox.userData}`, `--extensions-dir=${sandbox.extensions}`, '--disable-extensions'],
      extensionTestsEnv: { ...cleared, ...sandbox.env(testsEnv) },
    });
  } catch (error) {
    if (error instanceof TestRunFailedError) return error.code ?? 1;
    throw new InfrastructureError(`desktop VS Code did not run the tests`, { cause: error });
  }
}
