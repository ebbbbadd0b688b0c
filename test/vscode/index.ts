/**
 * extensionTestsPath entry: the extension host calls run() and exits 1 if it rejects. Runs every
 * *.test.js bundled next to this file. The exit code alone cannot say how many tests passed, so the
 * counts go to $CORRAL_VSCODE_RESULTS for the harness (test/harness/run-vscode.mjs).
 */
import Mocha from 'mocha';
import { readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { format } from 'node:util';

interface Results {
  passed: number;
  failed: number;
  skipped: number;
}

/**
 * Under code-server the extension host's console reaches the harness through the workbench's log, mixed
 * with the workbench's own lines. Prefixing the report lets the harness keep just those. VS Code's console
 * forwarder ignores assignments to console.*, so the prefix goes on mocha's reporter output (every
 * built-in reporter prints through Base.consoleLog); the tests' own console output shows only in the
 * harness's verbose mode. Returns the function that restores the reporter.
 */
function prefixReport(prefix: string): () => void {
  const reporterLog = Mocha.reporters.Base.consoleLog;
  Mocha.reporters.Base.consoleLog = (...args: unknown[]) => console.log(prefix + format(...args));
  return () => {
    Mocha.reporters.Base.consoleLog = reporterLog;
  };
}

export async function run(): Promise<void> {
  const mocha = new Mocha({
    reporter: 'spec',
    // The report is forwarded through the workbench's console, which shows colour codes raw.
    color: false,
    timeout: 30_000,
    slow: 2_000,
    grep: process.env.CORRAL_VSCODE_GREP || undefined,
  });
  const files = readdirSync(__dirname, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.test.js'))
    .sort();
  for (const file of files) mocha.addFile(path.join(__dirname, file));

  const restoreReporter = process.env.CORRAL_VSCODE_LOG_PREFIX ? prefixReport(process.env.CORRAL_VSCODE_LOG_PREFIX) : () => {};
  let results: Results;
  try {
    const stats = await new Promise<Mocha.Stats>((resolve) => {
      // Throws synchronously when a test file does not load.
      const runner = mocha.run(() => resolve(runner.stats!));
    });
    results = { passed: stats.passes, failed: stats.failures, skipped: stats.pending };
  } catch (error) {
    // Through the reporter's (prefixed) output, so the harness shows it; and counted, because to the
    // harness a missing results file means the suites never ran at all.
    Mocha.reporters.Base.consoleLog('the test suites did not load: %s', error instanceof Error ? error.stack : error);
    writeResults({ passed: 0, failed: 1, skipped: 0 });
    throw error;
  } finally {
    restoreReporter();
  }
  writeResults(results);
  if (results.failed > 0) throw new Error(`${results.failed} extension test(s) failed`);
}

function writeResults(results: Results): void {
  if (process.env.CORRAL_VSCODE_RESULTS) writeFileSync(process.env.CORRAL_VSCODE_RESULTS, JSON.stringify(results));
}
