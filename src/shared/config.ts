/**
 * App configuration: PM2's option names and aliases in, one complete normalized shape out.
 * Pure: no I/O except the injected `fileExists`/`which` probes, so it runs in the CLI, the
 * extension and the daemon (which re-validates everything a client sends).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as Croner from 'croner';
import { CorralError, ErrorCode } from './errors';
import { parseDuration, parseSize, splitArgs } from './units';

export type ExecMode = 'fork' | 'cluster';

export interface AppConfig {
  name: string;
  namespace: string;
  /** Absolute path of the entry, or a command name resolved through PATH when interpreter is 'none'. */
  script: string;
  args: string[];
  /** 'node' (the daemon's own Node), 'none' (run the script itself), or a command/path. */
  interpreter: string;
  node_args: string[];
  cwd: string;
  instances: number;
  exec_mode: ExecMode;
  /** The environment the app starts with: the client's env at start, then `env`, then `env_<name>`. */
  env: Record<string, string>;
  watch: boolean | string[];
  ignore_watch: string[];
  watch_delay: number;
  /** Passed to chokidar as given (plain JSON values only). */
  watch_options: Record<string, unknown> | null;
  max_memory_restart: number | null;
  /** Count the app's child processes in its CPU and memory figures. */
  monitor_tree: boolean;
  min_uptime: number;
  max_restarts: number;
  /** More than max_restarts crashes within this many ms is a crash loop (errored); 0 turns the rule off. */
  max_restarts_window: number;
  restart_delay: number;
  exp_backoff_restart_delay: number;
  autorestart: boolean;
  /** false: the app is registered stopped, and starts only when asked by name (PM2's autostart). */
  autostart: boolean;
  /** The client's env the app does not get: true drops all of it, a list drops names with those prefixes. */
  filter_env: boolean | string[];
  stop_exit_codes: number[];
  cron_restart: string | null;
  kill_timeout: number;
  listen_timeout: number;
  wait_ready: boolean;
  shutdown_with_message: boolean;
  /** null means the default under CORRAL_HOME/logs; '/dev/null' disables. */
  out_file: string | null;
  error_file: string | null;
  /** One more file with both streams, in order (PM2's log_file): true is `<name>.log` beside the others; null: none. */
  log_file: string | true | null;
  /** 'json': one JSON object per line ({message, timestamp, type, process_id, app_name}), as PM2. */
  log_type: 'text' | 'json';
  merge_logs: boolean;
  /** Rotate a log file when it would grow past this many bytes; null never rotates. */
  log_max_size: number | null;
  /** How many rotated files to keep per log. */
  log_retain: number;
  /** gzip rotated files. */
  log_compress: boolean;
  log_date_format: string | null;
  time: boolean;
  pid_file: string | null;
  /** Git metadata (branch, revision, subject) in describe and jlist; PM2's `vizion`. */
  vizion: boolean;
  instance_var: string;
  increment_var: string | null;
}

export const DEFAULTS = {
  namespace: 'default',
  instances: 1,
  watch_delay: 100,
  min_uptime: 1000,
  max_restarts: 16,
  max_restarts_window: 60_000,
  restart_delay: 0,
  exp_backoff_restart_delay: 0,
  kill_timeout: 1600,
  listen_timeout: 3000,
  instance_var: 'NODE_APP_INSTANCE',
  log_max_size: 10 * 1024 * 1024,
  log_retain: 10,
  ignore_watch: ['node_modules', '.git'],
} as const;

/** Growth factor and cap of exp_backoff_restart_delay, and how long online resets it (PM2's numbers). */
export const BACKOFF = { factor: 1.5, maxMs: 15_000, resetAfterMs: 30_000 } as const;

/** Alias -> canonical option name. */
const ALIASES: Record<string, string> = {
  exec_interpreter: 'interpreter',
  interpreter_args: 'node_args',
  output: 'out_file',
  out: 'out_file',
  error: 'error_file',
  err_file: 'error_file',
  err: 'error_file',
  combine_logs: 'merge_logs',
  pid: 'pid_file',
  cron: 'cron_restart',
  instance_id_env: 'instance_var',
  cmd: 'script',
  exec: 'script',
  command: 'script',
  out_log: 'out_file',
  err_log: 'error_file',
  log: 'log_file',
  interpreterArgs: 'node_args',
  user: 'uid',
};

const KNOWN = new Set([
  'name', 'script', 'args', 'interpreter', 'node_args', 'cwd', 'instances', 'exec_mode', 'env', 'watch',
  'ignore_watch', 'watch_delay', 'watch_options', 'max_memory_restart', 'min_uptime', 'max_restarts',
  'max_restarts_window', 'restart_delay', 'exp_backoff_restart_delay', 'autorestart', 'stop_exit_codes', 'cron_restart', 'kill_timeout',
  'listen_timeout', 'wait_ready', 'shutdown_with_message', 'out_file', 'error_file', 'merge_logs',
  'log_date_format', 'time', 'pid_file', 'namespace', 'instance_var', 'increment_var', 'monitor_tree',
  'log_max_size', 'log_retain', 'log_compress', 'vizion', 'append_env_to_name', 'log_file', 'log_type', 'disable_logs',
  'autostart', 'filter_env', 'port', 'uid', 'gid',
]);

/** PM2 options that Corral accepts silently because they have no effect here. */
const ACCEPTED_WITHOUT_EFFECT: Record<string, string> = {
  source_map_support: 'Node applies source maps itself with --enable-source-maps in node_args',
  disable_source_map_support: 'Node applies source maps itself with --enable-source-maps in node_args',
  pmx: 'PM2.io only',
  automation: 'PM2.io only',
  trace: 'PM2.io only',
  disable_trace: 'PM2.io only',
  treekill: 'Corral always stops the whole process tree',
  execute_command: 'Corral always runs the script as its own process',
  force: 'starting an ecosystem file re-applies it to running apps',
  v8: 'PM2.io only',
  event_loop_inspector: 'PM2.io only',
  deep_monitoring: 'PM2.io only',
  io: 'PM2.io only',
  windowsHide: 'Corral never opens a console window for an app',
  kill_retry_time: 'Corral sends SIGKILL once kill_timeout has passed',
  post_update: 'runs after PM2\'s pull/upgrade commands, which Corral does not have',
};

export interface NormalizeContext {
  /** Where the config came from, for messages: a file path as the user wrote it, or '' for CLI flags. */
  source: string;
  /** Position in the apps list, for messages; undefined for a single app from the command line. */
  index?: number;
  /** Paths in the config are resolved against this folder (the ecosystem file's folder or the CLI's cwd). */
  baseDir: string;
  /** The client's environment at start: the base of the app's env. */
  baseEnv: Record<string, string | undefined>;
  /** `--env <name>`: merge `env_<name>` over `env`. */
  envName?: string;
  cpuCount: number;
  /** Probes, injectable for tests and so the daemon can skip them. */
  fileExists?: (file: string) => boolean;
  which?: (command: string) => string | undefined;
  /** Rename a field for messages (the CLI names its flags). */
  label?: (field: string) => string;
}

export interface NormalizeResult {
  app: AppConfig;
  warnings: string[];
}

/** Everything that is wrong with one app, as complete one-line messages. */
export class ConfigError extends CorralError {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(ErrorCode.BadConfig, problems.join('\n'));
    this.problems = problems;
  }
}

const TYPESCRIPT_EXTENSIONS = new Set(['.ts', '.mts', '.cts']);
const INTERPRETER_BY_EXTENSION: Record<string, string> = {
  '.sh': 'bash',
  '.bash': 'bash',
  '.py': 'python3',
  '.rb': 'ruby',
  '.php': 'php',
  '.pl': 'perl',
  '.coffee': 'coffee',
};

/** Node runs .ts entries by itself from 22.18 / 23.6 (type stripping on by default). */
export function nodeStripsTypes(version: string = process.versions.node): boolean {
  const [major, minor] = version.split('.').map(Number);
  return major > 23 || (major === 23 && minor >= 6) || (major === 22 && minor >= 18);
}

export function isNodeInterpreter(interpreter: string): boolean {
  return interpreter === 'node' || /^node(js)?(\d+)?(\.exe)?$/.test(path.basename(interpreter)) || interpreter === process.execPath;
}

/** Every string that reaches exec (args, paths, env) is a C string: a NUL would cut it short. */
const NUL_PROBLEM = 'must not contain a NUL character';

/**
 * A name as part of a file name (logs, pid files), one to one: letters, digits, '.', '_' and '-' stay, a
 * leading '.' and every other byte become %XX, so distinct names never share a file ("a b" is a%20b,
 * "a_b" stays a_b). Long results end in a hash of the whole name to stay within file-name limits.
 */
export function fileSafeName(name: string): string {
  let safe = '';
  for (const byte of Buffer.from(name, 'utf8')) {
    const char = String.fromCharCode(byte);
    const keep = /[A-Za-z0-9_-]/.test(char) || (char === '.' && safe !== '' && !/^(%2E)+$/.test(safe));
    safe += keep ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  if (safe.length <= FILE_NAME_BUDGET) return safe;
  return `${safe.slice(0, FILE_NAME_BUDGET - 13).replace(/%[0-9A-F]?$/, '')}-${createHash('sha256').update(name).digest('hex').slice(0, 12)}`;
}
/** Room for "-out-<id>.log.<n>.gz" and the like within the 255 bytes most file systems allow. */
const FILE_NAME_BUDGET = 160;

export function validateName(name: unknown): string | undefined {
  // PM2 takes --name 455 as the name "455" (ids are looked up first when a target is a number).
  if (typeof name === 'number' && Number.isInteger(name) && name >= 0) name = String(name);
  if (typeof name !== 'string' || name.trim() === '') return 'expected a non-empty string';
  if (name.length > 128) return 'expected at most 128 characters';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(name)) return 'must not contain control characters';
  // A name that reads backwards or hides a character could pass for another app's in a list.
  if (/[\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/.test(name)) return 'must not contain bidirectional or invisible formatting characters';
  if (name === 'all') return '"all" is reserved';
  return undefined;
}

/** What a value is, without the value: for fields whose values may be secrets. */
function kindOf(value: unknown): string {
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

/** Whether a variable of the client's env reaches an app with this filter_env. */
export function inheritsVariable(filter: boolean | string[], key: string): boolean {
  return filter !== true && !(Array.isArray(filter) && filter.some((prefix) => key.startsWith(prefix)));
}

/** filter_env as PM2 takes it: true, a prefix, "A,B" or a list of prefixes; undefined when invalid. */
function parseFilterEnv(value: unknown): boolean | string[] | undefined {
  if (value === undefined || value === null || value === false || value === 'false') return false;
  if (value === true || value === 'true') return true;
  if (typeof value === 'string' && value.trim() !== '') return value.split(',').map((item) => item.trim()).filter(Boolean);
  if (Array.isArray(value) && value.every((item) => typeof item === 'string' && item !== '')) return value as string[];
  return undefined;
}

/** The daemon's user as uid and name ([] where there is none, e.g. Windows). */
function ownUser(): Array<string | number> {
  try {
    const { uid, username } = os.userInfo();
    return uid >= 0 ? [uid, username] : [username];
  } catch {
    return [];
  }
}

/** The daemon's group as gid, and its names where the system lists them in /etc/group. */
function ownGroup(): Array<string | number> {
  const gid = process.getgid?.();
  if (gid === undefined) return [];
  let names: string[] = [];
  try {
    // name:password:gid:members, one group per line.
    names = fs.readFileSync('/etc/group', 'utf8').split('\n').map((line) => line.split(':')).filter((fields) => fields.length >= 3 && Number(fields[2]) === gid).map((fields) => fields[0]);
  } catch {
    // no /etc/group (Windows, some containers): the number only
  }
  return [gid, ...names];
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  try {
    const text = JSON.stringify(value);
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
  } catch {
    return String(value);
  }
}

/**
 * Turns one raw app object (PM2 option names and aliases) into a complete AppConfig.
 * Throws ConfigError listing every bad field; returns warnings for unknown keys.
 */
export function normalizeApp(raw: unknown, ctx: NormalizeContext): NormalizeResult {
  const problems: string[] = [];
  const warnings: string[] = [];
  const where = [ctx.source, ctx.index === undefined ? '' : `apps[${ctx.index}]`].filter(Boolean).join(': ');
  const label = (field: string): string => {
    const name = ctx.label ? ctx.label(field) : field;
    return where ? `${where}.${name}`.replace(': .', ': ') : name;
  };
  const fail = (field: string, message: string): void => {
    problems.push(`${label(field)}: ${message}`);
  };
  const expected = (field: string, what: string, got: unknown): void => fail(field, `expected ${what}, got ${describeValue(got)}`);

  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError([`${where || 'app'}: expected an object with at least "script", got ${describeValue(raw)}`]);
  }
  const input: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    const canonical = ALIASES[key] ?? key;
    if (KNOWN.has(canonical) || /^env_./.test(canonical)) {
      if (canonical in input && canonical !== key) continue; // the canonical spelling wins over an alias
      input[canonical] = value;
    } else if (key in ACCEPTED_WITHOUT_EFFECT) {
      if (value !== undefined && value !== null)
      warnings.push(`${label(key)}: accepted, no effect (${ACCEPTED_WITHOUT_EFFECT[key]})`);
    } else {
      warnings.push(`${label(key)}: unknown option, ignored`);
    }
  }

  const readString = (field: string): string | undefined => {
    const value = input[field];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string' || value === '') {
      expected(field, 'a non-empty string', value);
      return undefined;
    }
    if (value.includes('\0')) {
      fail(field, NUL_PROBLEM);
      return undefined;
    }
    return value;
  };
  const readBool = (field: string, fallback: boolean): boolean => {
    const value = input[field];
    if (value === undefined || value === null) return fallback;
    if (typeof value === 'boolean') return value;
    if (value === 'true' || value === 'false') return value === 'true';
    expected(field, 'true or false', value);
    return fallback;
  };
  const readInt = (field: string, fallback: number, min: number): number => {
    const value = input[field];
    if (value === undefined || value === null) return fallback;
    const number = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
    if (typeof number !== 'number' || !Number.isInteger(number) || number < min) {
      expected(field, min === 0 ? 'a whole number of 0 or more' : `a whole number of at least ${min}`, value);
      return fallback;
    }
    return number;
  };
  const readDuration = (field: string, fallback: number): number => {
    const value = input[field];
    if (value === undefined || value === null) return fallback;
    const ms = parseDuration(value);
    if (ms === undefined) {
      expected(field, 'a duration in milliseconds of 0 or more (or "2s", "1m")', value);
      return fallback;
    }
    return ms;
  };
  const readArgs = (field: string): string[] => {
    const value = input[field];
    if (value === undefined || value === null) return [];
    if (typeof value === 'string' && value.includes('\0')) {
      fail(field, NUL_PROBLEM);
      return [];
    }
    if (typeof value === 'string') {
      try {
        return splitArgs(value);
      } catch (error) {
        fail(field, (error as Error).message);
        return [];
      }
    }
    if (Array.isArray(value) && value.every((item) => ['string', 'number', 'boolean'].includes(typeof item))) {
      const args = value.map(String);
      const bad = args.findIndex((arg) => arg.includes('\0'));
      if (bad >= 0) fail(`${field}[${bad}]`, NUL_PROBLEM);
      return bad >= 0 ? [] : args;
    }
    expected(field, 'a string or an array of strings', value);
    return [];
  };
  const readStringList = (field: string, fallback: string[]): string[] => {
    const value = input[field];
    if (value === undefined || value === null) return fallback;
    if (typeof value === 'string' && value !== '') return [value];
    if (Array.isArray(value) && value.every((item) => typeof item === 'string' && item !== '')) return value as string[];
    expected(field, 'a string or an array of strings', value);
    return fallback;
  };
  const readPath = (field: string, base: string): string | null => {
    const value = readString(field);
    if (value === undefined) return null;
    // PM2 writes "NULL" (or /dev/null) to turn a log off.
    return value === '/dev/null' || value === 'NULL' ? '/dev/null' : path.resolve(base, value);
  };

  // --- where and what to run ---
  const cwdRaw = readString('cwd');
  const cwd = path.resolve(ctx.baseDir, cwdRaw ?? '.');
  let script = '';
  let interpreter = 'node';
  let scriptRaw = input.script;
  /** `script: "npm run start"`: the words after the first, ahead of `args` (split without a shell). */
  let scriptArgs: string[] = [];
  let scriptUnusable = false;
  if (typeof scriptRaw === 'string' && /\s/.test(scriptRaw.trim()) && !scriptRaw.includes('\0')) {
    const asFile = path.resolve(cwd, scriptRaw);
    const isFile = ctx.fileExists ? ctx.fileExists(asFile) : path.isAbsolute(scriptRaw);
    if (!isFile) {
      try {
        const words = splitArgs(scriptRaw);
        if (words.length > 0) [scriptRaw, ...scriptArgs] = words;
      } catch (error) {
        fail('script', `not a file, and not a command line either: ${(error as Error).message}`);
        scriptUnusable = true;
      }
    }
  }
  const interpreterRaw = readString('interpreter');
  if (scriptUnusable) {
    // said above
  } else if (scriptRaw === undefined || scriptRaw === null || scriptRaw === '') {
    fail('script', 'missing: give the file to run');
  } else if (typeof scriptRaw !== 'string') {
    expected('script', 'a file path', scriptRaw);
  } else if (scriptRaw.includes('\0')) {
    fail('script', NUL_PROBLEM);
  } else {
    const candidate = path.resolve(cwd, scriptRaw);
    // Without probes (the daemon re-checking a client's config) an absolute path is a file, anything else a command.
    const exists = ctx.fileExists ? ctx.fileExists(candidate) : path.isAbsolute(scriptRaw);
    const bareCommand = !scriptRaw.includes('/') && !exists;
    let isCommand = false;
    if (exists) {
      script = candidate;
    } else if (bareCommand && (ctx.which ? ctx.which(scriptRaw) : true)) {
      script = scriptRaw; // a command on PATH, e.g. `corral start npm -- run dev`
      isCommand = true;
    } else {
      fail('script', `file not found: ${candidate}`);
    }
    if (script) {
      const extension = path.extname(script).toLowerCase();
      if (interpreterRaw) {
        interpreter = interpreterRaw;
      } else if (isCommand) {
        interpreter = 'none';
      } else if (TYPESCRIPT_EXTENSIONS.has(extension)) {
        if (!nodeStripsTypes()) {
          fail('interpreter', `Node ${process.versions.node} cannot run TypeScript by itself (needs 22.18+); set an interpreter such as "tsx" (--interpreter tsx)`);
        }
        interpreter = 'node';
      } else {
        interpreter = INTERPRETER_BY_EXTENSION[extension] ?? 'node';
      }
    }
  }

  // --- identity ---
  let name = '';
  if (input.name !== undefined && input.name !== null) {
    const problem = validateName(input.name);
    if (problem) expected('name', `a name (${problem})`, input.name);
    else name = String(input.name).trim();
  } else if (script) {
    name = path.basename(script, path.extname(script)) || 'app';
    if (validateName(name)) name = `app-${name}`;
  }
  // PM2: with --env <name>, `append_env_to_name: true` makes "api" the app "api-<name>".
  if (name && ctx.envName && readBool('append_env_to_name', false)) name = `${name}-${ctx.envName}`;
  const namespace = readString('namespace') ?? DEFAULTS.namespace;
  if (validateName(namespace) && namespace !== DEFAULTS.namespace) expected('namespace', `a name (${validateName(namespace)})`, namespace);

  // --- instances and mode ---
  let instances: number = DEFAULTS.instances;
  const instancesRaw = input.instances;
  if (instancesRaw !== undefined && instancesRaw !== null) {
    const asNumber = typeof instancesRaw === 'string' && /^-?\d+$/.test(instancesRaw.trim()) ? Number(instancesRaw) : instancesRaw;
    if (asNumber === 'max' || asNumber === 0) instances = ctx.cpuCount;
    else if (typeof asNumber === 'number' && Number.isInteger(asNumber) && asNumber < 0) instances = Math.max(1, ctx.cpuCount + asNumber);
    else if (typeof asNumber === 'number' && Number.isInteger(asNumber) && asNumber > 0 && asNumber <= 1024) instances = asNumber;
    else expected('instances', 'a number, "max" or a negative number', instancesRaw);
  }
  let exec_mode: ExecMode = 'fork';
  const modeRaw = input.exec_mode;
  if (modeRaw !== undefined && modeRaw !== null) {
    if (modeRaw === 'fork' || modeRaw === 'fork_mode') exec_mode = 'fork';
    else if (modeRaw === 'cluster' || modeRaw === 'cluster_mode') exec_mode = 'cluster';
    else expected('exec_mode', '"fork" or "cluster"', modeRaw);
  }

  // --- environment ---
  const env: Record<string, string> = {};
  // Messages about env name the variable, never its value: values are often secrets.
  const setVariable = (field: string, key: string, value: string): void => {
    if (key === '' || key.includes('=') || key.includes('\0')) fail(`${field}.${key.replace(/\0/g, '\\0')}`, 'not a valid variable name');
    else if (value.includes('\0')) fail(`${field}.${key}`, `${NUL_PROBLEM} (the value is not shown)`);
    else env[key] = value;
  };
  // PM2's filter_env: true keeps none of the client's env; prefixes keep all but the names they start.
  let filter_env = parseFilterEnv(input.filter_env);
  if (filter_env === undefined) {
    expected('filter_env', 'true or a list of name prefixes', input.filter_env);
    filter_env = false;
  }
  for (const [key, value] of Object.entries(ctx.baseEnv)) if (typeof value === 'string' && inheritsVariable(filter_env, key)) setVariable('env', key, value);
  const mergeEnv = (field: string): void => {
    const value = input[field];
    if (value === undefined || value === null) return;
    if (typeof value !== 'object' || Array.isArray(value)) {
      // Not the value itself: `env: "API_KEY=..."` would print the key.
      fail(field, `expected an object of NAME: value, got ${kindOf(value)}`);
      return;
    }
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      if (typeof item === 'string') setVariable(field, key, item);
      else if (typeof item === 'number' || typeof item === 'boolean') setVariable(field, key, String(item));
      else if (item !== null && typeof item === 'object') setVariable(field, key, JSON.stringify(item));
      else if (item !== undefined && item !== null) fail(`${field}.${key}`, `expected a string, number or boolean, got ${kindOf(item)}`);
    }
  };
  mergeEnv('env');
  if (ctx.envName) mergeEnv(`env_${ctx.envName}`);
  // PM2's `port`: the app's PORT.
  if (input.port !== undefined && input.port !== null) {
    const port = typeof input.port === 'string' && /^\d+$/.test(input.port) ? Number(input.port) : input.port;
    if (typeof port === 'number' && Number.isInteger(port) && port > 0 && port <= 65535) env.PORT = String(port);
    else expected('port', 'a port number from 1 to 65535', input.port);
  }
  // PM2's uid/gid (user) run the app as another user, which needs root; Corral runs every app as
  // the daemon's user, so naming that user is fine and naming another is refused, never ignored.
  for (const field of ['uid', 'gid'] as const) {
    const wanted = input[field];
    if (wanted === undefined || wanted === null) continue;
    const own = field === 'uid' ? ownUser() : ownGroup();
    if (!own.some((candidate) => String(candidate) === String(wanted))) {
      fail(field, `Corral runs apps as the user that runs it${own.length > 0 ? ` (${own.join(', ')})` : ''}: start Corral as ${describeValue(wanted)} instead`);
    }
  }
  for (const key of Object.keys(input)) if (key.startsWith('env_') && typeof input[key] !== 'object') fail(key, `expected an object of NAME: value, got ${kindOf(input[key])}`);

  // --- watching ---
  let watch: boolean | string[] = false;
  const watchRaw = input.watch;
  if (watchRaw !== undefined && watchRaw !== null) {
    if (typeof watchRaw === 'boolean') watch = watchRaw;
    else if (watchRaw === 'true' || watchRaw === 'false') watch = watchRaw === 'true';
    else if (typeof watchRaw === 'string' && watchRaw !== '') watch = [path.resolve(cwd, watchRaw)];
    else if (Array.isArray(watchRaw) && watchRaw.length > 0 && watchRaw.every((item) => typeof item === 'string' && item !== '')) {
      watch = (watchRaw as string[]).map((item) => path.resolve(cwd, item));
    } else expected('watch', 'true, false, a path or an array of paths', watchRaw);
  }

  // --- limits and policy ---
  let max_memory_restart: number | null = null;
  if (input.max_memory_restart !== undefined && input.max_memory_restart !== null) {
    const bytes = parseSize(input.max_memory_restart);
    if (bytes === undefined) expected('max_memory_restart', 'a size such as "200M", "1G", "500K" or a number of bytes', input.max_memory_restart);
    else max_memory_restart = bytes;
  }
  let log_max_size: number | null = DEFAULTS.log_max_size;
  if (input.log_max_size !== undefined && input.log_max_size !== null) {
    if (input.log_max_size === false || input.log_max_size === 0 || input.log_max_size === '0') log_max_size = null;
    else {
      const bytes = parseSize(input.log_max_size);
      if (bytes === undefined || bytes < 1024) expected('log_max_size', 'a size of at least 1K such as "10M", or 0 to never rotate', input.log_max_size);
      else log_max_size = bytes;
    }
  }
  let stop_exit_codes: number[] = [];
  const codesRaw = input.stop_exit_codes;
  if (codesRaw !== undefined && codesRaw !== null) {
    const list = Array.isArray(codesRaw) ? codesRaw : [codesRaw];
    const codes = list.map((item) => (typeof item === 'string' && /^\d+$/.test(item) ? Number(item) : item));
    if (codes.every((code) => typeof code === 'number' && Number.isInteger(code) && code >= 0 && code <= 255)) stop_exit_codes = codes as number[];
    else expected('stop_exit_codes', 'an exit code (0-255) or an array of them', codesRaw);
  }
  // PM2 takes 0 (or "0") as "no cron restart".
  if (input.cron_restart === 0 || input.cron_restart === '0') input.cron_restart = undefined;
  const cron_restart = readString('cron_restart') ?? null;
  if (cron_restart) {
    try {
      // croner is loaded only when an app has a cron_restart: most commands never need it.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { Cron } = require('croner') as typeof Croner;
      new Cron(cron_restart, { paused: true }).stop();
    } catch (error) {
      fail('cron_restart', `invalid cron expression ${JSON.stringify(cron_restart)}: ${(error as Error).message}`);
    }
  }
  const log_date_format = readString('log_date_format') ?? null;
  // PM2: log_file true is <name>.log beside the other logs; a path is that file; "NULL" or false, none.
  const disable_logs = readBool('disable_logs', false);
  let log_file: string | true | null = null;
  if (input.log_file === true) log_file = true;
  else if (input.log_file !== false && input.log_file !== undefined && input.log_file !== null) {
    const file = typeof input.log_file === 'string' ? readPath('log_file', cwd) : (expected('log_file', 'a file path or true', input.log_file), null);
    log_file = file === '/dev/null' ? null : file;
  }
  let log_type: AppConfig['log_type'] = 'text';
  const logTypeRaw = readString('log_type');
  if (logTypeRaw === 'json') log_type = 'json';
  else if (logTypeRaw !== undefined && logTypeRaw !== 'text' && logTypeRaw !== 'raw') {
    warnings.push(`${label('log_type')}: ${describeValue(logTypeRaw)} has no effect: only "json" changes the format (lines are written as text)`);
  }
  const instance_var = readString('instance_var') ?? DEFAULTS.instance_var;
  if (/[=\0]/.test(instance_var)) expected('instance_var', 'a variable name', instance_var);
  const increment_var = readString('increment_var') ?? null;
  let watch_options: Record<string, unknown> | null = null;
  if (input.watch_options !== undefined && input.watch_options !== null) {
    if (typeof input.watch_options !== 'object' || Array.isArray(input.watch_options)) expected('watch_options', 'an object', input.watch_options);
    else watch_options = JSON.parse(JSON.stringify(input.watch_options)) as Record<string, unknown>;
  }

  // PM2's rule: `instances` without `exec_mode` means cluster mode for a Node script, fork for anything else.
  const instancesGiven = instancesRaw !== undefined && instancesRaw !== null;
  if ((modeRaw === undefined || modeRaw === null) && instancesGiven && isNodeInterpreter(interpreter)) exec_mode = 'cluster';
  if (exec_mode === 'fork' && instances > 1 && env.PORT !== undefined && increment_var !== 'PORT') {
    warnings.push(`${label('instances')}: ${instances} fork instances (${interpreter === 'none' ? 'a binary' : interpreter}) all get the same PORT and cannot all listen on it; set increment_var: "PORT" to give each its own`);
  }
  const app: AppConfig = {
    name,
    namespace,
    script,
    args: [...scriptArgs, ...readArgs('args')],
    interpreter,
    node_args: readArgs('node_args'),
    cwd,
    instances,
    exec_mode,
    env,
    watch,
    // node_modules and .git stay ignored even when the user lists more (watching them is never wanted).
    ignore_watch: [...new Set([...DEFAULTS.ignore_watch, ...readStringList('ignore_watch', [])])],
    watch_delay: readDuration('watch_delay', DEFAULTS.watch_delay),
    watch_options,
    max_memory_restart,
    monitor_tree: readBool('monitor_tree', false),
    min_uptime: readDuration('min_uptime', DEFAULTS.min_uptime),
    max_restarts: readInt('max_restarts', DEFAULTS.max_restarts, 0),
    max_restarts_window: readDuration('max_restarts_window', DEFAULTS.max_restarts_window),
    restart_delay: readDuration('restart_delay', DEFAULTS.restart_delay),
    exp_backoff_restart_delay: readDuration('exp_backoff_restart_delay', DEFAULTS.exp_backoff_restart_delay),
    autorestart: readBool('autorestart', true),
    autostart: readBool('autostart', true),
    filter_env,
    stop_exit_codes,
    cron_restart,
    kill_timeout: readDuration('kill_timeout', DEFAULTS.kill_timeout),
    listen_timeout: readDuration('listen_timeout', DEFAULTS.listen_timeout),
    wait_ready: readBool('wait_ready', false),
    shutdown_with_message: readBool('shutdown_with_message', false),
    out_file: disable_logs ? '/dev/null' : readPath('out_file', cwd),
    error_file: disable_logs ? '/dev/null' : readPath('error_file', cwd),
    log_file: disable_logs ? null : log_file,
    log_type,
    merge_logs: readBool('merge_logs', false),
    log_max_size,
    log_retain: readInt('log_retain', DEFAULTS.log_retain, 1),
    log_compress: readBool('log_compress', false),
    log_date_format,
    time: readBool('time', false),
    pid_file: readPath('pid_file', cwd),
    vizion: readBool('vizion', true),
    instance_var,
    increment_var,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return { app, warnings };
}

/**
 * Re-checks a config that a client sent over the wire: same rules, no file-system probes, the
 * client's env taken as given. Guards the daemon against buggy or hostile clients.
 */
export function revalidateApp(raw: unknown, index: number): AppConfig {
  if (raw === null || typeof raw !== 'object') throw new ConfigError([`apps[${index}]: expected an app object`]);
  const candidate = raw as Partial<AppConfig>;
  if (typeof candidate.cwd !== 'string' || !path.isAbsolute(candidate.cwd)) throw new ConfigError([`apps[${index}].cwd: expected an absolute path`]);
  if (typeof candidate.script !== 'string' || candidate.script === '') throw new ConfigError([`apps[${index}].script: expected a path`]);
  const env = candidate.env;
  if (env === null || typeof env !== 'object' || Array.isArray(env) || !Object.values(env).every((value) => typeof value === 'string')) {
    throw new ConfigError([`apps[${index}].env: expected an object of strings`]);
  }
  const { app } = normalizeApp(
    // null is "never rotate" once normalized, but "unset" in user input: say it the unambiguous way.
    // The env was filtered when it was built (filter_env): checked here, not filtered again.
    { ...candidate, env: {}, instances: candidate.instances, exec_mode: candidate.exec_mode, log_max_size: candidate.log_max_size === null ? 0 : candidate.log_max_size, filter_env: false },
    { source: '', index, baseDir: candidate.cwd, baseEnv: env, cpuCount: 1 },
  );
  const filter_env = parseFilterEnv(candidate.filter_env);
  if (filter_env === undefined) throw new ConfigError([`apps[${index}].filter_env: expected true or a list of name prefixes`]);
  return { ...app, filter_env };
}
