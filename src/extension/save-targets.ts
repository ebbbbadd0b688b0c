/**
 * Which apps a saved file concerns, as a pure function of the file, the process list and the platform
 * (no `vscode` import, so it is unit-tested in plain Node with every platform's rules).
 */
import { isInside, segmentsBelow } from '../shared/platform/paths';
import type { Platform } from '../shared/platform/platform';
import type { ProcessInfo } from '../shared/protocol';

export type RestartOnSave = 'watched' | 'always' | 'off';

/** Folders a save never restarts anything for (the daemon applies each app's ignore_watch on top). */
function alwaysIgnored(file: string, cwd: string, platform: Platform): boolean {
  const segments = segmentsBelow(file, cwd, platform) ?? [];
  return segments.some((segment) => segment === 'node_modules' || segment.startsWith('.'));
}

export function watchedRoots(process: ProcessInfo): string[] {
  return process.watch === true ? [process.cwd] : process.watch === false ? [] : process.watch;
}

/**
 * Apps (by name) for the daemon's watch path, and apps without watch that "always" restarts. Paths are
 * compared the platform's way: on Windows the editor's `c:\app` is the daemon's `C:\app`.
 */
export function appsForSave(
  file: string,
  processes: ProcessInfo[],
  mode: RestartOnSave,
  logsDir: string,
  platform: Platform,
): { watched: boolean; restart: string[] } {
  const inside = (root: string): boolean => isInside(file, root, platform);
  if (mode === 'off' || inside(logsDir)) return { watched: false, restart: [] };
  let watched = false;
  const restart = new Set<string>();
  for (const process of processes) {
    if (process.status === 'stopped' || process.status === 'stopping') continue;
    if (watchedRoots(process).some(inside)) watched = true;
    else if (mode === 'always' && process.watch === false && inside(process.cwd) && !alwaysIgnored(file, process.cwd, platform)) restart.add(process.name);
  }
  return { watched, restart: [...restart] };
}
