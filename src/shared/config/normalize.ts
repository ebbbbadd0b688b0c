/** normalizeApp, section by section in the order its messages come out, and revalidateApp. */
import { basename, extname, isAbsolute, resolve } from 'node:path';
import type * as Croner from 'croner';
import { parseSize, splitArgs } from '../units';
import { ConfigError, DEFAULTS, type AppConfig, type ExecMode, type NormalizeContext, type NormalizeResult } from './app-config';
import { ACCEPTED_WITHOUT_EFFECT, ALIASES, KNOWN } from './app-options';
import { readEnvFileOption } from './env-file';
import { FieldReader } from './fields';
import { readProbe } from './probes';
import { jsRuntimeOf } from './runtimes';
import {
  describeValue,
  inheritsVariable,
  INTERPRETER_BY_EXTENSION,
  isNodeInterpreter,
  kindOf,
  nodeStripsTypes,
  NUL_PROBLEM,
  ownGroup,
  ownUser,
  parseFilterEnv,
  TYPESCRIPT_EXTENSIONS,
  validateName,
} from './values';

/**
 * Turns one raw app object (PM2 option names and aliases) into a complete AppConfig.
 * Throws ConfigError listing every bad field; returns warnings for unknown keys.
 */
export function normalizeApp(raw: unknown, ctx: NormalizeContext): NormalizeResult {
  const where = [ctx.source, ctx.index === undefined ? '' : `apps[${ctx.index}]`].filter(Boolean).join(': ');
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError([`${where || 'app'}: expected an object with at least "script", got ${describeValue(raw)}`]);
  }
  const read = new FieldReader(where, ctx.label);
  takeOptions(read, raw as Record<string, unknown>);

  const cwd = resolve(ctx.baseDir, read.string('cwd') ?? '.');
  const { script, interpreter, scriptArgs } = readScript(read, ctx, cwd);
  const { name, namespace } = readIdentity(read, ctx, script);
  const { instances, exec_mode: modeAsGiven } = readInstances(read, ctx);
  const { env, env_sources, filter_env } = readEnv(read, ctx);
  const env_file = readEnvFileOption(read, cwd);
  const watch = readWatch(read, cwd);
  const { max_memory_restart, log_max_size, stop_exit_codes, cron_restart } = readLimits(read);
  const { log_date_format, disable_logs, log_file, log_type } = readLogs(read, cwd);
  const instance_var = read.string('instance_var') ?? DEFAULTS.instance_var;
  if (/[=\0]/.test(instance_var)) read.expected('instance_var', 'a variable name', instance_var);
  const increment_var = read.string('increment_var') ?? null;
  let watch_options: Record<string, unknown> | null = null;
  if (read.input.watch_options !== undefined && read.input.watch_options !== null) {
    if (typeof read.input.watch_options !== 'object' || Array.isArray(read.input.watch_options))
      read.expected('watch_options', 'an object', read.input.watch_options);
    else watch_options = JSON.parse(JSON.stringify(read.input.watch_options)) as Record<string, unknown>;
  }

  // PM2's rule: `instances` without `exec_mode` means cluster mode for a Node script, fork for anything else.
  const exec_mode: ExecMode = !read.given('exec_mode') && read.given('instances') && isNodeInterpreter(interpreter) ? 'cluster' : modeAsGiven;
  const runtime = jsRuntimeOf(interpreter);
  if (exec_mode === 'cluster' && runtime)
    read.fail('exec_mode', `"cluster" runs on Node's node:cluster only, not ${runtime} (interpreter "${interpreter}"); use "fork" (instances still work)`);
  if (exec_mode === 'fork' && instances > 1 && env.PORT !== undefined && increment_var !== 'PORT') {
    read.warnings.push(
      `${read.label('instances')}: ${instances} fork instances (${interpreter === 'none' ? 'a binary' : interpreter}) all get the same PORT and cannot all listen on it; set increment_var: "PORT" to give each its own`,
    );
  }
  const app: AppConfig = {
    name,
    namespace,
    script,
    args: [...scriptArgs, ...read.args('args')],
    interpreter,
    node_args: read.args('node_args'),
    cwd,
    instances,
    exec_mode,
    env,
    env_sources,
    env_file,
    watch,
    // node_modules and .git stay ignored even when the user lists more (watching them is never wanted).
    ignore_watch: [...new Set([...DEFAULTS.ignore_watch, ...read.stringList('ignore_watch', [])])],
    watch_delay: read.duration('watch_delay', DEFAULTS.watch_delay),
    watch_options,
    max_memory_restart,
    monitor_tree: read.bool('monitor_tree', false),
    min_uptime: read.duration('min_uptime', DEFAULTS.min_uptime),
    max_restarts: read.int('max_restarts', DEFAULTS.max_restarts, 0),
    max_restarts_window: read.duration('max_restarts_window', DEFAULTS.max_restarts_window),
    restart_delay: read.duration('restart_delay', DEFAULTS.restart_delay),
    exp_backoff_restart_delay: read.duration('exp_backoff_restart_delay', DEFAULTS.exp_backoff_restart_delay),
    autorestart: read.bool('autorestart', true),
    autostart: read.bool('autostart', true),
    filter_env,
    stop_exit_codes,
    cron_restart,
    kill_timeout: read.duration('kill_timeout', DEFAULTS.kill_timeout),
    listen_timeout: read.duration('listen_timeout', DEFAULTS.listen_timeout),
    wait_ready: read.bool('wait_ready', false),
    shutdown_with_message: read.bool('shutdown_with_message', false),
    out_file: disable_logs ? '/dev/null' : read.path('out_file', cwd),
    error_file: disable_logs ? '/dev/null' : read.path('error_file', cwd),
    log_file: disable_logs ? null : log_file,
    log_type,
    merge_logs: read.bool('merge_logs', false),
    log_max_size,
    log_retain: read.int('log_retain', DEFAULTS.log_retain, 1),
    log_compress: read.bool('log_compress', false),
    log_date_format,
    time: read.bool('time', false),
    pid_file: read.path('pid_file', cwd),
    vizion: read.bool('vizion', true),
    instance_var,
    increment_var,
    readiness_probe: readProbe(read.input.readiness_probe, (field, message) => read.fail(field ? `readiness_probe.${field}` : 'readiness_probe', message)),
    liveness_probe: readProbe(read.input.liveness_probe, (field, message) => read.fail(field ? `liveness_probe.${field}` : 'liveness_probe', message)),
    depends_on: [...new Set(read.stringList('depends_on', []))],
  };
  if (read.problems.length > 0) throw new ConfigError(read.problems);
  return { app, warnings: read.warnings };
}

/** The raw keys under their canonical names; aliases, options without effect and unknown keys noted. */
function takeOptions(read: FieldReader, raw: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(raw)) {
    // Own keys only: `constructor` or `toString` in a file are unknown options, not Object.prototype's.
    const canonical = Object.hasOwn(ALIASES, key) ? ALIASES[key] : key;
    if (KNOWN.has(canonical) || /^env_./.test(canonical)) {
      if (Object.hasOwn(read.input, canonical) && canonical !== key) continue; // the canonical spelling wins over an alias
      read.input[canonical] = value;
    } else if (Object.hasOwn(ACCEPTED_WITHOUT_EFFECT, key)) {
      if (value !== undefined && value !== null) read.warnings.push(`${read.label(key)}: accepted, no effect (${ACCEPTED_WITHOUT_EFFECT[key]})`);
    } else {
      read.warnings.push(`${read.label(key)}: unknown option, ignored`);
    }
  }
}

/** Where and what to run: the script (a file, a command on PATH, or a command line) and its interpreter. */
function readScript(read: FieldReader, ctx: NormalizeContext, cwd: string): { script: string; interpreter: string; scriptArgs: string[] } {
  let script = '';
  let interpreter = 'node';
  let scriptRaw = read.input.script;
  /** `script: "npm run start"`: the words after the first, ahead of `args` (split without a shell). */
  let scriptArgs: string[] = [];
  let scriptUnusable = false;
  if (typeof scriptRaw === 'string' && /\s/.test(scriptRaw.trim()) && !scriptRaw.includes('\0')) {
    const asFile = resolve(cwd, scriptRaw);
    const isFile = ctx.fileExists ? ctx.fileExists(asFile) : isAbsolute(scriptRaw);
    if (!isFile) {
      try {
        const words = splitArgs(scriptRaw);
        if (words.length > 0) [scriptRaw, ...scriptArgs] = words;
      } catch (error) {
        read.fail('script', `not a file, and not a command line either: ${(error as Error).message}`);
        scriptUnusable = true;
      }
    }
  }
  const interpreterRaw = read.string('interpreter');
  if (scriptUnusable) {
    // said above
  } else if (scriptRaw === undefined || scriptRaw === null || scriptRaw === '') {
    read.fail('script', 'missing: give the file to run');
  } else if (typeof scriptRaw !== 'string') {
    read.expected('script', 'a file path', scriptRaw);
  } else if (scriptRaw.includes('\0')) {
    read.fail('script', NUL_PROBLEM);
  } else {
    const candidate = resolve(cwd, scriptRaw);
    // Without probes (the daemon re-checking a client's config) an absolute path is a file, anything else a command.
    const exists = ctx.fileExists ? ctx.fileExists(candidate) : isAbsolute(scriptRaw);
    const bareCommand = !scriptRaw.includes('/') && !exists;
    let isCommand = false;
    if (exists) {
      script = candidate;
    } else if (bareCommand && (ctx.which ? ctx.which(scriptRaw) : true)) {
      script = scriptRaw; // a command on PATH, e.g. `corral start npm -- run dev`
      isCommand = true;
    } else {
      read.fail('script', `file not found: ${candidate}`);
    }
    if (script) {
      const extension = extname(script).toLowerCase();
      if (interpreterRaw) {
        interpreter = interpreterRaw;
      } else if (isCommand) {
        interpreter = 'none';
      } else if (TYPESCRIPT_EXTENSIONS.has(extension)) {
        if (!nodeStripsTypes()) {
          read.fail(
            'interpreter',
            `Node ${process.versions.node} cannot run TypeScript by itself (needs 22.18+); set an interpreter such as "tsx" (--interpreter tsx)`,
          );
        }
        interpreter = 'node';
      } else {
        interpreter = INTERPRETER_BY_EXTENSION[extension] ?? 'node';
      }
    }
  }

  return { script, interpreter, scriptArgs };
}

function readIdentity(read: FieldReader, ctx: NormalizeContext, script: string): { name: string; namespace: string } {
  let name = '';
  if (read.input.name !== undefined && read.input.name !== null) {
    const problem = validateName(read.input.name);
    if (problem) read.expected('name', `a name (${problem})`, read.input.name);
    else name = String(read.input.name).trim();
  } else if (script) {
    name = basename(script, extname(script)) || 'app';
    if (validateName(name)) name = `app-${name}`;
  }
  // PM2: with --env <name>, `append_env_to_name: true` makes "api" the app "api-<name>".
  if (name && ctx.envName && read.bool('append_env_to_name', false)) name = `${name}-${ctx.envName}`;
  const namespace = read.string('namespace') ?? DEFAULTS.namespace;
  if (validateName(namespace) && namespace !== DEFAULTS.namespace) read.expected('namespace', `a name (${validateName(namespace)})`, namespace);
  return { name, namespace };
}

function readInstances(read: FieldReader, ctx: NormalizeContext): { instances: number; exec_mode: ExecMode } {
  let instances: number = DEFAULTS.instances;
  const instancesRaw = read.input.instances;
  if (instancesRaw !== undefined && instancesRaw !== null) {
    const asNumber = typeof instancesRaw === 'string' && /^-?\d+$/.test(instancesRaw.trim()) ? Number(instancesRaw) : instancesRaw;
    if (asNumber === 'max' || asNumber === 0) instances = ctx.cpuCount;
    else if (typeof asNumber === 'number' && Number.isInteger(asNumber) && asNumber < 0) instances = Math.max(1, ctx.cpuCount + asNumber);
    else if (typeof asNumber === 'number' && Number.isInteger(asNumber) && asNumber > 0 && asNumber <= 1024) instances = asNumber;
    else read.expected('instances', 'a number, "max" or a negative number', instancesRaw);
  }
  let exec_mode: ExecMode = 'fork';
  const modeRaw = read.input.exec_mode;
  if (modeRaw !== undefined && modeRaw !== null) {
    if (modeRaw === 'fork' || modeRaw === 'fork_mode') exec_mode = 'fork';
    else if (modeRaw === 'cluster' || modeRaw === 'cluster_mode') exec_mode = 'cluster';
    else read.expected('exec_mode', '"fork" or "cluster"', modeRaw);
  }
  return { instances, exec_mode };
}

/**
 * The client's env (less filter_env), then env, env_<name>, PORT, with where each variable came from;
 * uid/gid checked against our own user.
 */
function readEnv(
  read: FieldReader,
  ctx: NormalizeContext,
): { env: Record<string, string>; env_sources: Record<string, string>; filter_env: boolean | string[] } {
  const env: Record<string, string> = {};
  const env_sources: Record<string, string> = {};
  if (read.given('env_sources')) read.warnings.push(`${read.label('env_sources')}: set by Corral, ignored`);
  // Messages about env name the variable, never its value: values are often secrets.
  const setVariable = (field: string, key: string, value: string, source = field): void => {
    if (key === '' || key.includes('=') || key.includes('\0')) read.fail(`${field}.${key.replace(/\0/g, '\\0')}`, 'not a valid variable name');
    else if (value.includes('\0')) read.fail(`${field}.${key}`, `${NUL_PROBLEM} (the value is not shown)`);
    else {
      env[key] = value;
      env_sources[key] = source;
    }
  };
  // PM2's filter_env: true keeps none of the client's env; prefixes keep all but the names they start.
  let filter_env = parseFilterEnv(read.input.filter_env);
  if (filter_env === undefined) {
    read.expected('filter_env', 'true or a list of name prefixes', read.input.filter_env);
    filter_env = false;
  }
  for (const [key, value] of Object.entries(ctx.baseEnv))
    if (typeof value === 'string' && inheritsVariable(filter_env, key)) setVariable('env', key, value, 'inherited');
  const mergeEnv = (field: string): void => {
    const value = read.input[field];
    if (value === undefined || value === null) return;
    if (typeof value !== 'object' || Array.isArray(value)) {
      // Not the value itself: `env: "API_KEY=..."` would print the key.
      read.fail(field, `expected an object of NAME: value, got ${kindOf(value)}`);
      return;
    }
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      if (typeof item === 'string') setVariable(field, key, item);
      else if (typeof item === 'number' || typeof item === 'boolean') setVariable(field, key, String(item));
      else if (item !== null && typeof item === 'object') setVariable(field, key, JSON.stringify(item));
      else if (item !== undefined && item !== null) read.fail(`${field}.${key}`, `expected a string, number or boolean, got ${kindOf(item)}`);
    }
  };
  mergeEnv('env');
  if (ctx.envName) mergeEnv(`env_${ctx.envName}`);
  // PM2's `port`: the app's PORT.
  if (read.input.port !== undefined && read.input.port !== null) {
    const port = typeof read.input.port === 'string' && /^\d+$/.test(read.input.port) ? Number(read.input.port) : read.input.port;
    if (typeof port === 'number' && Number.isInteger(port) && port > 0 && port <= 65535) setVariable('port', 'PORT', String(port));
    else read.expected('port', 'a port number from 1 to 65535', read.input.port);
  }
  // PM2's uid/gid (user) run the app as another user, which needs root; Corral runs every app as
  // the daemon's user, so naming that user is fine and naming another is refused, never ignored.
  for (const field of ['uid', 'gid'] as const) {
    const wanted = read.input[field];
    if (wanted === undefined || wanted === null) continue;
    const own = field === 'uid' ? ownUser() : ownGroup();
    if (!own.some((candidate) => String(candidate) === String(wanted))) {
      read.fail(
        field,
        `Corral runs apps as the user that runs it${own.length > 0 ? ` (${own.join(', ')})` : ''}: start Corral as ${describeValue(wanted)} instead`,
      );
    }
  }
  for (const key of Object.keys(read.input))
    if (key.startsWith('env_') && !KNOWN.has(key) && typeof read.input[key] !== 'object')
      read.fail(key, `expected an object of NAME: value, got ${kindOf(read.input[key])}`);
  return { env, env_sources, filter_env };
}

function readWatch(read: FieldReader, cwd: string): boolean | string[] {
  let watch: boolean | string[] = false;
  const watchRaw = read.input.watch;
  if (watchRaw !== undefined && watchRaw !== null) {
    if (typeof watchRaw === 'boolean') watch = watchRaw;
    else if (watchRaw === 'true' || watchRaw === 'false') watch = watchRaw === 'true';
    else if (typeof watchRaw === 'string' && watchRaw !== '') watch = [resolve(cwd, watchRaw)];
    else if (Array.isArray(watchRaw) && watchRaw.length > 0 && watchRaw.every((item) => typeof item === 'string' && item !== '')) {
      watch = (watchRaw as string[]).map((item) => resolve(cwd, item));
    } else read.expected('watch', 'true, false, a path or an array of paths', watchRaw);
  }
  return watch;
}

function readLimits(read: FieldReader): Pick<AppConfig, 'max_memory_restart' | 'log_max_size' | 'stop_exit_codes' | 'cron_restart'> {
  let max_memory_restart: number | null = null;
  if (read.input.max_memory_restart !== undefined && read.input.max_memory_restart !== null) {
    const bytes = parseSize(read.input.max_memory_restart);
    if (bytes === undefined) read.expected('max_memory_restart', 'a size such as "200M", "1G", "500K" or a number of bytes', read.input.max_memory_restart);
    else max_memory_restart = bytes;
  }
  let log_max_size: number | null = DEFAULTS.log_max_size;
  if (read.input.log_max_size !== undefined && read.input.log_max_size !== null) {
    if (read.input.log_max_size === false || read.input.log_max_size === 0 || read.input.log_max_size === '0') log_max_size = null;
    else {
      const bytes = parseSize(read.input.log_max_size);
      if (bytes === undefined || bytes < 1024)
        read.expected('log_max_size', 'a size of at least 1K such as "10M", or 0 to never rotate', read.input.log_max_size);
      else log_max_size = bytes;
    }
  }
  let stop_exit_codes: number[] = [];
  const codesRaw = read.input.stop_exit_codes;
  if (codesRaw !== undefined && codesRaw !== null) {
    const list = Array.isArray(codesRaw) ? codesRaw : [codesRaw];
    const codes = list.map((item) => (typeof item === 'string' && /^\d+$/.test(item) ? Number(item) : item));
    if (codes.every((code) => typeof code === 'number' && Number.isInteger(code) && code >= 0 && code <= 255)) stop_exit_codes = codes as number[];
    else read.expected('stop_exit_codes', 'an exit code (0-255) or an array of them', codesRaw);
  }
  // PM2 takes 0 (or "0") as "no cron restart".
  if (read.input.cron_restart === 0 || read.input.cron_restart === '0') read.input.cron_restart = undefined;
  const cron_restart = read.string('cron_restart') ?? null;
  if (cron_restart) {
    try {
      // croner is loaded only when an app has a cron_restart: most commands never need it.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { Cron } = require('croner') as typeof Croner;
      new Cron(cron_restart, { paused: true }).stop();
    } catch (error) {
      read.fail('cron_restart', `invalid cron expression ${JSON.stringify(cron_restart)}: ${(error as Error).message}`);
    }
  }
  return { max_memory_restart, log_max_size, stop_exit_codes, cron_restart };
}

function readLogs(read: FieldReader, cwd: string): Pick<AppConfig, 'log_date_format' | 'log_file' | 'log_type'> & { disable_logs: boolean } {
  const log_date_format = read.string('log_date_format') ?? null;
  // PM2: log_file true is <name>.log beside the other logs; a path is that file; "NULL" or false, none.
  const disable_logs = read.bool('disable_logs', false);
  let log_file: string | true | null = null;
  if (read.input.log_file === true) log_file = true;
  else if (read.input.log_file !== false && read.input.log_file !== undefined && read.input.log_file !== null) {
    const file =
      typeof read.input.log_file === 'string' ? read.path('log_file', cwd) : (read.expected('log_file', 'a file path or true', read.input.log_file), null);
    log_file = file === '/dev/null' ? null : file;
  }
  let log_type: AppConfig['log_type'] = 'text';
  const logTypeRaw = read.string('log_type');
  if (logTypeRaw === 'json') log_type = 'json';
  else if (logTypeRaw !== undefined && logTypeRaw !== 'text' && logTypeRaw !== 'raw') {
    read.warnings.push(`${read.label('log_type')}: ${describeValue(logTypeRaw)} has no effect: only "json" changes the format (lines are written as text)`);
  }
  return { log_date_format, disable_logs, log_file, log_type };
}

/**
 * Re-checks a config that a client sent over the wire: same rules, no file-system probes, the
 * client's env taken as given. Guards the daemon against buggy or hostile clients.
 */
export function revalidateApp(raw: unknown, index: number): AppConfig {
  if (raw === null || typeof raw !== 'object') throw new ConfigError([`apps[${index}]: expected an app object`]);
  const candidate = raw as Partial<AppConfig>;
  if (typeof candidate.cwd !== 'string' || !isAbsolute(candidate.cwd)) throw new ConfigError([`apps[${index}].cwd: expected an absolute path`]);
  if (typeof candidate.script !== 'string' || candidate.script === '') throw new ConfigError([`apps[${index}].script: expected a path`]);
  const env = candidate.env;
  if (env === null || typeof env !== 'object' || Array.isArray(env) || !Object.values(env).every((value) => typeof value === 'string')) {
    throw new ConfigError([`apps[${index}].env: expected an object of strings`]);
  }
  const { app } = normalizeApp(
    // null is "never rotate" once normalized, but "unset" in user input: say it the unambiguous way.
    // The env was filtered when it was built (filter_env): checked here, not filtered again.
    {
      ...candidate,
      env: {},
      env_sources: undefined,
      instances: candidate.instances,
      exec_mode: candidate.exec_mode,
      log_max_size: candidate.log_max_size === null ? 0 : candidate.log_max_size,
      filter_env: false,
    },
    { source: '', index, baseDir: candidate.cwd, baseEnv: env, cpuCount: 1 },
  );
  const filter_env = parseFilterEnv(candidate.filter_env);
  if (filter_env === undefined) throw new ConfigError([`apps[${index}].filter_env: expected true or a list of name prefixes`]);
  return { ...app, filter_env, env_sources: revalidateSources(candidate.env_sources, app.env, index) };
}

const SOURCE = /^(inherited|env|port|env_.+)$/;

/**
 * A client's (or a dump's) env_sources for the variables of `env`. A variable it does not name (a
 * dump written before env_sources) counts as the app's own 'env': kept by --update-env, over env files.
 */
function revalidateSources(sources: unknown, env: Record<string, string>, index: number): Record<string, string> {
  if (sources !== undefined && (sources === null || typeof sources !== 'object' || Array.isArray(sources)))
    throw new ConfigError([`apps[${index}].env_sources: expected an object of sources`]);
  const given = (sources ?? {}) as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(env).map((key) => {
      const source = Object.hasOwn(given, key) ? given[key] : 'env';
      if (typeof source !== 'string' || !SOURCE.test(source))
        throw new ConfigError([`apps[${index}].env_sources.${key}: expected "inherited", "env", "port" or "env_<name>"`]);
      return [key, source];
    }),
  );
}
