/**
 * Timings taken by the VS Code suites for `npm run bench` (its "extension" scenario): appended as JSON
 * lines to $CORRAL_BENCH_METRICS when set. Tests print them but never assert on them.
 */
import * as fs from 'node:fs';

export function recordMeasurement(key: string, value: number): void {
  const file = process.env.CORRAL_BENCH_METRICS;
  if (file) fs.appendFileSync(file, `${JSON.stringify({ key, value })}\n`);
}
