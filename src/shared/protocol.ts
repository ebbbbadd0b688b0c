/**
 * The one declaration of everything that crosses the daemon's sockets. The daemon, the client,
 * the CLI and the extension all import these names; no method or event name is spelled elsewhere.
 */
import type { AppConfig, ExecMode } from './config';
import type { WireError } from './errors';

/** Bumped on any incompatible change to a method, a result or an event. */
export const PROTOCOL_VERSION = 1;

export const ProcessStatus = {
  Launching: 'launching',
  Online: 'online',
  Stopping: 'stopping',
  Stopped: 'stopped',
  WaitingRestart: 'waiting-restart',
  Errored: 'errored',
} as const;
export type ProcessStatus = (typeof ProcessStatus)[keyof typeof ProcessStatus];

/** Why a process changed state. */
export type StateReason =
  | 'start' // a client asked for a start
  | 'user' // a client asked for a stop, restart or delete
  | 'crash' // exited and will be restarted
  | 'exit' // exited and stays stopped (autorestart off, or a stop_exit_code)
  | 'unstable' // too many restarts younger than min_uptime
  | 'launch-failed' // could not be spawned at all
  | 'ready-timeout' // wait_ready: no 'ready' within listen_timeout (it still goes online)
  | 'not-ready' // readiness_probe: not passed within listen_timeout (restarted as after a crash, or errored)
  | 'liveness' // liveness_probe: failure_threshold failures in a row (restarted, a reload in cluster mode)
  | 'watch'
  | 'memory'
  | 'cron'
  | 'reload'
  | 'scale'
  | 'daemon-exit';

/** Where the app's code comes from (git), refreshed at each start. */
export interface Versioning {
  type: 'git';
  repo_path: string;
  branch: string;
  revision: string | null;
  /** The last commit's subject. */
  comment: string | null;
  commit_time: number | null;
  /** The origin remote, credentials removed. */
  url: string | null;
  /** Tracked files changed but not committed. */
  unstaged: boolean | null;
}

/**
 * What the probes say of a running process: `not-ready` while it is launching (a readiness probe
 * has not passed), `unhealthy` while its liveness probe's last check failed, else `healthy`.
 * Null for a process without probes or not running.
 */
export type ProcessHealth = 'healthy' | 'unhealthy' | 'not-ready';

/** One check of a probe. */
export interface ProbeResult {
  probe: 'readiness' | 'liveness';
  ok: boolean;
  /** When the check started (ms since the epoch). */
  at: number;
  duration_ms: number;
  /** What happened, e.g. "HTTP 503", "ECONNREFUSED", "exit code 1: no response". */
  detail: string;
}

/** One managed process as `jlist` shows it. Never carries env values. */
export interface ProcessInfo {
  id: number;
  name: string;
  namespace: string;
  pid: number | null;
  status: ProcessStatus;
  exec_mode: ExecMode;
  instance: number;
  instances: number;
  restarts: number;
  unstable_restarts: number;
  started_at: number | null;
  created_at: number;
  uptime: number;
  cpu: number;
  memory: number;
  script: string;
  args: string[];
  cwd: string;
  interpreter: string;
  node_args: string[];
  out_log: string;
  err_log: string;
  /** log_file: stdout and stderr in one file; null when the app has none. */
  combined_log: string | null;
  pid_file: string;
  watch: boolean | string[];
  autorestart: boolean;
  exit_code: number | null;
  exit_signal: string | null;
  last_reason: StateReason | null;
  /** Human-readable detail of the last state change, e.g. "exited with code 1 after 30 ms". */
  last_reason_detail: string | null;
  versioning?: Versioning | null;
  /** Null without probes or when not running. */
  health: ProcessHealth | null;
  /** The last check of either probe, kept after the process stops. */
  last_probe: ProbeResult | null;
  /** depends_on: apps that must be ready first. */
  depends_on?: string[];
  /** Not started for depends_on: "waiting for db" while it waits, "waiting for db: errored" once it gave up. */
  waiting?: string | null;
}

export interface MetricsSample {
  at: number;
  cpu: number;
  memory: number;
}

export interface RestartRecord {
  at: number;
  reason: StateReason;
  detail: string;
}

/**
 * `describe`: the jlist entry plus the policy and the recent history. No env values: `env_keys` and
 * `env_sources` name every variable and where it comes from, env files included (as the running child got them).
 */
export interface ProcessDescription extends ProcessInfo {
  config: Omit<AppConfig, 'env'> & { env_keys: string[] };
  history: RestartRecord[];
  /** The recent CPU/memory samples, oldest first (one per metrics tick). */
  samples: MetricsSample[];
}

export interface RecentLogs {
  lines: string[];
  end: number;
}

export interface DaemonInfo {
  protocolVersion: number;
  version: string;
  pid: number;
  home: string;
  node: string;
  startedAt: number;
  processes: number;
}

/** A set of processes: names, ids, namespaces or "all". */
export interface TargetParams {
  targets: string[];
}

/**
 * A method's entry in METHODS: its params and result exist for the compiler only (the value is an
 * empty object), so the names at run time and the types come from the same line.
 */
interface MethodSpec<P extends object = object, R = unknown> {
  readonly params: P;
  readonly result: R;
}
function method<P extends object, R>(): MethodSpec<P, R> {
  return {} as MethodSpec<P, R>;
}

/** Every RPC method, once: adding a line here is enough (the daemon's handler table must then cover it). */
export const METHODS = {
  hello: method<{ protocolVersion: number }, DaemonInfo>(),
  ping: method<Record<string, never>, DaemonInfo>(),
  /** Start new apps (already normalized by the client; the daemon checks them again). */
  start: method<{ apps: AppConfig[]; replace?: boolean; mode?: 'restart' | 'reload' }, ProcessInfo[]>(),
  /** `start <name|id|all>` of apps the daemon already knows: starts those not running. */
  startExisting: method<TargetParams, ProcessInfo[]>(),
  stop: method<TargetParams, ProcessInfo[]>(),
  /** `options`: app options (ecosystem names) from the command line, over each app's config first. */
  restart: method<TargetParams & { updateEnv?: Record<string, string>; toggleWatch?: boolean; options?: Record<string, unknown> }, ProcessInfo[]>(),
  delete: method<TargetParams, ProcessInfo[]>(),
  /** PM2's `reset`: restart and unstable-restart counters back to 0. */
  reset: method<TargetParams, ProcessInfo[]>(),
  /** Cluster apps: replace instances one at a time with no downtime; fork apps restart. */
  reload: method<TargetParams & { updateEnv?: Record<string, string>; options?: Record<string, unknown> }, ProcessInfo[]>(),
  /** Set an app's instance count: a number, or "+n" / "-n" relative to now. */
  scale: method<{ name: string; instances: number | string }, ProcessInfo[]>(),
  list: method<Record<string, never>, ProcessInfo[]>(),
  describe: method<TargetParams, ProcessDescription[]>(),
  flush: method<{ targets?: string[] }, { files: string[] }>(),
  reloadLogs: method<Record<string, never>, { files: number }>(),
  sendSignal: method<TargetParams & { signal: string }, ProcessInfo[]>(),
  /** PM2's `send` / `attach`: text written to one running process's stdin, as given. */
  writeStdin: method<{ id: number; data: string }, ProcessInfo>(),
  /** A file was saved (by the editor): feeds the same debounce as the file watchers. */
  notifyFileSaved: method<{ paths: string[] }, { apps: string[] }>(),
  /** The env of one process, asked for explicitly (the only place env values ever leave the daemon). */
  env: method<{ target: string }, { id: number; name: string; env: Record<string, string> }>(),
  /**
   * The last lines of one process's stdout and stderr from memory, with each stream's end offset:
   * subscribe first, then call this, then keep only log events whose offset is at or past `end`.
   */
  recentLogs: method<{ id: number; lines: number }, { out: RecentLogs; err: RecentLogs }>(),
  /**
   * Opens the Node inspector of one process (SIGUSR1, else a restart of that instance with --inspect).
   * The daemon closes it once the debugger detaches, or after `closeAfterMs` (default 10 minutes)
   * with no debugger attached. `fromStart` (Debug from Start): a restart of that instance with
   * --inspect-brk, answered once the inspector listens, while the app waits at its first line.
   */
  inspect: method<{ id: number; closeAfterMs?: number; fromStart?: boolean }, InspectResult>(),
  /** Starts (or with stop, stops) the HTTP API: GET /, /processes, /metrics. */
  web: method<{ host?: string; port?: number; stop?: boolean }, { url: string | null; tokenFile: string | null }>(),
  /** Writes dump.json now; fails (E_IO, with the reason) when it cannot be written. */
  save: method<Record<string, never>, { file: string; apps: number }>(),
  /** PM2's `cleardump`: dump.json holds an empty list (the one before stays in dump.json.bak). */
  clearDump: method<Record<string, never>, { file: string }>(),
  /** Starts every app in dump.json (or .bak) that is not running. */
  resurrect: method<Record<string, never>, { processes: ProcessInfo[]; warnings: string[] }>(),
  /** Stops every app, then the daemon exits; `problems` names what could not be persisted (a full disk). */
  kill: method<Record<string, never>, { stopped: number; problems?: string[] }>(),
} as const satisfies Record<string, MethodSpec>;
export interface InspectResult {
  url: string;
  host: string;
  port: number;
  restarted: boolean;
  /** The bound with no debugger attached before the daemon closes it; null: the app's own inspector, left alone. */
  closesAfterMs: number | null;
}

export type Methods = { [M in keyof typeof METHODS]: (typeof METHODS)[M] };
export type MethodName = keyof Methods;
export type Params<M extends MethodName> = Methods[M]['params'];
export type Result<M extends MethodName> = Methods[M]['result'];

export const METHOD_NAMES = Object.keys(METHODS) as readonly MethodName[];

/** Every reply has this shape, so error codes survive pm2-axon-rpc (which keeps only a message). */
export type Reply<T> = { ok: true; result: T } | { ok: false; error: WireError };

export interface ProcessEvent {
  id: number;
  name: string;
  namespace: string;
  status: ProcessStatus;
  pid: number | null;
  reason: StateReason;
  detail: string;
  exit_code: number | null;
  exit_signal: string | null;
  restarts: number;
  at: number;
  /** Watch restarts: the changed files that caused it. */
  files?: string[];
  health?: ProcessHealth | null;
}

/** A process's health or its last probe result changed (no state change). */
export interface HealthEvent {
  id: number;
  name: string;
  health: ProcessHealth | null;
  last_probe: ProbeResult | null;
}

export interface LogEvent {
  id: number;
  name: string;
  /** Whole lines, without their newline, as the app wrote them (no timestamp prefix). */
  lines: string[];
  /** Byte offset of the first line in this process's stream; compare with recentLogs' `end`. */
  offset: number;
  at: number;
}

/** An event's entry in EVENTS: the payload type is for the compiler only (the value is an empty object). */
interface EventSpec<P extends object = object> {
  readonly payload: P;
}
function event<P extends object>(): EventSpec<P> {
  return {} as EventSpec<P>;
}

/** Every event the daemon publishes, once: the name list and the payload types both come from here. */
export const EVENTS = {
  'process:event': event<ProcessEvent>(),
  /** A process left the table (deleted). */
  'process:deleted': event<{ id: number; name: string }>(),
  'process:health': event<HealthEvent>(),
  /** A process began or stopped waiting for its depends_on (no state change). */
  'process:waiting': event<{ id: number; name: string; waiting: string | null }>(),
  'log:out': event<LogEvent>(),
  'log:err': event<LogEvent>(),
  /** One per metrics tick: the fresh figures of every running process. */
  metrics: event<{ at: number; processes: Array<{ id: number; cpu: number; memory: number }> }>(),
  'daemon:exit': event<{ pid: number }>(),
} as const satisfies Record<string, EventSpec>;
export type Events = { [E in keyof typeof EVENTS]: (typeof EVENTS)[E]['payload'] };
export type EventName = keyof Events;
export const EVENT_NAMES = Object.keys(EVENTS) as readonly EventName[];
