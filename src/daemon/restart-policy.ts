/** What happens after a process exits on its own: pure arithmetic over PM2's options. */
import { BACKOFF, type AppConfig } from '../shared/config';

export type RestartOptions = Pick<
  AppConfig,
  'autorestart' | 'stop_exit_codes' | 'min_uptime' | 'max_restarts' | 'restart_delay' | 'exp_backoff_restart_delay'
>;

export interface RestartState {
  /** Consecutive exits younger than min_uptime. */
  unstableRestarts: number;
  /** The last exponential-backoff delay used, 0 when none is in force. */
  backoffMs: number;
}

export interface ExitFacts {
  code: number | null;
  signal: string | null;
  uptimeMs: number;
}

export type RestartDecision =
  | { action: 'stop'; detail: string; state: RestartState }
  | { action: 'errored'; detail: string; state: RestartState }
  | { action: 'restart'; delayMs: number; detail: string; state: RestartState };

export const INITIAL_RESTART_STATE: RestartState = { unstableRestarts: 0, backoffMs: 0 };

export function describeExit(exit: ExitFacts): string {
  const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code ?? 'unknown'}`;
  return `${how} after ${exit.uptimeMs} ms`;
}

export function decideAfterExit(options: RestartOptions, state: RestartState, exit: ExitFacts): RestartDecision {
  const what = describeExit(exit);
  if (!options.autorestart) return { action: 'stop', detail: `${what}; autorestart is off`, state };
  if (exit.code !== null && options.stop_exit_codes.includes(exit.code)) {
    return { action: 'stop', detail: `${what}; ${exit.code} is a stop_exit_code`, state };
  }
  const unstable = exit.uptimeMs < options.min_uptime;
  const unstableRestarts = unstable ? state.unstableRestarts + 1 : 0;
  if (unstable && unstableRestarts > options.max_restarts) {
    return {
      action: 'errored',
      detail: `${what}; ${options.max_restarts} consecutive restarts within min_uptime (${options.min_uptime} ms), giving up`,
      state: { unstableRestarts: unstableRestarts - 1, backoffMs: state.backoffMs },
    };
  }
  let delayMs = options.restart_delay;
  let backoffMs = 0;
  if (options.exp_backoff_restart_delay > 0) {
    const previous = exit.uptimeMs >= BACKOFF.resetAfterMs ? 0 : state.backoffMs;
    backoffMs = previous === 0 ? options.exp_backoff_restart_delay : Math.min(Math.round(previous * BACKOFF.factor), BACKOFF.maxMs);
    delayMs = backoffMs;
  }
  return { action: 'restart', delayMs, detail: `${what}; restarting in ${delayMs} ms`, state: { unstableRestarts, backoffMs } };
}
