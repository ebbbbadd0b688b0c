/**
 * What `start <target>` means: an ecosystem file (every app in it), a script or a command on PATH
 * (one app from the flags), or else the name/id/namespace of apps the daemon already knows.
 * Shared by `corral start` and `corral-runtime`.
 */
import { existsSync, statSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { normalizeApp, type AppConfig } from '../shared/config';
import { CorralError, ErrorCode } from '../shared/errors';
import { splitArgs } from '../shared/units';
import type { CommandLine } from './argv';
import { isEcosystemFile, loadEcosystem } from './ecosystem';
import { appOptionsFromFlags, flagLabel } from './start-options';
import { which } from './which';
import { hasPathSeparator } from '../shared/platform/commands';
import { currentPlatform } from '../shared/platform/platform';

export type StartRequest = { kind: 'apps'; apps: AppConfig[]; warnings: string[]; fromEcosystem: boolean } | { kind: 'existing'; target: string };

export function splitList(value: unknown): string[] | undefined {
  return typeof value === 'string'
    ? value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean)
    : undefined;
}

function looksLikeFile(target: string): boolean {
  return hasPathSeparator(target, currentPlatform()) || /\.(c|m)?(js|ts)$|\.(sh|py|rb|php|pl|json|ya?ml)$/i.test(target);
}

/**
 * `isKnown` asks the daemon whether a target is one of its apps (name, id or namespace): a known app
 * wins over a command of the same name on PATH, so `stop echo; start echo` starts the app again.
 */
export async function buildStartRequest(
  target: string,
  line: Pick<CommandLine, 'values' | 'passthrough'>,
  isKnown: (target: string) => Promise<boolean> = async () => false,
): Promise<StartRequest> {
  const overrides = appOptionsFromFlags(line.values);
  const envName = typeof line.values.env === 'string' ? line.values.env : undefined;
  if (isEcosystemFile(target)) {
    const { apps, warnings } = await loadEcosystem(target, { envName, only: splitList(line.values.only), defaults: ecosystemDefaults(line.values) });
    return { kind: 'apps', apps, warnings, fromEcosystem: true };
  }
  const stat = statSync(target, { throwIfNoEntry: false });
  // PM2 runs a quoted command line: `start "npm run dev"` is npm with the arguments run dev (never through a shell).
  if (!stat && /\s/.test(target.trim())) {
    const [command, ...commandArgs] = splitArgs(target);
    if (!command) throw new CorralError(ErrorCode.BadArgument, 'start: the command is empty');
    return scriptRequest(command, [...commandArgs, ...line.passthrough], overrides, envName);
  }
  // `start sleep --name nap -- 300` asks for a new app running the command, whatever apps exist.
  const namesAnother = overrides.name !== undefined && overrides.name !== target;
  if (!stat?.isFile() && !looksLikeFile(target) && (stat || !which(target) || (!namesAnother && (await isKnown(target))))) return { kind: 'existing', target };
  return scriptRequest(target, line.passthrough, overrides, envName);
}

/**
 * What PM2 takes from the command line for the apps of an ecosystem file, where an app does not set
 * it itself: namespace, watch (as true), ignore_watch, uid and gid. Also for restart|reload <file>.
 */
export function ecosystemDefaults(values: Record<string, unknown>): Record<string, unknown> | undefined {
  const flags = appOptionsFromFlags(values);
  const defaults: Record<string, unknown> = {};
  for (const key of ['namespace', 'ignore_watch', 'uid', 'gid']) if (flags[key] !== undefined) defaults[key] = flags[key];
  if (flags.watch !== undefined && flags.watch !== false) defaults.watch = true;
  return Object.keys(defaults).length > 0 ? defaults : undefined;
}

function scriptRequest(script: string, args: string[], overrides: Record<string, unknown>, envName: string | undefined): StartRequest {
  const raw: Record<string, unknown> = { script, ...overrides };
  if (args.length > 0) raw.args = args;
  const result = normalizeApp(raw, {
    source: '',
    baseDir: process.cwd(),
    baseEnv: process.env,
    envName,
    cpuCount: availableParallelism?.() ?? cpus().length,
    fileExists: (file) => existsSync(file) && statSync(file).isFile(),
    which: (command) => which(command),
    label: flagLabel,
  });
  // PM2: -i on a Node script means cluster mode (normalizeApp's rule for `instances`).
  return { kind: 'apps', apps: [result.app], warnings: result.warnings, fromEcosystem: false };
}
