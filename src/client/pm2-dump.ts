/**
 * A PM2 dump (`~/.pm2/dump.pm2`, what `pm2 save` writes) as Corral ecosystem apps. The dump has one
 * entry per process, not per app: PM2's own fields (`pm_exec_path`, `pm_cwd`, `exec_mode:
 * 'cluster_mode'`, log paths per instance), its bookkeeping (`pm_id`, `status`, `restart_time`...), the
 * caller's whole environment at start in `env`, and that environment again spread over the entry's
 * top level. Entries of one app (same name and namespace) become one app with `instances`.
 *
 * What cannot be carried over is said, field by field, never dropped silently. Environment values are
 * kept only where they differ from the importing shell's (the rest is inherited anyway), without
 * PM2's own variables; they are secrets like any env value, so `notes` name keys, never values.
 */
import { join, sep } from 'node:path';
import { ALIASES, KNOWN } from '../shared/config';
import { CorralError, ErrorCode } from '../shared/errors';

export interface Pm2Import {
  apps: Array<Record<string, unknown>>;
  /** One line per thing that did not come over as it was (app name first). */
  notes: string[];
}

/** PM2's bookkeeping: says how a process ran, not how to run it. */
const BOOKKEEPING = new Set([
  'pm_id',
  'pm_uptime',
  'created_at',
  'restart_time',
  'unstable_restarts',
  'prev_restart_delay',
  '_pm2_version',
  'version',
  'node_version',
  'unique_id',
  'status',
  'exit_code',
  'km_link',
  'vizion_running',
  'vizion',
  'pm_pid_path',
  'pmx',
  'automation',
  'treekill',
  'username',
  'windowsHide',
  'kill_retry_time',
  'axm_options',
  'axm_actions',
  'axm_monitor',
  'axm_dynamic',
  'versioning',
  'filter_env',
  'pm2_env',
  'env',
]);

/** The dump's names for options an ecosystem file spells another way. */
const RENAMED: Record<string, string> = { pm_exec_path: 'script', pm_cwd: 'cwd', exec_interpreter: 'interpreter' };

/** Variables PM2 puts in every process's environment (and one named after the app, its settings as JSON): PM2's, not the app's. */
function isPm2Variable(key: string, instanceVar: string, name: string): boolean {
  return (
    key.startsWith('PM2_') || key === instanceVar || key === name || key === 'pm_id' || key === 'unique_id' || key === '_' || key === 'PWD' || key === 'OLDPWD'
  );
}

/** Corral's defaults, said again by every PM2 entry: left out of the file. */
const DEFAULT_VALUES: Record<string, unknown> = { autostart: true, autorestart: true, watch: false };
/** The keys a reader looks for first, in this order; the rest follow as the dump has them. */
const FIRST_KEYS = ['name', 'namespace', 'script', 'cwd', 'args', 'interpreter', 'node_args', 'exec_mode', 'instances'];

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The file name PM2 gave an instance's log (`web-out-3.log` for pm_id 3), back to the app's (`web-out.log`). */
function appLogPath(file: string, pmId: unknown): string {
  return typeof pmId === 'number' ? file.replace(new RegExp(`-${pmId}(\\.[^./\\\\]*)?$`), '$1') : file;
}

/**
 * `dumpDir`: the folder of the dump, PM2's home: log paths under its `logs/` are PM2's defaults and
 * give way to Corral's. `currentEnv`: the importing shell's environment.
 */
export function appsFromPm2Dump(content: unknown, shown: string, dumpDir: string, currentEnv: NodeJS.ProcessEnv): Pm2Import {
  if (!Array.isArray(content)) throw new CorralError(ErrorCode.BadConfig, `${shown}: not a PM2 dump (expected a JSON array of processes)`);
  const groups = new Map<string, Array<Record<string, unknown>>>();
  content.forEach((entry, index) => {
    if (!isObject(entry) || typeof entry.name !== 'string' || typeof entry.pm_exec_path !== 'string') {
      throw new CorralError(ErrorCode.BadConfig, `${shown}: [${index}]: not a PM2 process (needs a name and a pm_exec_path)`);
    }
    const key = `${String(entry.namespace ?? 'default')}\u0000${entry.name}`;
    groups.set(key, [...(groups.get(key) ?? []), entry]);
  });
  const notes: string[] = [];
  const apps = [...groups.values()].map((entries) => convertApp(entries, dumpDir, currentEnv, notes));
  return { apps, notes };
}

function convertApp(entries: Array<Record<string, unknown>>, dumpDir: string, currentEnv: NodeJS.ProcessEnv, notes: string[]): Record<string, unknown> {
  const [first] = entries;
  const name = first.name as string;
  const note = (text: string): void => void notes.push(`${name}: ${text}`);
  const app: Record<string, unknown> = { name };
  const instanceVar = typeof first.instance_var === 'string' ? first.instance_var : 'NODE_APP_INSTANCE';
  const env = isObject(first.env) ? first.env : {};
  const pm2Logs = join(dumpDir, 'logs') + sep;

  for (const [key, value] of Object.entries(first)) {
    if (BOOKKEEPING.has(key) || key === 'name' || key === instanceVar || value === undefined || value === null) continue;
    if (key in DEFAULT_VALUES && DEFAULT_VALUES[key] === value) continue;
    // PM2 spreads the environment over the entry: those keys are the env, read below.
    if (key in env && !KNOWN.has(key) && !RENAMED[key]) continue;
    if (key === 'exec_mode') {
      app.exec_mode = value === 'cluster_mode' || value === 'cluster' ? 'cluster' : 'fork';
    } else if (key === 'pm_out_log_path' || key === 'pm_err_log_path' || key === 'pm_log_path') {
      const target = key === 'pm_out_log_path' ? 'out_file' : key === 'pm_err_log_path' ? 'error_file' : 'log_file';
      if (typeof value !== 'string' || value.startsWith(pm2Logs)) continue; // PM2's default: Corral's own logs instead
      app[target] = entries.length > 1 ? appLogPath(value, first.pm_id) : value;
    } else if (RENAMED[key]) {
      app[RENAMED[key]] = value;
    } else if (key === 'namespace') {
      if (value !== 'default') app.namespace = value;
    } else if (key === 'instance_var') {
      if (value !== 'NODE_APP_INSTANCE') app.instance_var = value;
    } else if ((key === 'node_args' || key === 'args') && Array.isArray(value) && value.length === 0) {
      continue;
    } else if (key === 'instances') {
      continue; // counted from the entries below
    } else if (KNOWN.has(key) || ALIASES[key] !== undefined) {
      app[key] = value;
    } else {
      note(`${key}: not carried over (no such option in Corral)`);
    }
  }
  if (app.interpreter === 'node') delete app.interpreter;
  if (entries.length > 1 || app.exec_mode === 'cluster') app.instances = entries.length;
  // A stopped process comes back stopped: known to Corral, started when you say so.
  if (entries.every((entry) => entry.status === 'stopped')) {
    app.autostart = false;
    note('was stopped in PM2: added stopped (autostart: false)');
  }

  const kept: Record<string, string> = {};
  const dropped: string[] = [];
  let inherited = 0;
  for (const [key, value] of Object.entries(env)) {
    if (isPm2Variable(key, instanceVar, name)) {
      dropped.push(key);
      continue;
    }
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    if (currentEnv[key] === text) inherited++;
    else kept[key] = text;
  }
  if (Object.keys(kept).length > 0) app.env = kept;
  if (Object.keys(env).length > 0) {
    const keys = Object.keys(kept);
    note(
      `env: ${keys.length} variable${keys.length === 1 ? '' : 's'} kept${keys.length > 0 ? ` (${keys.join(', ')})` : ''}, ${inherited} left to your environment (same value), ${dropped.length} of PM2's dropped${dropped.length > 0 ? ` (${dropped.join(', ')})` : ''}`,
    );
  }
  const ordered: Record<string, unknown> = {};
  for (const key of FIRST_KEYS) if (key in app) ordered[key] = app[key];
  return Object.assign(ordered, app);
}

/** The ecosystem file for `apps`, in the format its name says (.json, .yml/.yaml, else CommonJS). */
export function ecosystemText(apps: Array<Record<string, unknown>>, file: string, yamlStringify: (value: unknown) => string): string {
  const content = { apps };
  if (/\.json$/i.test(file)) return `${JSON.stringify(content, null, 2)}\n`;
  if (/\.ya?ml$/i.test(file)) return yamlStringify(content);
  return `// Imported from a PM2 dump by "corral import pm2".\nmodule.exports = ${JSON.stringify(content, null, 2)};\n`;
}

/** `apps` with every env value replaced, for showing: values are secrets. */
export function withoutEnvValues(apps: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  return apps.map((app) =>
    isObject(app.env) ? { ...app, env: Object.fromEntries(Object.keys(app.env).map((key) => [key, '<hidden: --write shows it in the file>'])) } : app,
  );
}
