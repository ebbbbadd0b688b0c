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

/** `describe`: the jlist entry plus the policy and the recent history. */
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

export interface Methods {
  hello: { params: { protocolVersion: number }; result: DaemonInfo };
  ping: { params: Record<string, never>; result: DaemonInfo };
  /** Start new apps (already normalized by the client; the daemon checks them again). */
  start: { params: { apps: AppConfig[]; replace?: boolean; mode?: 'restart' | 'reload' }; result: ProcessInfo[] };
  /** `start <name|id|all>` of apps the daemon already knows: starts those not running. */
  startExisting: { params: TargetParams; result: ProcessInfo[] };
  stop: { params: TargetParams; result: ProcessInfo[] };
  /** `options`: app options (ecosystem names) from the command line, over each app's config first. */
  restart: { params: TargetParams & { updateEnv?: Record<string, string>; toggleWatch?: boolean; options?: Record<string, unknown> }; result: ProcessInfo[] };
  delete: { params: TargetParams; result: ProcessInfo[] };
  /** PM2's `reset`: restart and unstable-restart counters back to 0. */
  reset: { params: TargetParams; result: ProcessInfo[] };
  /** Cluster apps: replace instances one at a time with no downtime; fork apps restart. */
  reload: { params: TargetParams & { updateEnv?: Record<string, string>; options?: Record<string, unknown> }; result: ProcessInfo[] };
  /** Set an app's instance count: a number, or "+n" / "-n" relative to now. */
  scale: { params: { name: string; instances: number | string }; result: ProcessInfo[] };
  list: { params: Record<string, never>; result: ProcessInfo[] };
  describe: { params: TargetParams; result: ProcessDescription[] };
  flush: { params: { targets?: string[] }; result: { files: string[] } };
  reloadLogs: { params: Record<string, never>; result: { files: number } };
  sendSignal: { params: TargetParams & { signal: string }; result: ProcessInfo[] };
  /** PM2's `send` / `attach`: text written to one running process's stdin, as given. */
  writeStdin: { params: { id: number; data: string }; result: ProcessInfo };
  /** A file was saved (by the editor): feeds the same debounce as the file watchers. */
  notifyFileSaved: { params: { paths: string[] }; result: { apps: string[] } };
  /** The env of one process, asked for explicitly (the only place env values ever leave the daemon). */
  env: { params: { target: string }; result: { id: number; name: string; env: Record<string, string> } };
  /**
   * The last lines of one process's stdout and stderr from memory, with each stream's end offset:
   * subscribe first, then call this, then keep only log events whose offset is at or past `end`.
   */
  recentLogs: { params: { id: number; lines: number }; result: { out: RecentLogs; err: RecentLogs } };
  /**
   * Opens the Node inspector of one process (SIGUSR1, else a restart of that instance with --inspect).
   * The daemon closes it once the debugger detaches, or after `closeAfterMs` (default 10 minutes)
   * with no debugger attached.
   */
  inspect: { params: { id: number; closeAfterMs?: number }; result: InspectResult };
  /** Starts (or with stop, stops) the HTTP API: GET /, /processes, /metrics. */
  web: { params: { host?: string; port?: number; stop?: boolean }; result: { url: string | null; tokenFile: string | null } };
  /** Writes dump.json now; fails (E_IO, with the reason) when it cannot be written. */
  save: { params: Record<string, never>; result: { file: string; apps: number } };
  /** PM2's `cleardump`: dump.json holds an empty list (the one before stays in dump.json.bak). */
  clearDump: { params: Record<string, never>; result: { file: string } };
  /** Starts every app in dump.json (or .bak) that is not running. */
  resurrect: { params: Record<string, never>; result: { processes: ProcessInfo[]; warnings: string[] } };
  /** Stops every app, then the daemon exits; `problems` names what could not be persisted (a full disk). */
  kill: { params: Record<string, never>; result: { stopped: number; problems?: string[] } };
}
export interface InspectResult {
  url: string;
  host: string;
  port: number;
  restarted: boolean;
  /** The bound with no debugger attached before the daemon closes it; null: the app's own inspector, left alone. */
  closesAfterMs: number | null;
}

export type MethodName = keyof Methods;
export type Params<M extends MethodName> = Methods[M]['params'];
export type Result<M extends MethodName> = Methods[M]['result'];

export const METHOD_NAMES: readonly MethodName[] = [
  'hello', 'ping', 'start', 'startExisting', 'stop', 'restart', 'delete', 'reset', 'reload', 'scale', 'list', 'describe', 'flush', 'reloadLogs', 'sendSignal', 'writeStdin', 'notifyFileSaved', 'env', 'recentLogs', 'inspect', 'web', 'save', 'clearDump', 'resurrect', 'kill',
];

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

export interface Events {
  'process:event': ProcessEvent;
  /** A process left the table (deleted). */
  'process:deleted': { id: number; name: string };
  'log:out': LogEvent;
  'log:err': LogEvent;
  /** One per metrics tick: the fresh figures of every running process. */
  metrics: { at: number; processes: Array<{ id: number; cpu: number; memory: number }> };
  'daemon:exit': { pid: number };
}
export type EventName = keyof Events;
export const EVENT_NAMES: readonly EventName[] = ['process:event', 'process:deleted', 'log:out', 'log:err', 'metrics', 'daemon:exit'];
