/** The one shape both launchers (fork, cluster) give a running child. */
import type { ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';

/** How a child ended (execa's result shape). */
export interface ExitResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** We sent SIGKILL because it outlived its graceful stop (forceKill), not the app's own death by a signal. */
  forced: boolean;
  /** From its spawn to its exit; 0 when it never spawned. */
  durationMs: number;
}

/** Measures an ExitResult the same way for both launchers: note the spawn and a forced kill, then read the result at the exit. */
export class ExitClock {
  private spawnedAt: number | null = null;
  private forced = false;

  spawned(): void {
    this.spawnedAt = Date.now();
  }

  forcing(): void {
    this.forced = true;
  }

  result(code: number | null, signal: NodeJS.Signals | null): ExitResult {
    return { code, signal, forced: this.forced, durationMs: this.spawnedAt === null ? 0 : Date.now() - this.spawnedAt };
  }
}

/** Unread stdin a child may have pending before more is refused. */
export const STDIN_BACKLOG_BYTES = 1024 * 1024;

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
  /**
   * Writes to the child's stdin (a pipe held open for `corral send` / `attach`). False when the
   * child closed it, or has not read what was written before (STDIN_BACKLOG_BYTES).
   */
  writeStdin(data: string): boolean;
  /**
   * Signals every process of this launch that is ours at this moment: the child, its process group,
   * and whatever carries its launch marker (children that left the group, descendants that outlived it).
   */
  signal(signal: NodeJS.Signals): void;
  /** SIGKILL as signal() sends it, because the graceful stop ran out of time: the exit result says `forced`. */
  forceKill(): void;
  hasIpc(): boolean;
  /** Cluster workers: resolves when the worker listens on a server. */
  readonly listening?: Promise<void>;
  /** Cluster workers: stop accepting connections and finish in-flight requests (bounded). */
  drain?(timeoutMs: number): Promise<void>;
}

/**
 * The lifecycle promises of a spawned child, the same for both launchers: spawned (or why not),
 * exited (once; also when it never started) and drained (both output pipes closed).
 */
export function watchChild(
  child: ChildProcess,
  spawnError: (error: NodeJS.ErrnoException) => Error,
): Pick<ChildHandle, 'spawned' | 'exited' | 'drained'> & { clock: ExitClock } {
  const clock = new ExitClock();
  let spawnedResolve!: () => void;
  let spawnedReject!: (error: Error) => void;
  const spawned = new Promise<void>((resolve, reject) => {
    spawnedResolve = resolve;
    spawnedReject = reject;
  });
  spawned.catch(() => undefined);
  let exitResolve!: (result: ExitResult) => void;
  const exited = new Promise<ExitResult>((resolve) => (exitResolve = resolve));
  let isSpawned = false;
  child.once('spawn', () => {
    isSpawned = true;
    clock.spawned();
    spawnedResolve();
  });
  child.on('error', (error: NodeJS.ErrnoException) => {
    if (isSpawned) return; // later errors (a failed send, a failed kill) are not fatal here
    spawnedReject(spawnError(error));
    exitResolve(clock.result(null, null));
  });
  child.once('exit', (code, signal) => exitResolve(clock.result(code, signal)));
  const pipes = [child.stdout, child.stderr].map((stream) => new Promise<void>((resolve) => (stream ? stream.once('close', () => resolve()) : resolve())));
  return { spawned, exited, drained: Promise.all(pipes).then(() => undefined), clock };
}
