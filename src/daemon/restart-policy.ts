/**
 * What happens after a process exits on its own: pure arithmetic over PM2's options. Two rules end a
 * crash loop: PM2's (more than max_restarts exits in a row, each younger than min_uptime) and a rate
 * window that does not depend on how fast the machine boots the app (more than max_restarts crashes
 * within max_restarts_window, however long each run lasted; like systemd's StartLimitBurst within
 * StartLimitIntervalSec). On a loaded machine a crashing app can take longer than min_uptime just to
 * start, so the first rule alone never fires there.
 */
import { BACKOFF, type AppConfig } from '../shared/config';

export type RestartOptions = Pick<
  AppConfig,
  'autorestart' | 'stop_exit_codes' | 'min_uptime' | 'max_restarts' | 'max_restarts_window' | 'restart_delay' | 'exp_backoff_restart_delay'
>;

export interface RestartState {
  /** Consecutive exits younger than min_uptime. */
  unstableRestarts: number;
  /** The last exponential-backoff delay used, 0 when none is in force. */
  backoffMs: number;
  /** When the crashes (exits with a non-zero code or a signal) inside max_restarts_window happened. */
  crashTimes: readonly number[];
}

export interface ExitFacts {
  code: number | null;
  signal: string | null;
  uptimeMs: number;
  /** When the exit happened (ms since the epoch). */
  at: number;
  /** SIGKILLed by us after kill_timeout (child-handle.ts ExitResult). */
  forced?: boolean;
  /** Ended by Corral because a probe failed (what failed): a crash whatever the exit code. */
  failure?: string;
}

export type RestartDecision =
  | { action: 'stop'; detail: string; state: RestartState }
  | { action: 'errored'; detail: string; state: RestartState }
  | { action: 'restart'; delayMs: number; detail: string; state: RestartState };

export const INITIAL_RESTART_STATE: RestartState = { unstableRestarts: 0, backoffMs: 0, crashTimes: [] };

export function describeExit(exit: Omit<ExitFacts, 'at'>): string {
  const how = exit.signal ? `was killed by ${exit.signal}${exit.forced ? ' (no exit within kill_timeout)' : ''}` : `exited with code ${exit.code ?? 'unknown'}`;
  return `${how} after ${exit.uptimeMs} ms`;
}

export function decideAfterExit(options: RestartOptions, state: RestartState, exit: ExitFacts): RestartDecision {
  const what = exit.failure ? `${exit.failure}; ${describeExit(exit)}` : describeExit(exit);
  if (!options.autorestart) return { action: 'stop', detail: `${what}; autorestart is off`, state };
  if (exit.code !== null && options.stop_exit_codes.includes(exit.code) && !exit.failure) {
    return { action: 'stop', detail: `${what}; ${exit.code} is a stop_exit_code`, state };
  }
  const unstable = exit.uptimeMs < options.min_uptime;
  const unstableRestarts = unstable ? state.unstableRestarts + 1 : 0;
  if (unstable && unstableRestarts > options.max_restarts) {
    return {
      action: 'errored',
      detail: `${what}; ${options.max_restarts} consecutive restarts within min_uptime (${options.min_uptime} ms), giving up`,
      state: { ...state, unstableRestarts: unstableRestarts - 1 },
    };
  }
  // A clean exit (code 0) is a job that finished, as PM2 users rely on to rerun one: never a crash.
  const crashed = exit.failure !== undefined || exit.signal !== null || (exit.code !== null && exit.code !== 0);
  const window = options.max_restarts_window;
  const crashTimes = window > 0 ? [...state.crashTimes, ...(crashed ? [exit.at] : [])].filter((at) => at > exit.at - window) : [];
  if (crashed && crashTimes.length > options.max_restarts) {
    return {
      action: 'errored',
      detail: `${what}; ${crashTimes.length} crashes within max_restarts_window (${window} ms), more than max_restarts (${options.max_restarts}): a crash loop, giving up`,
      state: { ...state, unstableRestarts, crashTimes },
    };
  }
  let delayMs = options.restart_delay;
  let backoffMs = 0;
  if (options.exp_backoff_restart_delay > 0) {
    const previous = exit.uptimeMs >= BACKOFF.resetAfterMs ? 0 : state.backoffMs;
    backoffMs = previous === 0 ? options.exp_backoff_restart_delay : Math.min(Math.round(previous * BACKOFF.factor), BACKOFF.maxMs);
    delayMs = backoffMs;
  }
  return { action: 'restart', delayMs, detail: `${what}; restarting in ${delayMs} ms`, state: { unstableRestarts, backoffMs, crashTimes } };
}
