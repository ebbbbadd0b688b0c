/**
 * Where the process table is read from: Linux's /proc (fast, the default there), or `ps` — what macOS and
 * the BSDs have, and what CORRAL_PORTABLE=1 selects on Linux so those mechanisms run and are tested here.
 * On Windows, nowhere ('none'): there is no `ps`, and another process's environment (where the launch
 * markers are) cannot be read, so nothing can be proven ours from a table; what needs one (the orphan
 * sweep, monitor_tree, the marker search) is skipped there, and stops go by taskkill from our own child.
 * The one place that decides it; the daemon's platform layer and the client's processAlive ask here.
 */
export type ProcessTableSource = 'proc' | 'ps' | 'none';

/** `ps` flavours differ in one flag: how to show a process's environment (procps `e`, BSD `-E`). */
export type PsFlavour = 'procps' | 'bsd';

import { currentPlatform, isWindows } from './platform';

export const PORTABLE_VARIABLE = 'CORRAL_PORTABLE';

export function processTableSource(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = currentPlatform()): ProcessTableSource {
  if (isWindows(platform)) return 'none';
  return platform === 'linux' && env[PORTABLE_VARIABLE] !== '1' ? 'proc' : 'ps';
}

/** Why there is no process table on `platform` (for the daemon's log), or null when there is one. */
export function processTableUnavailable(platform: NodeJS.Platform = currentPlatform()): string | null {
  return isWindows(platform) ? 'Windows has no ps and does not let a process read the environment of another (where the launch markers are)' : null;
}

export function psFlavour(platform: NodeJS.Platform = currentPlatform()): PsFlavour {
  return platform === 'linux' ? 'procps' : 'bsd';
}
