// Runs the bundled mocha suites under one folder of dist/test and writes {passed, failed, skipped}
// to $CORRAL_RESULTS_FILE for test/run-all.mjs. Usage: node test/mocha-runner.mjs <dist/test/dir> [grep]
import Mocha from 'mocha';
import { readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

const [dir, grep] = process.argv.slice(2);
const files = readdirSync(dir, { recursive: true })
  .filter((file) => file.endsWith('.test.js'))
  .map((file) => path.resolve(dir, file))
  .sort();
const mocha = new Mocha({ reporter: 'spec', timeout: 30_000, slow: 2_000, grep });
for (const file of files) mocha.addFile(file);
const runner = mocha.run((failures) => {
  const { passes = 0, failures: failed = 0, pending = 0 } = runner.stats ?? {};
  if (process.env.CORRAL_RESULTS_FILE) {
    writeFileSync(process.env.CORRAL_RESULTS_FILE, JSON.stringify({ passed: passes, failed, skipped: pending }));
  }
  process.exitCode = failures > 0 ? 1 : 0;
});
