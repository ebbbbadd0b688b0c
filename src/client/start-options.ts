/** `corral start` flags: PM2's names, mapped onto ecosystem option names. */
import type { ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Flags that become app options; value = the ecosystem option they set. */
export const APP_FLAGS: Record<string, string> = {
  name: 'name',
  instances: 'instances',
  'ignore-watch': 'ignore_watch',
  'watch-delay': 'watch_delay',
  'max-memory-restart': 'max_memory_restart',
  'cron-restart': 'cron_restart',
  cron: 'cron_restart',
  namespace: 'namespace',
  interpreter: 'interpreter',
  'node-args': 'node_args',
  'interpreter-args': 'node_args',
  'restart-delay': 'restart_delay',
  'exp-backoff-restart-delay': 'exp_backoff_restart_delay',
  'max-restarts': 'max_restarts',
  'max-restarts-window': 'max_restarts_window',
  'min-uptime': 'min_uptime',
  'kill-timeout': 'kill_timeout',
  'listen-timeout': 'listen_timeout',
  'log-date-format': 'log_date_format',
  output: 'out_file',
  error: 'error_file',
  pid: 'pid_file',
  cwd: 'cwd',
  'stop-exit-codes': 'stop_exit_codes',
  'instance-var': 'instance_var',
  'increment-var': 'increment_var',
  'log-max-size': 'log_max_size',
  'log-retain': 'log_retain',
  log: 'log_file',
  'log-type': 'log_type',
  'filter-env': 'filter_env',
  uid: 'uid',
  gid: 'gid',
};

/** Boolean flags that set an option to true. */
export const APP_SWITCHES: Record<string, string> = {
  watch: 'watch',
  'wait-ready': 'wait_ready',
  'merge-logs': 'merge_logs',
  time: 'time',
  'shutdown-with-message': 'shutdown_with_message',
  'log-compress': 'log_compress',
  'monitor-tree': 'monitor_tree',
  'disable-logs': 'disable_logs',
};

/** PM2 flags that set an option to a fixed value (most are accepted with a note that they have no effect). */
export const APP_FIXED_FLAGS: Record<string, [option: string, value: unknown]> = {
  'no-vizion': ['vizion', false],
  'no-autostart': ['autostart', false],
  v8: ['v8', true],
  'event-loop-inspector': ['event_loop_inspector', true],
  'deep-monitoring': ['deep_monitoring', true],
  'source-map-support': ['source_map_support', true],
  'disable-source-map-support': ['disable_source_map_support', true],
  'execute-command': ['execute_command', true],
  'no-pmx': ['pmx', false],
  'no-automation': ['automation', false],
  'no-treekill': ['treekill', false],
  trace: ['trace', true],
  'disable-trace': ['disable_trace', true],
};

export const CLI_OPTIONS: Options = {
  ...Object.fromEntries(Object.keys(APP_FIXED_FLAGS).map((flag) => [flag, { type: 'boolean' as const, ...(flag === 'execute-command' ? { short: 'x' } : {}) }])),
  name: { type: 'string', short: 'n' },
  instances: { type: 'string', short: 'i' },
  watch: { type: 'boolean', short: 'w' },
  'watch-paths': { type: 'string', multiple: true },
  'ignore-watch': { type: 'string', multiple: true },
  'watch-delay': { type: 'string' },
  'max-memory-restart': { type: 'string' },
  'cron-restart': { type: 'string' },
  cron: { type: 'string', short: 'c' },
  env: { type: 'string' },
  namespace: { type: 'string' },
  interpreter: { type: 'string' },
  'node-args': { type: 'string' },
  'interpreter-args': { type: 'string' },
  'no-autorestart': { type: 'boolean' },
  'restart-delay': { type: 'string' },
  'exp-backoff-restart-delay': { type: 'string' },
  'max-restarts': { type: 'string' },
  'max-restarts-window': { type: 'string' },
  'min-uptime': { type: 'string' },
  'kill-timeout': { type: 'string', short: 'k' },
  'wait-ready': { type: 'boolean' },
  'listen-timeout': { type: 'string' },
  'merge-logs': { type: 'boolean' },
  'log-date-format': { type: 'string' },
  time: { type: 'boolean' },
  output: { type: 'string', short: 'o' },
  error: { type: 'string', short: 'e' },
  // -l/--log [path]: argv.ts gives a bare --log the value '' (the default <name>.log).
  log: { type: 'string', short: 'l' },
  'log-type': { type: 'string' },
  'disable-logs': { type: 'boolean' },
  pid: { type: 'string', short: 'p' },
  cwd: { type: 'string' },
  'stop-exit-codes': { type: 'string', multiple: true },
  'shutdown-with-message': { type: 'boolean' },
  'instance-var': { type: 'string' },
  'increment-var': { type: 'string' },
  'log-max-size': { type: 'string' },
  'log-retain': { type: 'string' },
  'log-compress': { type: 'boolean' },
  'monitor-tree': { type: 'boolean' },
  only: { type: 'string' },
  force: { type: 'boolean', short: 'f' },
  'update-env': { type: 'boolean', short: 'a' },
  'filter-env': { type: 'string' },
  uid: { type: 'string' },
  gid: { type: 'string' },
  'no-daemon': { type: 'boolean' },
  attach: { type: 'boolean' },
  parallel: { type: 'string' },
  'wait-ip': { type: 'boolean' },
  // list
  'mini-list': { type: 'boolean', short: 'm' },
  sort: { type: 'string' },
  'no-color': { type: 'boolean' },
  spa: { type: 'boolean' },
  user: { type: 'string', short: 'u' },
  hp: { type: 'string' },
  'service-name': { type: 'string' },
  'basic-auth-username': { type: 'string' },
  'basic-auth-password': { type: 'string' },
  write: { type: 'boolean' },
  port: { type: 'string' },
  host: { type: 'string' },
  stop: { type: 'boolean' },
  // inspect
  'close-after': { type: 'string' },
  // logs
  lines: { type: 'string' },
  nostream: { type: 'boolean' },
  raw: { type: 'boolean' },
  err: { type: 'boolean' },
  out: { type: 'boolean' },
  json: { type: 'boolean' },
  timestamp: { type: 'string' },
  highlight: { type: 'string' },
  format: { type: 'boolean' },
  // general
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
  V: { type: 'boolean' },
  silent: { type: 'boolean', short: 's' },
};

/** The app options the command line sets, in ecosystem names (only what was given). */
export function appOptionsFromFlags(values: Record<string, unknown>): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const [flag, option] of Object.entries(APP_FLAGS)) {
    const value = values[flag];
    if (value === undefined) continue;
    if (option === 'stop_exit_codes') options[option] = (value as string[]).flatMap((item) => item.split(',')).map((item) => item.trim());
    else if ((option === 'log_file' || option === 'filter_env') && value === '') options[option] = true;
    // PM2's --watch-delay is in seconds unless it says otherwise ("4" is 4 s, "4000ms" is 4000 ms).
    else if (option === 'watch_delay' && typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim())) options[option] = Math.round(Number(value) * 1000);
    else options[option] = value;
  }
  for (const [flag, option] of Object.entries(APP_SWITCHES)) if (values[flag] === true) options[option] = true;
  if (values['watch-paths']) options.watch = (values['watch-paths'] as string[]).flatMap((item) => item.split(','));
  if (values['no-autorestart'] === true) options.autorestart = false;
  for (const [flag, [option, value]] of Object.entries(APP_FIXED_FLAGS)) if (values[flag] === true) options[option] = value;
  return options;
}

/** Messages name the flag the user typed rather than the ecosystem field. */
export function flagLabel(field: string): string {
  const flag =
    Object.entries(APP_FLAGS).find(([, option]) => option === field)?.[0] ??
    Object.entries(APP_SWITCHES).find(([, option]) => option === field)?.[0] ??
    Object.entries(APP_FIXED_FLAGS).find(([, [option]]) => option === field)?.[0];
  return flag ? `--${flag}` : field;
}
