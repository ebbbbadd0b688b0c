/**
 * Every app option, once: the ecosystem name, PM2's other spellings of it, the command-line flags that
 * set it, or why Corral accepts it without effect. normalizeApp's known keys and aliases, the CLI's
 * app flags (client/start-options.ts) and the check of schemas/ecosystem.schema.json
 * (test/unit/extension/ecosystem-schema.test.ts) all come from here.
 */
import type { AppConfig } from './app-config';

export interface AppFlag {
  /** The long name, without `--`. */
  name: string;
  short?: string;
  /** A boolean flag, and the value it gives the option; without it the flag takes a value. */
  sets?: boolean;
  /** The flag may be given more than once (its value is then a list). */
  multiple?: boolean;
  /** From the parsed value to the option's (PM2's units and shorthands). */
  convert?: (value: string | string[]) => unknown;
  /** Not typed by users: argv.ts's spelling of `--watch=<paths>`. */
  internal?: boolean;
}

export interface AppOption {
  /** Other names an ecosystem file may give it (PM2's). */
  aliases?: readonly string[];
  /** The command-line flags that set it, the one messages name first. */
  flags?: readonly AppFlag[];
  /** Accepted and ignored, for PM2 compatibility: why it changes nothing here. */
  noEffect?: string;
}

/** `--flag <value>`. */
const valueFlag = (name: string, more: Omit<AppFlag, 'name' | 'sets'> = {}): AppFlag => ({ name, ...more });
/** `--flag` alone: the option becomes `sets`. */
const switchFlag = (name: string, sets: boolean, short?: string): AppFlag => ({ name, sets, ...(short ? { short } : {}) });

const splitItems = (value: string | string[]): string[] => [value].flat().flatMap((item) => item.split(','));
/** `-l` / `--filter-env` alone (argv.ts gives them ''): true, PM2's shorthand. */
const emptyIsTrue = (value: string | string[]): unknown => (value === '' ? true : value);

const PM2_IO_ONLY = 'PM2.io only';
const SOURCE_MAPS = 'Node applies source maps itself with --enable-source-maps in node_args';

/** In the order of AppConfig, then the options that only feed others, then those without effect. */
export const APP_OPTIONS = {
  name: { flags: [valueFlag('name', { short: 'n' })] },
  namespace: { flags: [valueFlag('namespace')] },
  script: { aliases: ['cmd', 'exec', 'command'] },
  args: {},
  interpreter: { aliases: ['exec_interpreter'], flags: [valueFlag('interpreter')] },
  node_args: { aliases: ['interpreter_args', 'interpreterArgs'], flags: [valueFlag('node-args'), valueFlag('interpreter-args')] },
  cwd: { flags: [valueFlag('cwd')] },
  instances: { flags: [valueFlag('instances', { short: 'i' })] },
  exec_mode: {},
  env: {},
  env_sources: {},
  env_file: {},
  watch: { flags: [switchFlag('watch', true, 'w'), valueFlag('watch-paths', { multiple: true, convert: splitItems, internal: true })] },
  ignore_watch: { flags: [valueFlag('ignore-watch', { multiple: true })] },
  watch_delay: {
    // PM2's --watch-delay is in seconds unless it says otherwise ("4" is 4 s, "4000ms" is 4000 ms).
    flags: [
      valueFlag('watch-delay', {
        convert: (value) => (typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim()) ? Math.round(Number(value) * 1000) : value),
      }),
    ],
  },
  watch_options: {},
  max_memory_restart: { flags: [valueFlag('max-memory-restart')] },
  monitor_tree: { flags: [switchFlag('monitor-tree', true)] },
  min_uptime: { flags: [valueFlag('min-uptime')] },
  max_restarts: { flags: [valueFlag('max-restarts')] },
  max_restarts_window: { flags: [valueFlag('max-restarts-window')] },
  restart_delay: { flags: [valueFlag('restart-delay')] },
  exp_backoff_restart_delay: { flags: [valueFlag('exp-backoff-restart-delay')] },
  autorestart: { flags: [switchFlag('no-autorestart', false)] },
  autostart: { flags: [switchFlag('no-autostart', false)] },
  filter_env: { flags: [valueFlag('filter-env', { convert: emptyIsTrue })] },
  stop_exit_codes: { flags: [valueFlag('stop-exit-codes', { multiple: true, convert: (value) => splitItems(value).map((item) => item.trim()) })] },
  cron_restart: { aliases: ['cron'], flags: [valueFlag('cron-restart'), valueFlag('cron', { short: 'c' })] },
  kill_timeout: { flags: [valueFlag('kill-timeout', { short: 'k' })] },
  listen_timeout: { flags: [valueFlag('listen-timeout')] },
  wait_ready: { flags: [switchFlag('wait-ready', true)] },
  shutdown_with_message: { flags: [switchFlag('shutdown-with-message', true)] },
  out_file: { aliases: ['output', 'out', 'out_log'], flags: [valueFlag('output', { short: 'o' })] },
  error_file: { aliases: ['error', 'err_file', 'err', 'err_log'], flags: [valueFlag('error', { short: 'e' })] },
  // -l/--log [path]: a bare --log is true, <name>.log beside the other logs.
  log_file: { aliases: ['log'], flags: [valueFlag('log', { short: 'l', convert: emptyIsTrue })] },
  log_type: { flags: [valueFlag('log-type')] },
  merge_logs: { aliases: ['combine_logs'], flags: [switchFlag('merge-logs', true)] },
  log_max_size: { flags: [valueFlag('log-max-size')] },
  log_retain: { flags: [valueFlag('log-retain')] },
  log_compress: { flags: [switchFlag('log-compress', true)] },
  log_date_format: { flags: [valueFlag('log-date-format')] },
  time: { flags: [switchFlag('time', true)] },
  pid_file: { aliases: ['pid'], flags: [valueFlag('pid', { short: 'p' })] },
  vizion: { flags: [switchFlag('no-vizion', false)] },
  instance_var: { aliases: ['instance_id_env'], flags: [valueFlag('instance-var')] },
  increment_var: { flags: [valueFlag('increment-var')] },
  readiness_probe: {},
  liveness_probe: {},
  depends_on: {},
  append_env_to_name: {},
  disable_logs: { flags: [switchFlag('disable-logs', true)] },
  port: {},
  uid: { aliases: ['user'], flags: [valueFlag('uid')] },
  gid: { flags: [valueFlag('gid')] },
  // Without effect; those with a flag first, in the order their notes are printed.
  v8: { noEffect: PM2_IO_ONLY, flags: [switchFlag('v8', true)] },
  event_loop_inspector: { noEffect: PM2_IO_ONLY, flags: [switchFlag('event-loop-inspector', true)] },
  deep_monitoring: { noEffect: PM2_IO_ONLY, flags: [switchFlag('deep-monitoring', true)] },
  source_map_support: { noEffect: SOURCE_MAPS, flags: [switchFlag('source-map-support', true)] },
  disable_source_map_support: { noEffect: SOURCE_MAPS, flags: [switchFlag('disable-source-map-support', true)] },
  execute_command: { noEffect: 'Corral always runs the script as its own process', flags: [switchFlag('execute-command', true, 'x')] },
  pmx: { noEffect: PM2_IO_ONLY, flags: [switchFlag('no-pmx', false)] },
  automation: { noEffect: PM2_IO_ONLY, flags: [switchFlag('no-automation', false)] },
  treekill: { noEffect: 'Corral always stops the whole process tree', flags: [switchFlag('no-treekill', false)] },
  trace: { noEffect: PM2_IO_ONLY, flags: [switchFlag('trace', true)] },
  disable_trace: { noEffect: PM2_IO_ONLY, flags: [switchFlag('disable-trace', true)] },
  force: { noEffect: 'starting an ecosystem file re-applies it to running apps' },
  io: { noEffect: PM2_IO_ONLY },
  windowsHide: { noEffect: 'Corral never opens a console window for an app' },
  kill_retry_time: { noEffect: 'Corral sends SIGKILL once kill_timeout has passed' },
  post_update: { noEffect: "runs after PM2's pull/upgrade commands, which Corral does not have" },
} as const satisfies { [K in keyof AppConfig]: AppOption } & Record<string, AppOption>;

export type AppOptionName = keyof typeof APP_OPTIONS;

const entries = Object.entries(APP_OPTIONS) as Array<[AppOptionName, AppOption]>;

/** The options normalizeApp reads (env_<name> aside). */
export const KNOWN: ReadonlySet<string> = new Set(entries.filter(([, option]) => option.noEffect === undefined).map(([name]) => name));

/** Alias -> canonical option name. */
export const ALIASES: Readonly<Record<string, string>> = Object.fromEntries(
  entries.flatMap(([name, option]) => (option.aliases ?? []).map((alias) => [alias, name])),
);

/** PM2 options that Corral accepts with a note because they have no effect here: the note. */
export const ACCEPTED_WITHOUT_EFFECT: Readonly<Record<string, string>> = Object.fromEntries(
  entries.flatMap(([name, option]) => (option.noEffect === undefined ? [] : [[name, option.noEffect]])),
);

/** Every app flag with the option it sets, in table order. */
export const APP_FLAGS: ReadonlyArray<AppFlag & { option: AppOptionName }> = entries.flatMap(([option, { flags = [] }]) =>
  flags.map((flag) => ({ ...flag, option })),
);
