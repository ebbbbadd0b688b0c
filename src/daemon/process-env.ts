/** The environment one instance of an app runs with (or will run with, for `corral env`). */
import { isNodeInterpreter, type AppConfig } from '../shared/config';

type EnvOptions = Pick<AppConfig, 'env' | 'name' | 'instance_var' | 'interpreter' | 'increment_var'>;

export function processEnvironment(app: EnvOptions, id: number, instance: number, home: string): Record<string, string> {
  // CORRAL_HOME and pm_id also let a new daemon recognize this process if its daemon died.
  const env: Record<string, string> = { ...app.env, name: app.name, pm_id: String(id), CORRAL_APP_NAME: app.name, CORRAL_HOME: home };
  env[app.instance_var] = String(instance);
  // A daemon running on VS Code's Electron starts Node apps with that binary: it must act as Node.
  if (process.versions.electron && isNodeInterpreter(app.interpreter)) env.ELECTRON_RUN_AS_NODE = '1';
  if (app.increment_var) {
    const base = Number(app.env[app.increment_var] ?? 0);
    env[app.increment_var] = String((Number.isFinite(base) ? base : 0) + instance);
  }
  return env;
}
