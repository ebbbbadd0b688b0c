import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { normalizeApp } from '../../../src/shared/config';

// Run from dist/test/unit/extension; the schema ships in schemas/ at the repository root.
const schemaFile = path.resolve(__dirname, '..', '..', '..', '..', 'schemas', 'ecosystem.schema.json');

describe('ecosystem JSON schema (jsonValidation)', () => {
  const schema = JSON.parse(readFileSync(schemaFile, 'utf8'));
  const properties: Record<string, { description?: string }> = schema.definitions.app.properties;

  it('describes only options the config normalizer knows', () => {
    for (const name of Object.keys(properties)) {
      const { warnings } = normalizeApp({ [name]: undefined, script: '/srv/app.js' }, { source: '', baseDir: '/srv', baseEnv: {}, cpuCount: 1, fileExists: () => true });
      assert.deepEqual(warnings, [], `${name} is in the schema but normalizeApp does not know it`);
      assert.ok(properties[name].description, `${name} has no description`);
    }
  });

  it('covers every option of the normalized config', () => {
    const { app } = normalizeApp({ script: '/srv/app.js' }, { source: '', baseDir: '/srv', baseEnv: {}, cpuCount: 1, fileExists: () => true });
    for (const option of Object.keys(app)) assert.ok(option in properties, `${option} is missing from the schema`);
  });
});
