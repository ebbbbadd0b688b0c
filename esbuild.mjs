// Bundles the programs (and the tests) with esbuild; types are checked by `tsc --noEmit`.
import * as esbuild from 'esbuild';
import { chmodSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  define: { __CORRAL_VERSION__: JSON.stringify(pkg.version) },
};

// Every *.test.ts under the given folders (fs.globSync needs Node 22).
function testFiles(...dirs) {
  return dirs.flatMap((dir) => {
    try {
      return readdirSync(dir, { recursive: true })
        .filter((file) => file.endsWith('.test.ts'))
        .map((file) => path.join(dir, file));
    } catch {
      return [];
    }
  });
}

// Start-up time of the CLI is mostly parsing its bundle. The YAML parser (2/3 of the bundle) and croner
// are needed by few commands, so they live in dist/vendor/ and are read only when a command needs them.
// dotenv and dotenv-expand too: only the daemon reads env files, and only for apps that have them.
// pm2-axon's `debug` calls become no-ops: nothing enables them, yet loading `debug` probes the terminal.
const require = createRequire(import.meta.url);
const VENDORED = ['yaml', 'croner', 'json5', 'dotenv', 'dotenv-expand'];
const slimmer = {
  name: 'corral-slim',
  setup(build) {
    build.onResolve({ filter: new RegExp(`^(${VENDORED.join('|')})$`) }, (args) => ({ path: `./vendor/${args.path}.js`, external: true }));
    // `corral mcp` alone needs the MCP SDK: its server is a bundle of its own, required when the command runs.
    build.onResolve({ filter: /^\.\.\/mcp-server$/ }, (args) =>
      path.basename(args.importer) === 'mcp.ts' ? { path: './mcp-server.js', external: true } : undefined,
    );
    // amp (pm2-axon's framing) still calls the deprecated Buffer(): every call walks Node's deprecation check, whose
    // first run captures a stack (~2 ms of each CLI call). Same bytes with Buffer.alloc/from; an argument of another
    // shape (a new amp release) fails the build instead of guessing.
    build.onLoad({ filter: /[\\/]node_modules[\\/]amp(-message)?[\\/].*\.js$/ }, (args) => ({
      contents: readFileSync(args.path, 'utf8').replace(/new Buffer\(([^)]*)\)/g, (call, argument) => {
        if (/^(\d+|len)$/.test(argument)) return `Buffer.alloc(${argument})`;
        if (/^['[]/.test(argument)) return `Buffer.from(${argument})`;
        throw new Error(`esbuild.mjs: ${args.path}: unexpected ${call}`);
      }),
      loader: 'js',
    }));
    build.onResolve({ filter: /^debug$/ }, () => ({ path: 'debug', namespace: 'corral-stub' }));
    build.onLoad({ filter: /.*/, namespace: 'corral-stub' }, () => ({
      contents: 'const off = () => {}; off.enabled = false; module.exports = () => off;',
      loader: 'js',
    }));
  },
};

const vendor = {
  ...common,
  entryPoints: Object.fromEntries(VENDORED.map((name) => [`vendor/${name}`, require.resolve(name)])),
  outdir: 'dist',
  sourcemap: false,
};

const programs = {
  ...common,
  plugins: [slimmer],
  entryPoints: {
    cli: 'src/cli/main.ts',
    daemon: 'src/daemon/main.ts',
    container: 'src/container/main.ts',
    primary: 'src/primary/main.ts',
    extension: 'src/extension/extension.ts',
    runtime: 'src/runtime/main.ts',
    serve: 'src/serve/main.ts',
    api: 'src/api/index.ts',
    'mcp-server': 'src/cli/mcp-server.ts',
  },
  outdir: 'dist',
  external: ['vscode'],
};

// Tests are bundled too (node_modules stay external), so mocha runs plain JS.
const tests = {
  ...common,
  entryPoints: testFiles('test/unit', 'test/integration', 'test/faults', 'test/soak'),
  outbase: 'test',
  outdir: 'dist/test',
  packages: 'external',
  sourcemap: true,
};

// Suites that run against a real VS Code: test/vscode inside the extension host (index.ts is the
// extensionTestsPath entry that exports run()), test/e2e in Node driving the workbench in Chromium.
// `vscode` is provided by the extension host; mocha and playwright-core resolve from node_modules.
const workbenchTests = {
  ...common,
  entryPoints: ['test/vscode/index.ts', ...testFiles('test/vscode', 'test/e2e')],
  outbase: 'test',
  outdir: 'dist/test',
  packages: 'external',
  external: ['vscode'],
  sourcemap: true,
};

if (watch) {
  const contexts = await Promise.all([esbuild.context(programs), esbuild.context(vendor), esbuild.context(tests), esbuild.context(workbenchTests)]);
  await Promise.all(contexts.map((context) => context.watch()));
} else {
  // Bundled tests of deleted sources must not keep running: start dist/test afresh.
  rmSync('dist/test', { recursive: true, force: true });
  await Promise.all([esbuild.build(programs), esbuild.build(vendor), esbuild.build(tests), esbuild.build(workbenchTests)]);
  // The CLI is an npm bin: it needs its shebang and the executable bit.
  const cli = readFileSync('dist/cli.js', 'utf8');
  if (!cli.startsWith('#!')) writeFileSync('dist/cli.js', `#!/usr/bin/env node\n${cli}`);
  chmodSync('dist/cli.js', 0o755);
}
