// `npm test`: every suite, one after another, then one summary line "N passed, N failed[, N skipped]".
// Each suite is a child process that writes {passed, failed, skipped} to $CORRAL_RESULTS_FILE; a suite
// that dies without writing it counts as one failure. Usage: node test/run-all.mjs [suite,...]
// `portable` is integration and faults again with CORRAL_PORTABLE=1: the daemon reads the process table
// with `ps`, as on macOS (README, "CORRAL_PORTABLE=1").
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const SUITES = {
  unit: ['node', ['test/mocha-runner.mjs', 'dist/test/unit']],
  integration: ['node', ['test/mocha-runner.mjs', 'dist/test/integration']],
  faults: ['node', ['test/mocha-runner.mjs', 'dist/test/faults']],
  'portable-integration': ['node', ['test/mocha-runner.mjs', 'dist/test/integration'], { CORRAL_PORTABLE: '1' }],
  'portable-faults': ['node', ['test/mocha-runner.mjs', 'dist/test/faults'], { CORRAL_PORTABLE: '1' }],
  vscode: ['node', ['test/harness/run-vscode.mjs']],
  e2e: ['node', ['test/harness/run-e2e.mjs']],
};

const GROUPS = { portable: ['portable-integration', 'portable-faults'] };

const wanted = (process.argv[2] ?? Object.keys(SUITES).join(',')).split(',').flatMap((name) => GROUPS[name] ?? [name]);
const scratch = mkdtempSync(path.join(os.tmpdir(), 'corral-results-'));
const totals = { passed: 0, failed: 0, skipped: 0 };
const lines = [];

for (const name of wanted) {
  const suite = SUITES[name];
  if (!suite) {
    console.error(`unknown suite "${name}" (known: ${[...Object.keys(SUITES), ...Object.keys(GROUPS)].join(', ')})`);
    process.exit(2);
  }
  if (!existsSync(suite[1][0])) {
    lines.push(`${name}: not present`);
    continue;
  }
  const resultsFile = path.join(scratch, `${name}.json`);
  const started = Date.now();
  console.log(`\n=== ${name} ===`);
  const code = await new Promise((resolve) => {
    const child = spawn(suite[0] === 'node' ? process.execPath : suite[0], suite[1], {
      stdio: 'inherit',
      env: { ...process.env, ...suite[2], CORRAL_RESULTS_FILE: resultsFile },
    });
    child.on('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 128 : 1)));
  });
  let result;
  try {
    result = JSON.parse(readFileSync(resultsFile, 'utf8'));
  } catch {
    result = { passed: 0, failed: 1, skipped: 0 };
    console.error(`[run-all] suite ${name} exited with ${code} without reporting results`);
  }
  if (code !== 0 && result.failed === 0) result.failed = 1;
  totals.passed += result.passed;
  totals.failed += result.failed;
  totals.skipped += result.skipped ?? 0;
  const seconds = Math.round((Date.now() - started) / 1000);
  lines.push(`${name}: ${result.passed} passed, ${result.failed} failed${result.skipped ? `, ${result.skipped} skipped` : ''} (${seconds} s)`);
}
rmSync(scratch, { recursive: true, force: true });
console.log(`\n${lines.join('\n')}`);
console.log(`${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`);
process.exit(totals.failed > 0 ? 1 : 0);
