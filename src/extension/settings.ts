/**
 * The `corral.*` settings, read fresh every time (so a change takes effect without a reload), with one
 * typed accessor per setting and the defaults declared in package.json repeated as fallbacks.
 */
import * as os from 'node:os';
import * as vscode from 'vscode';
import { resolveHome } from '../shared/paths';
import { hasPathSeparator } from '../shared/platform/commands';
import { expandHomePath } from '../shared/platform/paths';
import { currentPlatform } from '../shared/platform/platform';
import type { RestartOnSave } from './save-targets';

export type { RestartOnSave };

export type CrashNotifications = 'errored' | 'crashes' | 'off';

function section(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration('corral');
}

export const settings = {
  /** The daemon's home: the setting (with ~ expanded, `~\` too on Windows), else CORRAL_HOME, else ~/.corral. */
  home(): string {
    const value = section().get<string>('home', '').trim();
    if (!value) return resolveHome();
    return expandHomePath(value, os.homedir(), process.cwd(), currentPlatform());
  },
  /** A path (with ~ expanded) or a command on PATH; the client checks it before spawning the daemon with it. */
  nodePath(): string | undefined {
    const value = section().get<string>('nodePath', '').trim();
    if (!value) return undefined;
    const platform = currentPlatform();
    return hasPathSeparator(value, platform) ? expandHomePath(value, os.homedir(), process.cwd(), platform) : value;
  },
  backfillLines(): number {
    const lines = section().get<number>('logs.backfillLines', 200);
    return Number.isInteger(lines) && lines >= 0 ? Math.min(lines, 10_000) : 200;
  },
  clusterInstances(): string {
    const value = section().get<string | number>('cluster.instances', 'max');
    return String(value).trim() || 'max';
  },
  codeLensEnabled(): boolean {
    return section().get<boolean>('codeLens.enabled', true);
  },
  restartOnSave(): RestartOnSave {
    const value = section().get<string>('restartOnSave', 'watched');
    return value === 'always' || value === 'off' ? value : 'watched';
  },
  statusBarEnabled(): boolean {
    return section().get<boolean>('statusBar.enabled', true);
  },
  problemsEnabled(): boolean {
    return section().get<boolean>('problems.enabled', true);
  },
  notifications(): CrashNotifications {
    const value = section().get<string>('notifications', 'errored');
    return value === 'crashes' || value === 'off' ? value : 'errored';
  },
};

/** Fires when one of the named `corral.*` settings changes. */
export function onDidChangeSetting(names: string[], listener: () => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((event) => {
    if (names.some((name) => event.affectsConfiguration(`corral.${name}`))) listener();
  });
}
