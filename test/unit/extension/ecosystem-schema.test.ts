import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { APP_OPTIONS, normalizeApp, type AppOption } from '../../../src/shared/config';

// Run from dist/test/unit/extension; the schema ships in schemas/ at the repository root.
const schemaFile = path.resolve(__dirname, '..', '..', '..', '..', 'schemas', 'ecosystem.schema.json');

const context = { source: '', baseDir: '/srv', baseEnv: {}, cpuCount: 1, fileExists: () => true };

describe('ecosystem JSON schema (jsonValidation)', () => {
  const schema = JSON.parse(readFileSync(schemaFile, 'utf8'));
  const properties: Record<string, { description?: string; default?: unknown }> = schema.definitions.app.properties;
  const options = Object.entries(APP_OPTIONS) as Array<[string, AppOption]>;

  it('describes only options the config normalizer knows', () => {
    for (const name of Object.keys(properties)) {
      const { warnings } = normalizeApp({ [name]: undefined, script: '/srv/app.js' }, context);
      assert.deepEqual(warnings, [], `${name} is in the schema but normalizeApp does not know it`);
      assert.ok(properties[name].description, `${name} has no description`);
    }
  });

  it('covers every option of the normalized config', () => {
    const { app } = normalizeApp({ script: '/srv/app.js' }, context);
    for (const option of Object.keys(app)) assert.ok(option in properties, `${option} is missing from the schema`);
  });

  it('has exactly the names of the app-option table: options, aliases and options without effect', () => {
    const names = options.flatMap(([name, option]) => [name, ...(option.aliases ?? [])]);
    assert.deepEqual(
      names.filter((name) => !(name in properties)),
      [],
      'in APP_OPTIONS (src/shared/config/app-options.ts), missing from the schema',
    );
    assert.deepEqual(
      Object.keys(properties).filter((name) => !names.includes(name)),
      [],
      'in the schema, not in APP_OPTIONS',
    );
  });

  it('describes an alias as one, with the values of the option it stands for', () => {
    const shape = ({ description: _description, default: _default, ...rest }: Record<string, unknown>): Record<string, unknown> => rest;
    for (const [name, option] of options) {
      for (const alias of option.aliases ?? []) {
        assert.ok(properties[alias].description?.startsWith(`Alias of \`${name}\`.`), `${alias}: the description should start "Alias of \`${name}\`."`);
        assert.deepEqual(shape(properties[alias]), shape(properties[name]), `${alias} takes other values than ${name}`);
      }
    }
  });

  it('says of every option without effect that it has none', () => {
    for (const [name, option] of options) {
      if (option.noEffect !== undefined) assert.match(properties[name].description ?? '', /no effect/, name);
      else assert.doesNotMatch(properties[name].description ?? '', /accepted, no effect/i, `${name} has an effect`);
    }
  });

  it('gives the defaults the normalizer applies', () => {
    const { app: plain } = normalizeApp({ script: '/srv/app.js' }, context);
    for (const [name, property] of Object.entries(properties)) {
      if (!('default' in property)) continue;
      const { app } = normalizeApp({ script: '/srv/app.js', [name]: property.default }, context);
      // An option of its own compares alone (instances: 1 also turns on cluster mode, as PM2 does); others by their effect.
      if (name in plain) assert.deepEqual(app[name as keyof typeof app], plain[name as keyof typeof plain], name);
      else assert.deepEqual(app, plain, name);
    }
  });
});
