/** The environment one instance of an app runs with (or will run with, for `corral env`). */
import { isNodeInterpreter, type AppConfig } from '../shared/config';
import { parseEnvFile, readEnvFile } from './env-files';

type EnvOptions = Pick<AppConfig, 'name' | 'instance_var' | 'interpreter' | 'increment_var'>;

/** An app's variables before Corral's own, and where each came from ('inherited', `env_file <path>`, 'env', 'env_<name>', 'port'). */
export interface LayeredEnv {
  env: Record<string, string>;
  sources: Record<string, string>;
}

type LayerOptions = Pick<AppConfig, 'name' | 'env' | 'env_sources' | 'env_file'>;

/**
 * The order: inherited env < env files (in order, a later one wins) < `env` < `env_<name>`
 * (normalizeApp already put `env_<name>` over `env`). `files`: each file's text, null for an optional
 * one that is missing. Pure apart from the parser.
 */
export function layerEnvironment(app: LayerOptions, files: Array<{ path: string; text: string | null }>): LayeredEnv {
  const env: Record<string, string> = {};
  const sources: Record<string, string> = {};
  const own: string[] = [];
  for (const [key, value] of Object.entries(app.env)) {
    // A variable with no recorded source (a dump from before env_sources) is the app's own.
    if ((app.env_sources[key] ?? 'env') !== 'inherited') own.push(key);
    else {
      env[key] = value;
      sources[key] = 'inherited';
    }
  }
  for (const file of files) {
    if (file.text === null) continue;
    for (const [key, value] of Object.entries(parseEnvFile(app.name, file.path, file.text, env))) {
      env[key] = value;
      sources[key] = `env_file ${file.path}`;
    }
  }
  for (const key of own) {
    env[key] = app.env[key];
    sources[key] = app.env_sources[key] ?? 'env';
  }
  return { env, sources };
}

/** Reads the app's env files now and layers them (env-files.ts); throws naming the app and the file. */
export function loadEnvironment(app: LayerOptions): LayeredEnv {
  return layerEnvironment(
    app,
    app.env_file.map((file) => ({ path: file.path, text: readEnvFile(app.name, file) })),
  );
}

export function processEnvironment(app: EnvOptions, layered: LayeredEnv, id: number, instance: number, home: string): Record<string, string> {
  // CORRAL_HOME and pm_id also let a new daemon recognize this process if its daemon died.
  const env: Record<string, string> = { ...layered.env, name: app.name, pm_id: String(id), CORRAL_APP_NAME: app.name, CORRAL_HOME: home };
  env[app.instance_var] = String(instance);
  // A daemon running on VS Code's Electron starts Node apps with that binary: it must act as Node.
  if (process.versions.electron && isNodeInterpreter(app.interpreter)) env.ELECTRON_RUN_AS_NODE = '1';
  if (app.increment_var) {
    const base = Number(layered.env[app.increment_var] ?? 0);
    env[app.increment_var] = String((Number.isFinite(base) ? base : 0) + instance);
  }
  return env;
}
