/**
 * The layers are held by tools: eslint.config.mjs refuses imports across them and `vscode` outside
 * src/extension, and tsconfig.node.json gives code outside the extension no `vscode` module. Snippets
 * are linted and compiled under the paths of real files, so a rule that stops matching fails here.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ESLint } from 'eslint';
import * as ts from 'typescript';

/** The repository root, found from the bundled test's location (dist/test/unit/x.test.js). */
const ROOT = (() => {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
})();
const RULE = '@typescript-eslint/no-restricted-imports';

const sources = (dir: string): string[] =>
  fs
    .readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => path.join(dir, file));

/** `target` (a path from the root) as an import written in `file`. */
function importPath(file: string, target: string): string {
  const relative = path.relative(path.dirname(file), target);
  return relative.startsWith('.') ? relative : `./${relative}`;
}

describe('layers', function () {
  this.timeout(60_000);
  let eslint: ESLint;
  before(() => {
    eslint = new ESLint({ cwd: ROOT, cache: false });
  });

  /** The lines of `lines` that the import rule refuses, linted as if they were `file`. */
  async function refusedLines(file: string, lines: string[]): Promise<string[]> {
    const [result] = await eslint.lintText(`${lines.join('\n')}\n`, { filePath: path.join(ROOT, file) });
    const fatal = result.messages.find((message) => message.fatal);
    assert.equal(fatal, undefined, `${file}: ${fatal?.message}`);
    return result.messages.filter((message) => message.ruleId === RULE).map((message) => lines[message.line - 1]);
  }

  describe('lint', () => {
    it('refuses vscode and src/extension in every file outside src/extension', async () => {
      const files = sources('src').filter((file) => !file.startsWith(path.join('src', 'extension')));
      assert.ok(
        files.some((file) => file.startsWith(path.join('src', 'daemon', 'platform'))),
        'a nested folder is among them',
      );
      for (const file of files) {
        const lines = [
          "import * as vscode from 'vscode';",
          "import type { Uri } from 'vscode';",
          `import { settings } from '${importPath(file, 'src/extension/settings')}';`,
          `export * from '${importPath(file, 'src/extension/tree-model')}';`,
        ];
        assert.deepEqual(await refusedLines(file, lines), lines, file);
      }
    });

    it('lets src/shared import nothing of ours outside it', async () => {
      const others = fs.readdirSync(path.join(ROOT, 'src')).filter((name) => name !== 'shared');
      for (const file of sources('src/shared')) {
        // As written from the file's own folder: src/shared has folders of its own (config/).
        const lines = [
          ...others.map((name) => `import '${importPath(file, `src/${name}/x`)}';`),
          `import pkg from '${importPath(file, 'package.json')}';`,
          `import '${importPath(file, 'test/support/harness')}';`,
        ];
        assert.deepEqual(await refusedLines(file, lines), lines, file);
        assert.deepEqual(await refusedLines(file, ["import { CorralError } from './errors';"]), [], file);
      }
    });

    it('lets each layer import only the layers below it', async () => {
      const cases: Array<[file: string, refused: string[], allowed: string[]]> = [
        ['src/client/probe.ts', ['../daemon/supervisor', '../cli/main', '../api/index'], ['../shared/protocol', './ecosystem']],
        ['src/daemon/probe.ts', ['../client/client', '../cli/format', '../runtime/main'], ['../shared/config', './supervisor', './platform/processes']],
        [
          'src/daemon/platform/probe.ts',
          ['../../client/client', '../../serve/main'],
          ['../supervisor', '../../daemon/supervisor', '../../shared/paths', './processes'],
        ],
        ['src/primary/probe.ts', ['../daemon/daemon', '../client/client'], ['../shared/container-protocol']],
        ['src/container/probe.ts', ['../daemon/daemon', '../primary/main'], ['../shared/container-protocol']],
        ['src/serve/probe.ts', ['../daemon/daemon', '../client/client'], ['../shared/paths']],
        ['src/cli/probe.ts', ['../daemon/daemon', '../runtime/main'], ['../client/client', '../shared/protocol', './format']],
        ['src/api/probe.ts', ['../daemon/daemon', '../cli/main'], ['../client/client', '../shared/protocol']],
        ['src/extension/probe.ts', ['../daemon/supervisor', '../cli/main', '../api/index'], ['vscode', '../client/client', '../shared/protocol', './settings']],
        // runtime's known exceptions (eslint.config.mjs) are exactly these modules, nothing next to them.
        [
          'src/runtime/probe.ts',
          ['../client/ecosystem', '../daemon/supervisor', '../daemon/daemon-extra'],
          ['../client/argv', '../client/start-request', '../daemon/daemon', '../shared/paths'],
        ],
      ];
      for (const [file, refused, allowed] of cases) {
        const lines = [...refused, ...allowed].map((target) => `import '${target}';`);
        assert.deepEqual(await refusedLines(file, lines), lines.slice(0, refused.length), file);
      }
    });

    it('lets tests import anything', async () => {
      const lines = [
        "import * as vscode from 'vscode';",
        "import { settings } from '../../src/extension/settings';",
        "import { Supervisor } from '../../src/daemon/supervisor';",
      ];
      assert.deepEqual(await refusedLines('test/unit/probe.test.ts', lines), []);
    });
  });

  describe('typecheck', () => {
    const parse = (name: string): ts.ParsedCommandLine => {
      const parsed = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, name), undefined, {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: (diagnostic) => assert.fail(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')),
      });
      assert.ok(parsed, name);
      assert.deepEqual(parsed.errors, [], name);
      return parsed;
    };

    it('fails `import * as vscode` in src/daemon under tsconfig.node.json', () => {
      const { options } = parse('tsconfig.node.json');
      const probe = path.join(ROOT, 'src', 'daemon', 'probe.ts');
      // Only the probe and what it imports: no lib, no @types, so this takes milliseconds.
      const light = { ...options, noLib: true, types: [] };
      const host = ts.createCompilerHost(light);
      const { getSourceFile, fileExists } = host;
      const text = "import * as vscode from 'vscode';\nexport const window = vscode.window;\n";
      host.fileExists = (file) => file === probe || fileExists.call(host, file);
      host.getSourceFile = (file, language, ...rest) =>
        file === probe ? ts.createSourceFile(file, text, language) : getSourceFile.call(host, file, language, ...rest);
      const program = ts.createProgram([probe], light, host);
      const codes = ts.getPreEmitDiagnostics(program, program.getSourceFile(probe)).map((diagnostic) => diagnostic.code);
      assert.ok(codes.includes(2306), `expected TS2306 (not a module), got ${codes.join(', ')}`);
    });

    it('resolves vscode to @types/vscode for the extension only', () => {
      const resolve = (config: string, from: string): string | undefined =>
        ts.resolveModuleName('vscode', path.join(ROOT, from), parse(config).options, ts.sys).resolvedModule?.resolvedFileName;
      assert.match(resolve('tsconfig.extension.json', 'src/extension/probe.ts') ?? '', /@types[\\/]vscode[\\/]index\.d\.ts$/);
      assert.doesNotMatch(resolve('tsconfig.node.json', 'src/client/probe.ts') ?? '', /@types[\\/]vscode/);
    });

    it('splits the umbrella tsconfig.json between the two programs', () => {
      const node = new Set(parse('tsconfig.node.json').fileNames);
      const extension = new Set(parse('tsconfig.extension.json').fileNames);
      const inside = (file: string, folder: string): boolean => path.relative(path.join(ROOT, folder), file).split(path.sep)[0] !== '..';
      for (const file of node) assert.ok(!inside(file, 'src/extension') && !inside(file, 'test/vscode'), `${file} is in tsconfig.node.json`);
      for (const file of parse('tsconfig.json').fileNames) assert.ok(node.has(file) || extension.has(file), `${file} is in neither program`);
    });
  });
});
