/**
 * How a stop (or any signal the daemon sends an app) is carried out on each platform, as a pure plan
 * the launchers run: the daemon's fork launcher for its children, the cluster primary for its workers.
 *
 * - POSIX: the signal, delivered as today (the caller signals the tree it has proven ours), SIGKILL
 *   when kill_timeout has passed.
 * - Windows has no signals: Node's kill() is TerminateProcess whatever the name, so it cannot be the
 *   graceful step. Graceful is the string message 'shutdown' over IPC for a Node app (PM2's
 *   convention: `process.on('message', (m) => m === 'shutdown' && ...)`) plus `taskkill /PID <pid> /T`,
 *   which reaches programs with a window only; forced is `taskkill /PID <pid> /T /F`. Signals that mean
 *   something else (SIGUSR1, SIGUSR2, SIGHUP) have no counterpart there: nothing is sent.
 */
import { isWindows, type Platform } from './platform';
import { forcedTreeKillArgs, gracefulTreeKillArgs } from './taskkill';

/** The message a Node app receives over IPC when asked to stop without a signal. */
export const SHUTDOWN_MESSAGE = 'shutdown';

export type StopStep =
  /** POSIX: send `signal` the way the launcher always has (to the tree it proved ours). */
  | { kind: 'signal'; signal: NodeJS.Signals }
  /** Send `message` over the child's IPC channel. */
  | { kind: 'message'; message: typeof SHUTDOWN_MESSAGE }
  /** Run taskkill.exe with these arguments. */
  | { kind: 'taskkill'; args: string[] };

export interface SignalRequest {
  platform: Platform;
  /** The process the launcher started; null when it has not spawned. */
  pid: number | null;
  /**
   * The launcher knows `pid` is still its own unreaped child. Windows has no start time to prove a
   * pid with, so a pid that is not known alive is never handed to taskkill (it may be someone else's).
   */
  rootAlive: boolean;
  /** A Node child with an open IPC channel. */
  hasIpc: boolean;
  signal: NodeJS.Signals;
}

/** On Windows these all mean "please stop": what the daemon sends to stop an app. */
const STOP_SIGNALS: ReadonlySet<NodeJS.Signals> = new Set(['SIGINT', 'SIGTERM', 'SIGQUIT', 'SIGBREAK']);

/** The steps that deliver `signal` to the process tree rooted at `pid`. */
export function signalSteps(request: SignalRequest): StopStep[] {
  const { platform, pid, rootAlive, hasIpc, signal } = request;
  if (!isWindows(platform)) return [{ kind: 'signal', signal }];
  if (pid === null || !rootAlive) return [];
  if (signal === 'SIGKILL') return [{ kind: 'taskkill', args: forcedTreeKillArgs(pid) }];
  if (!STOP_SIGNALS.has(signal)) return [];
  return [...(hasIpc ? [{ kind: 'message', message: SHUTDOWN_MESSAGE } as const] : []), { kind: 'taskkill', args: gracefulTreeKillArgs(pid) }];
}

export interface StopPlan {
  /** Sent first. */
  graceful: StopStep[];
  /** Sent when the process outlived kill_timeout. */
  forced: StopStep[];
}

/** A whole stop: `killSignal` (the daemon's is SIGINT) gracefully, then the forced kill. */
export function stopPlan(request: Omit<SignalRequest, 'signal'> & { killSignal: NodeJS.Signals }): StopPlan {
  const { killSignal, ...rest } = request;
  return { graceful: signalSteps({ ...rest, signal: killSignal }), forced: signalSteps({ ...rest, signal: 'SIGKILL' }) };
}

/** What running a plan needs from the launcher: each a seam, so tests run the Windows branch on Linux. */
export interface StopEffects {
  signal(signal: NodeJS.Signals): void;
  /** False when the channel is closed. */
  send(message: string): boolean;
  taskkill(args: string[]): void;
}

/** Runs `steps` in order. */
export function runStopSteps(steps: readonly StopStep[], effects: StopEffects): void {
  for (const step of steps) {
    if (step.kind === 'signal') effects.signal(step.signal);
    else if (step.kind === 'message') effects.send(step.message);
    else effects.taskkill(step.args);
  }
}

/** What deliverSignal needs of a child: node:child_process's ChildProcess has it. */
export interface SignalledChild {
  readonly pid?: number | undefined;
  readonly exitCode: number | null;
  readonly signalCode: NodeJS.Signals | null;
  readonly connected: boolean;
  send(message: string, callback: (error: Error | null) => void): boolean;
}

/**
 * Delivers `signal` to the tree of `child`, a child of this process, by the platform's plan:
 * `signalTree` on POSIX (the launcher's own way, given whether the child is still unreaped), the
 * shutdown message and taskkill on Windows. Used by the daemon's fork launcher and the cluster primary.
 */
export function deliverSignal(
  child: SignalledChild,
  signal: NodeJS.Signals,
  options: { platform: Platform; taskkill: (args: string[]) => void; signalTree: (signal: NodeJS.Signals, rootAlive: boolean) => void },
): void {
  // Until Node has reaped the child (exitCode/signalCode set in the same tick), its pid is its own. On
  // Windows that is all there is to prove a pid with: Node holds the child's process handle until then,
  // so the pid cannot have been reused when taskkill /T starts from it.
  const rootAlive = (): boolean => child.pid !== undefined && child.exitCode === null && child.signalCode === null;
  const steps = signalSteps({ platform: options.platform, pid: child.pid ?? null, rootAlive: rootAlive(), hasIpc: child.connected, signal });
  runStopSteps(steps, {
    signal: (name) => options.signalTree(name, rootAlive()),
    send: (message) => {
      if (!child.connected) return false;
      try {
        return child.send(message, (error) => void error);
      } catch {
        return false;
      }
    },
    taskkill: options.taskkill,
  });
}
