/** The normalized app shape, its defaults, and what normalization takes and gives. */
import { CorralError, ErrorCode } from '../errors';
import type { ProbeConfig } from './probes';

export type ExecMode = 'fork' | 'cluster';

/** One dotenv file of `env_file`: an absolute path; a missing optional file is skipped. */
export interface EnvFile {
  path: string;
  optional: boolean;
}

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
  /** The environment the app starts with: the client's env at start, then `env`, then `env_<name>` (env files aside). */
  env: Record<string, string>;
  /**
   * Where each variable of `env` came from: 'inherited' (the client's env), 'env', 'env_<name>' or
   * 'port'. Set by normalizeApp, not by users: the daemon puts the env files between the inherited
   * variables and the rest, and `--update-env` replaces the inherited ones alone.
   */
  env_sources: Record<string, string>;
  /** dotenv files read by the daemon at every launch, in order (a later file wins), over the inherited env and under `env`. */
  env_file: EnvFile[];
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
  /** Until it passes the process stays launching (at most listen_timeout); a reload waits for it (probes.ts). */
  readiness_probe: ProbeConfig | null;
  /** failure_threshold failures in a row restart the process (reload a cluster worker). */
  liveness_probe: ProbeConfig | null;
  /** Apps (of the same file or known to the daemon) that must be ready before this one starts (depends-on.ts). */
  depends_on: string[];
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
