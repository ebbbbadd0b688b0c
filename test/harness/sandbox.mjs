// One private folder per run for everything VS Code, code-server, Chromium and a Corral daemon would
// otherwise write to the home folder or /tmp. remove() deletes it; nothing else is left behind.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { stopCorralProcesses } from './corral-home.mjs';
import { reapTagged, SESSION_TAG } from './processes.mjs';

/**
 * A sandbox for one harness run. When the run ends: the Corral daemon and apps started from its
 * CORRAL_HOME are stopped, then any process still carrying the run's tag, then the folder is removed.
 */
export function openSandbox({ log, defer }) {
  const sandbox = createSandbox();
  defer('sandbox folder', () => sandbox.remove());
  defer('leftover processes', async () => {
    const reaped = await reapTagged(sandbox.tag);
    if (reaped.length > 0) log(`stopped leftover processes ${reaped.join(', ')}`);
  });
  defer('corral daemon', () => stopCorralProcesses(sandbox.corralHome, sandbox.tag));
  return sandbox;
}

export function createSandbox() {
  const root = mkdtempSync(path.join(os.tmpdir(), 'corral-vscode-'));
  const dirs = {
    root,
    home: path.join(root, 'home'),
    tmp: path.join(root, 'tmp'),
    xdgConfig: path.join(root, 'xdg', 'config'),
    xdgData: path.join(root, 'xdg', 'data'),
    xdgCache: path.join(root, 'xdg', 'cache'),
    xdgState: path.join(root, 'xdg', 'state'),
    userData: path.join(root, 'user-data'),
    extensions: path.join(root, 'extensions'),
    corralHome: path.join(root, 'corral-home'),
    workspace: path.join(root, 'workspace'),
  };
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
  const tag = path.basename(root);

  return {
    ...dirs,
    tag,
    /** The environment for every process of the run: private home, XDG and temp folders, the run's tag. */
    env(extra = {}) {
      const inherited = Object.fromEntries(
        // A harness started from a VS Code terminal must not hand that window's IPC hooks to the one under test.
        Object.entries(process.env).filter(([key]) => !key.startsWith('VSCODE_') && key !== 'ELECTRON_RUN_AS_NODE'),
      );
      return {
        ...inherited,
        HOME: dirs.home,
        XDG_CONFIG_HOME: dirs.xdgConfig,
        XDG_DATA_HOME: dirs.xdgData,
        XDG_CACHE_HOME: dirs.xdgCache,
        XDG_STATE_HOME: dirs.xdgState,
        TMPDIR: dirs.tmp,
        CORRAL_HOME: dirs.corralHome,
        [SESSION_TAG]: tag,
        ...extra,
      };
    },
    remove() {
      rmSync(root, { recursive: true, force: true, maxRetries: 3 });
    },
  };
}
