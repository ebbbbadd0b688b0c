import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';

// action-validator (a devDependency from npm) checks a workflow against SchemaStore's
// github-workflow schema, compiled into its wasm module: no network.
interface ValidationResult {
  errors: unknown[];
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const validator = require('@action-validator/core') as { validateWorkflow(source: string): ValidationResult };

const WORKFLOW = path.resolve(__dirname, '../../../.github/workflows/ci.yml');

describe('.github/workflows/ci.yml', () => {
  const source = fs.readFileSync(WORKFLOW, 'utf8');

  it('is valid workflow syntax', () => {
    assert.deepEqual(validator.validateWorkflow(source).errors, []);
  });

  it('the validator catches a broken workflow (so the check above bites)', () => {
    assert.notDeepEqual(validator.validateWorkflow(source.replace('runs-on: ${{ matrix.os }}', 'runs-onn: ${{ matrix.os }}')).errors, []);
  });

  it('runs the three platforms on Node 20 and 22, the browser suites on ubuntu only', () => {
    const workflow = parse(source) as {
      jobs: Record<string, { 'runs-on': string; strategy: { matrix: Record<string, string[]> }; steps: { run?: string }[] }>;
    };
    assert.deepEqual(workflow.jobs.test.strategy.matrix, { os: ['ubuntu-latest', 'macos-latest', 'windows-latest'], node: ['20', '22'] });
    const runs = workflow.jobs.test.steps.map((step) => step.run);
    for (const command of [
      'npm ci --no-audit --no-fund',
      'npm run build',
      'npm run typecheck',
      'npm run lint',
      'node test/run-all.mjs unit',
      'node test/run-all.mjs integration,faults',
    ])
      assert.ok(runs.includes(command), command);
    assert.equal(workflow.jobs.vscode['runs-on'], 'ubuntu-latest');
    assert.ok(workflow.jobs.vscode.steps.some((step) => step.run === 'node test/run-all.mjs vscode,e2e'));
  });
});
