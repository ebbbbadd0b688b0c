// ESLint for the repository: the recommended sets, plus the layer rules that keep src/ in its shape.
// Type-aware rules (recommendedTypeChecked) are left out: on the 2-core machine they took 32 s instead
// of 10 s and raised ~200 findings, most of them `any` from JSON and child-process messages.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import { readdirSync } from 'node:fs';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * Each folder of src/ and the folders of src/ it may import besides itself. Only src/extension may
 * import `vscode`, and no layer lists extension, so nothing else imports it. Tests may import anything.
 */
const LAYERS = {
  shared: [],
  types: [], // ambient declarations only
  daemon: ['shared'],
  primary: ['shared'],
  container: ['shared'],
  runtime: ['shared'],
  serve: ['shared'],
  client: ['shared'],
  cli: ['client', 'shared'],
  api: ['client', 'shared'],
  extension: ['client', 'shared'],
};

/**
 * Imports that break the layers today and are allowed one by one until they move (issue 17). A new
 * import from the same folders still fails.
 */
const KNOWN_EXCEPTIONS = {
  // The daemon in the foreground, started with the CLI's start options.
  runtime: ['client/argv', 'client/start-request', 'daemon/daemon'],
};

// Import paths are matched as written, so each depth below src/<layer>/ gets its own pattern: from
// src/<layer>/a/b.ts, `../../` is src/, and whatever follows it must be an allowed layer.
const MAX_DEPTH = 4;

// A new folder in src/ has to say where it sits, and no file may sit deeper than the patterns reach.
const src = new URL('./src', import.meta.url);
const undeclared = readdirSync(src, { withFileTypes: true }).filter((entry) => entry.isDirectory() && !(entry.name in LAYERS));
if (undeclared.length > 0) throw new Error(`eslint.config.mjs: declare src/${undeclared[0].name} in LAYERS`);
const tooDeep = readdirSync(src, { recursive: true }).find((file) => file.split(/[\\/]/).length > MAX_DEPTH + 1);
if (tooDeep) throw new Error(`eslint.config.mjs: raise MAX_DEPTH for src/${tooDeep}`);

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function layerRules(layer, allowed) {
  const permitted = [...[layer, ...allowed].map((name) => `${escape(name)}/`), ...(KNOWN_EXCEPTIONS[layer] ?? []).map((name) => `${escape(name)}$`)];
  const message = `src/${layer} may import only ${allowed.length > 0 ? allowed.map((name) => `src/${name}`).join(', ') : 'itself'} (layers in eslint.config.mjs).`;
  return Array.from({ length: MAX_DEPTH }, (_, index) => ({
    files: [`src/${layer}/${'*/'.repeat(index)}*.ts`],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: `^(\\./)?(\\.\\./){${index + 1}}(?!${permitted.join('|')})`, caseSensitive: true, message },
            ...(layer === 'extension' ? [] : [{ regex: '^vscode(/|$)', caseSensitive: true, message: 'only src/extension may import vscode.' }]),
          ],
        },
      ],
    },
  }));
}

export default defineConfig(
  { ignores: ['dist/', 'out/', '.vscode-test/', 'test-results/', 'bench/.work/'] },
  { linterOptions: { reportUnusedDisableDirectives: 'error', reportUnusedInlineConfigs: 'error' } },
  js.configs.recommended,
  { languageOptions: { globals: globals.node } },
  { files: ['**/*.js'], languageOptions: { sourceType: 'commonjs' } },
  {
    files: ['**/*.ts', '**/*.mts'],
    extends: [tseslint.configs.recommended],
    rules: {
      // tsc checks this (noUnusedLocals, noUnusedParameters) and it is 40% of lint time.
      '@typescript-eslint/no-unused-vars': 'off',
    },
  },
  // Tests assert on what reaches a terminal: control characters in their patterns are the point.
  { files: ['test/**'], rules: { 'no-control-regex': 'off' } },
  Object.entries(LAYERS).flatMap(([layer, allowed]) => layerRules(layer, allowed)),
);
