/** The one shape both launchers (fork, cluster) give a running child. */
import type { Readable } from 'node:stream';

export interface ExitResult {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ChildHandle {
  readonly pid: number;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  /** Settles when the child has spawned (resolves) or failed to spawn (rejects). */
  readonly spawned: Promise<void>;
  /** Settles once, when the child has exited. */
  readonly exited: Promise<ExitResult>;
  /** Settles when both output pipes are closed (all output read). */
  readonly drained: Promise<void>;
  /** Messages the child sends over IPC (Node children only). */
  onMessage(listener: (message: unknown) => void): void;
  /** False when there is no IPC channel or it is closed. */
  send(message: unknown): boolean;
  /** Signals the whole process group, so the app's own children get it too. */
  signalGroup(signal: NodeJS.Signals): void;
  hasIpc(): boolean;
  /** Cluster workers: resolves when the worker listens on a server. */
  readonly listening?: Promise<void>;
  /** Cluster workers: stop accepting connections and finish in-flight requests (bounded). */
  drain?(timeoutMs: number): Promise<void>;
}
