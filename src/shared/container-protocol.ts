/**
 * The messages of cluster mode, on two IPC channels:
 *   daemon <-> primary (dist/primary.js, one per cluster app): PRIMARY_MESSAGES
 *   primary <-> worker (dist/container.js, one per instance):  CONTAINER_MESSAGES
 * Every type starts with "corral:", so neither side mistakes them for an app's own messages.
 */
export const CONTAINER_MESSAGES = {
  /** primary -> worker: stop accepting connections, finish in-flight requests, close keep-alive sockets. */
  drain: 'corral:drain',
  /**
   * worker -> primary: its servers are closed. Sent after node:cluster's own close message, so when the
   * primary reads it, node:cluster hands this worker no more connections.
   */
  closed: 'corral:closed',
  /**
   * primary -> worker: the answer to `closed`. Every connection node:cluster handed over before it
   * learned of the close is queued ahead of this message, so once the worker reads it, each of those
   * has been accepted or sent back. Killing the worker earlier would strand such a connection in the
   * primary: the client would wait forever for an answer.
   */
  flush: 'corral:flush',
  /** worker -> primary: flushed and no connection left. */
  drained: 'corral:drained',
} as const;

export interface ContainerMessage {
  type: (typeof CONTAINER_MESSAGES)[keyof typeof CONTAINER_MESSAGES];
}

export function isContainerMessage(message: unknown): message is ContainerMessage {
  return (
    typeof message === 'object' &&
    message !== null &&
    typeof (message as { type?: unknown }).type === 'string' &&
    String((message as { type: string }).type).startsWith('corral:')
  );
}

export const PRIMARY_MESSAGES = {
  /** daemon -> primary: fork worker `worker` (a number the daemon gives each fork). */
  fork: 'corral:fork',
  /** daemon -> primary: run the drain handshake with the worker; answered by `drained`. */
  drain: 'corral:drain-worker',
  /** daemon -> primary: pass an app message (e.g. 'shutdown') to the worker's process.on('message'). */
  send: 'corral:send-worker',
  /** daemon -> primary: write to the worker's stdin (`corral send`, `attach`). */
  stdin: 'corral:stdin-worker',
  /** daemon -> primary: signal the worker itself (the primary is its parent, so the pid is surely its). */
  signal: 'corral:signal-worker',
  /** primary -> daemon: the worker runs. */
  spawned: 'corral:worker-spawned',
  /** primary -> daemon: the worker could not be started; nothing more comes for it. */
  spawnFailed: 'corral:worker-spawn-failed',
  /** primary -> daemon: the worker listens on a server. */
  listening: 'corral:worker-listening',
  /** primary -> daemon: the worker sent an app message (e.g. 'ready'). */
  message: 'corral:worker-message',
  /** primary -> daemon: the drain handshake is done. */
  drained: 'corral:worker-drained',
  /** primary -> daemon: the worker has exited (node:cluster has dropped it from every server). */
  exited: 'corral:worker-exited',
} as const;

/**
 * A fork request. The worker's stdout and stderr are connections to the daemon's output socket, each
 * opened by the primary with a one-time token the daemon answers with one byte before the fork.
 */
export interface ForkRequest {
  type: typeof PRIMARY_MESSAGES.fork;
  worker: number;
  exec: string;
  args: string[];
  execArgv: string[];
  cwd: string;
  /** Exactly the worker's environment. */
  env: Record<string, string>;
  outputSocket: string;
  outToken: string;
  errToken: string;
  /** How long the worker gets after SIGINT when the primary ends it on its own (the daemon is gone). */
  killTimeoutMs: number;
}

export type DaemonToPrimary =
  | ForkRequest
  | { type: typeof PRIMARY_MESSAGES.drain; worker: number }
  | { type: typeof PRIMARY_MESSAGES.send; worker: number; message: unknown }
  | { type: typeof PRIMARY_MESSAGES.stdin; worker: number; data: string }
  | { type: typeof PRIMARY_MESSAGES.signal; worker: number; signal: NodeJS.Signals };

export type PrimaryToDaemon =
  | { type: typeof PRIMARY_MESSAGES.spawned; worker: number; pid: number }
  | { type: typeof PRIMARY_MESSAGES.spawnFailed; worker: number; error: string }
  | { type: typeof PRIMARY_MESSAGES.listening; worker: number }
  | { type: typeof PRIMARY_MESSAGES.message; worker: number; message: unknown }
  | { type: typeof PRIMARY_MESSAGES.drained; worker: number }
  | { type: typeof PRIMARY_MESSAGES.exited; worker: number; code: number | null; signal: NodeJS.Signals | null };

/** Output-socket tokens: this many hex characters, then the daemon's one-byte answer. */
export const OUTPUT_TOKEN_LENGTH = 32;
export const OUTPUT_ACCEPTED = 0x06;
