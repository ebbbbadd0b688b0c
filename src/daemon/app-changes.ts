/**
 * What a restart or reload changes in the apps it names before it runs, as PM2 does: the app options
 * given on the command line (`restart api --max-memory-restart 300M -- new args`), the caller's env
 * (`--update-env`), and `restart --watch`, which turns watching on where it was off and off where it
 * was on. Options are checked for every app first, so a bad one changes nothing.
 */
import { inheritsVariable, revalidateApp, type AppConfig } from '../shared/config';
import { CorralError, ErrorCode } from '../shared/errors';
import type { ManagedProcess } from './managed-process';

export interface AppChange {
  options?: Record<string, unknown>;
  updateEnv?: Record<string, string>;
  toggleWatch?: boolean;
}

export interface AppChangeContext {
  /** Every instance of an app, by name (a change reaches all of them, not only the ones named). */
  instancesOf(name: string): ManagedProcess[];
  /** The app's watch and cron triggers follow its new config. */
  syncTriggers(app: AppConfig): Promise<void>;
}

/** Options that identify an app or its shape: a restart cannot change them. */
const FIXED = ['name', 'script', 'instances', 'exec_mode', 'env', 'env_sources'];

export async function applyChange(processes: ManagedProcess[], change: AppChange, ctx: AppChangeContext): Promise<void> {
  const names = [...new Set(processes.map((process) => process.app.name))];
  if (change.options) {
    const fixed = FIXED.find((key) => key in (change.options as object));
    if (fixed)
      throw new CorralError(ErrorCode.BadArgument, `options.${fixed}: cannot change on a restart (scale changes instances; start the app again for the rest)`);
    const updated = names.map((name, index) => {
      const instances = ctx.instancesOf(name);
      return { instances, app: revalidateApp({ ...instances[0].app, ...change.options }, index) };
    });
    for (const { instances, app } of updated) {
      await Promise.all(instances.map((process) => process.reconfigure({ ...app, instances: instances.length })));
      await ctx.syncTriggers(app);
    }
  }
  if (change.updateEnv) {
    const callerEnv = change.updateEnv;
    await Promise.all(processes.map((process) => process.update((app) => withCallerEnv(app, callerEnv))));
  }
  if (change.toggleWatch) {
    for (const name of names) {
      const instances = ctx.instancesOf(name);
      const watch = instances[0].app.watch === false;
      await Promise.all(instances.map((process) => process.update((app) => ({ ...app, watch }))));
      await ctx.syncTriggers(instances[0].app);
    }
  }
}

/**
 * `--update-env`: the caller's env (less what filter_env keeps out) replaces the inherited one, so a
 * variable the caller no longer has is gone (PM2 #3486 kept it); the app's own variables (`env`,
 * `env_<name>`, `port`) stay and still win. Pure.
 */
export function withCallerEnv(app: AppConfig, callerEnv: Record<string, string>): AppConfig {
  const env: Record<string, string> = {};
  const env_sources: Record<string, string> = {};
  for (const [key, value] of Object.entries(callerEnv)) {
    if (!inheritsVariable(app.filter_env, key)) continue;
    env[key] = value;
    env_sources[key] = 'inherited';
  }
  for (const [key, value] of Object.entries(app.env)) {
    const source = app.env_sources[key] ?? 'env';
    if (source === 'inherited') continue;
    env[key] = value;
    env_sources[key] = source;
  }
  return { ...app, env, env_sources };
}
