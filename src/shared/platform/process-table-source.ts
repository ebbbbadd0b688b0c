/**
 * Where the process table is read from: Linux's /proc (fast, the default there), or `ps` — what macOS and
 * the BSDs have, and what CORRAL_PORTABLE=1 selects on Linux so those mechanisms run and are tested here.
 * The one place that decides it; the daemon's platform layer and the client's processAlive ask here.
 */
export type ProcessTableSource = 'proc' | 'ps';

/** `ps` flavours differ in one flag: how to show a process's environment (procps `e`, BSD `-E`). */
export type PsFlavour = 'procps' | 'bsd';

import { currentPlatform } from './platform';

export const PORTABLE_VARIABLE = 'CORRAL_PORTABLE';

export function processTableSource(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = currentPlatform()): ProcessTableSource {
  return platform === 'linux' && env[PORTABLE_VARIABLE] !== '1' ? 'proc' : 'ps';
}

export function psFlavour(platform: NodeJS.Platform = currentPlatform()): PsFlavour {
  return platform === 'linux' ? 'procps' : 'bsd';
}
