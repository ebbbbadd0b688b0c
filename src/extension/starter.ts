/**
 * Starting apps from the editor, the way the CLI does: a script is normalized here (with the window's
 * environment as its base), an ecosystem file is loaded and validated here, and the daemon gets plain data.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { loadEcosystem } from '../client/ecosystem';
import { which } from '../client/which';
import { isNodeInterpreter, normalizeApp, type AppConfig } from '../shared/config';
import { samePath } from '../shared/platform/paths';
import { currentPlatform } from '../shared/platform/platform';
import type { ProcessInfo } from '../shared/protocol';
import type { DaemonConnection } from './connection';

/** Starts can wait for a cluster to come up or an ecosystem's apps to launch. */
const START_TIMEOUT_MS = 120_000;

export interface ScriptOptions {
  name?: string;
  /** A count, "max" or a negative number; more than one (or "max") on a Node script means cluster mode. */
  instances?: string;
  watch?: boolean;
  /** Force cluster mode even for one instance. */
  cluster?: boolean;
}

/**
 * The environment apps start with: the window's, without VS Code's own hooks. ELECTRON_RUN_AS_NODE is
 * not part of it: a daemon running on VS Code's Electron adds it to each Node launch itself
 * (daemon/process-env.ts, cluster-primary.ts), and in the app's config it would stay (saved in the dump)
 * under a daemon on plain Node too (corral.nodePath, or started by the CLI), reaching whatever the app runs.
 */
export function appBaseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || key.startsWith('VSCODE_') || key === 'ELECTRON_RUN_AS_NODE' || key === 'ELECTRON_NO_ATTACH_CONSOLE') continue;
    env[key] = value;
  }
  return env;
}

function cpuCount(): number {
  return os.availableParallelism?.() ?? os.cpus().length;
}

/** The folder an app runs in: the nearest one with a package.json inside the workspace folder, else the workspace folder. */
export function defaultCwd(file: string): string {
  const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file))?.uri.fsPath;
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    // The folder comes from fsPath (lower-case drive on Windows), the file perhaps from the daemon.
    if ((folder !== undefined && samePath(dir, folder, currentPlatform())) || path.dirname(dir) === dir) break;
  }
  return folder ?? path.dirname(file);
}

export function defaultName(file: string): string {
  return path.basename(file, path.extname(file));
}

export function scriptApp(file: string, options: ScriptOptions): { app: AppConfig; warnings: string[] } {
  const cwd = defaultCwd(file);
  const raw: Record<string, unknown> = { script: file, cwd };
  if (options.name) raw.name = options.name;
  if (options.instances) raw.instances = options.instances;
  if (options.watch) raw.watch = true;
  const { app, warnings } = normalizeApp(raw, {
    source: '',
    baseDir: cwd,
    baseEnv: appBaseEnv(),
    cpuCount: cpuCount(),
    fileExists: (candidate) => fs.existsSync(candidate) && fs.statSync(candidate).isFile(),
    which: (command) => which(command),
  });
  // As in the CLI: instances on a Node script mean cluster mode.
  const wantsCluster = options.cluster || (options.instances !== undefined && options.instances !== '1');
  return { app: wantsCluster && isNodeInterpreter(app.interpreter) ? { ...app, exec_mode: 'cluster' } : app, warnings };
}

export class Starter {
  constructor(private readonly connection: DaemonConnection) {}

  async startScript(file: string, options: ScriptOptions): Promise<ProcessInfo[]> {
    const { app, warnings } = scriptApp(file, options);
    showWarnings(warnings);
    return this.connection.call('start', { apps: [app] }, START_TIMEOUT_MS);
  }

  /** Every app of the file (or the named ones); apps already known take the file's config, as in the CLI. */
  async startEcosystem(file: string, only?: string[]): Promise<ProcessInfo[]> {
    const { apps, warnings } = await loadEcosystem(file, { only, baseEnv: appBaseEnv() });
    showWarnings(warnings);
    return this.connection.call('start', { apps, replace: true }, START_TIMEOUT_MS);
  }
}

function showWarnings(warnings: string[]): void {
  if (warnings.length > 0) void vscode.window.showWarningMessage(`Corral: ${warnings.join('; ')}`);
}

/** The processes of a start result that did not come up, as one message. */
export function failedStarts(processes: ProcessInfo[]): string | undefined {
  const failed = processes.filter((process) => process.status === 'errored');
  if (failed.length === 0) return undefined;
  return failed.map((process) => `${process.name} (id ${process.id}) failed to start: ${process.last_reason_detail ?? 'unknown reason'}`).join('; ');
}
