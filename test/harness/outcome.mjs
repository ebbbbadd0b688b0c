// How a harness run ends: exit codes, the infrastructure error, and the results file for test/run-all.mjs.
import { writeFileSync } from 'node:fs';

export const EXIT_PASSED = 0;
export const EXIT_FAILED = 1;
/** The harness could not run the tests at all (install, code-server, browser, timeout). */
export const EXIT_INFRASTRUCTURE = 2;

export class InfrastructureError extends Error {
  code = 'E_TEST_INFRASTRUCTURE';

  constructor(message, options) {
    super(message, options);
    this.name = 'InfrastructureError';
  }
}

/** Writes {passed, failed, skipped} to $CORRAL_RESULTS_FILE when the top-level runner asks for it. */
export function writeResults({ passed = 0, failed = 0, skipped = 0 }) {
  const file = process.env.CORRAL_RESULTS_FILE;
  if (file) writeFileSync(file, JSON.stringify({ passed, failed, skipped }));
}
