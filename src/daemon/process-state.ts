/**
 * The state machine of one managed process: the table of transitions, and ProcessState, which
 * holds a process's status and is the only place it changes (`move`, along the table). A change the
 * table does not list throws, always: it is a bug, and carrying on would leave the status and the
 * child disagreeing. (Thrown from an operation it fails that request; from a child's exit it goes to
 * daemon.log.)
 *
 *   from             event          to                when
 *   stopped          launch         launching         start, restart, scale up
 *   errored          launch         launching         start or restart after a failed launch or a crash loop
 *   waiting-restart  launch         launching         the restart delay ran out (the crash relaunch)
 *   launching        up             online            spawned; with wait_ready, 'ready' came (or listen_timeout passed)
 *   launching        launch-failed  errored           could not be spawned
 *   online           reloaded       online            cluster reload: the new worker took over, the old one retires
 *   launching        stop           stopping          stop, restart, reload or delete while waiting for 'ready'
 *   online           stop           stopping          stop, restart, delete, scale down
 *   waiting-restart  stop           stopped           stop or restart while waiting to restart ("restart cancelled")
 *   stopping         exit           stopped           the child exited after we asked it to (or crashed meanwhile)
 *   launching        exit-restart   waiting-restart   exited on its own; the restart policy restarts it after a delay
 *   online           exit-restart   waiting-restart
 *   launching        exit-stop      stopped           exited on its own; autorestart off, or a stop_exit_code
 *   online           exit-stop      stopped
 *   launching        exit-errored   errored           exited on its own; too unstable, the policy gives up
 *   online           exit-errored   errored
 *
 * Nothing else: a stop of a stopped or errored process changes nothing, and no operation starts
 * while another runs (they are queued per process), so `stopping` only ends by the child's exit.
 */
import { CorralError, ErrorCode } from '../shared/errors';
import { ProcessStatus, type RestartRecord, type StateReason } from '../shared/protocol';

export const STATE_EVENTS = ['launch', 'up', 'launch-failed', 'reloaded', 'stop', 'exit', 'exit-restart', 'exit-stop', 'exit-errored'] as const;
export type StateEvent = (typeof STATE_EVENTS)[number];

/** The table above: each status, the events it accepts and where they lead. */
export const TRANSITIONS = {
  [ProcessStatus.Stopped]: { launch: ProcessStatus.Launching },
  [ProcessStatus.Errored]: { launch: ProcessStatus.Launching },
  [ProcessStatus.WaitingRestart]: { launch: ProcessStatus.Launching, stop: ProcessStatus.Stopped },
  [ProcessStatus.Launching]: {
    up: ProcessStatus.Online,
    'launch-failed': ProcessStatus.Errored,
    stop: ProcessStatus.Stopping,
    'exit-restart': ProcessStatus.WaitingRestart,
    'exit-stop': ProcessStatus.Stopped,
    'exit-errored': ProcessStatus.Errored,
  },
  [ProcessStatus.Online]: {
    reloaded: ProcessStatus.Online,
    stop: ProcessStatus.Stopping,
    'exit-restart': ProcessStatus.WaitingRestart,
    'exit-stop': ProcessStatus.Stopped,
    'exit-errored': ProcessStatus.Errored,
  },
  [ProcessStatus.Stopping]: { exit: ProcessStatus.Stopped },
} as const satisfies Record<ProcessStatus, Partial<Record<StateEvent, ProcessStatus>>>;

/** Where `event` leads from `from`; throws E_INTERNAL naming both when the table has no such move. */
export function nextStatus(from: ProcessStatus, event: StateEvent): ProcessStatus {
  const to = (TRANSITIONS[from] as Partial<Record<StateEvent, ProcessStatus>>)[event];
  if (to === undefined) throw new CorralError(ErrorCode.Internal, `invalid state transition: ${event} while ${from}`);
  return to;
}

/** Every (from, event, to) of the table, for tests and docs. */
export function allTransitions(): Array<{ from: ProcessStatus; event: StateEvent; to: ProcessStatus }> {
  return Object.entries(TRANSITIONS).flatMap(([from, moves]) =>
    Object.entries(moves).map(([event, to]) => ({ from: from as ProcessStatus, event: event as StateEvent, to: to as ProcessStatus })),
  );
}

const HISTORY_LIMIT = 20;

/** Why an operation happens, carried into the state events it causes. */
export interface Cause {
  reason: StateReason;
  detail?: string;
  /** For watch restarts: the changed files. */
  files?: string[];
}

/**
 * A status and what it holds: the launch (`L`) while launching, online or stopping, the restart
 * delay (`D`) while waiting to restart, nothing otherwise. So the child and a pending restart are
 * read from the status, never kept beside it.
 */
export type Phase<L, D> =
  | { status: typeof ProcessStatus.Stopped | typeof ProcessStatus.Errored }
  | { status: typeof ProcessStatus.WaitingRestart; delay: D }
  | { status: typeof ProcessStatus.Launching | typeof ProcessStatus.Online | typeof ProcessStatus.Stopping; launch: L };

/** One process's phase, its last reason and its history of changes. */
export class ProcessState<L, D extends { end(): void }> {
  private current: Phase<L, D> = { status: ProcessStatus.Stopped };
  lastReason: StateReason | null = null;
  lastDetail: string | null = null;
  readonly history: RestartRecord[] = [];
  private settleWaiters: Array<() => void> = [];

  /** `announce` tells the change (daemon.log, clients), after it is made. */
  constructor(private readonly announce: (status: ProcessStatus, cause: Cause) => void) {}

  get phase(): Readonly<Phase<L, D>> {
    return this.current;
  }

  get status(): ProcessStatus {
    return this.current.status;
  }

  get launch(): L | null {
    return 'launch' in this.current ? this.current.launch : null;
  }

  /**
   * The one place the status changes. The launch carries over (launching -> online -> stopping)
   * unless `next` brings a new one; leaving waiting-restart ends its delay.
   */
  move(event: StateEvent, cause: Cause, next: { launch?: L; delay?: D } = {}): void {
    const previous = this.current;
    const status = nextStatus(previous.status, event);
    const launch = next.launch ?? ('launch' in previous ? previous.launch : undefined);
    if (status === ProcessStatus.WaitingRestart) {
      if (!next.delay) throw new CorralError(ErrorCode.Internal, `${event} to ${status} needs a restart delay`);
      this.current = { status, delay: next.delay };
    } else if (status === ProcessStatus.Launching || status === ProcessStatus.Online || status === ProcessStatus.Stopping) {
      if (launch === undefined) throw new CorralError(ErrorCode.Internal, `${event} to ${status} needs a launch`);
      this.current = { status, launch };
    } else {
      this.current = { status };
    }
    if ('delay' in previous) previous.delay.end(); // no move stays in waiting-restart
    const detail = cause.detail ?? '';
    this.lastReason = cause.reason;
    this.lastDetail = detail || null;
    if (cause.reason !== 'start' || status !== ProcessStatus.Online) {
      this.history.push({ at: Date.now(), reason: cause.reason, detail: `${status}${detail ? `: ${detail}` : ''}` });
      if (this.history.length > HISTORY_LIMIT) this.history.shift();
    }
    this.announce(status, cause);
    if (status !== ProcessStatus.Launching) {
      const waiters = this.settleWaiters;
      this.settleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  /** Resolves once the process is no longer launching (online, crashed, errored or stopped). */
  settled(): Promise<void> {
    if (this.status !== ProcessStatus.Launching) return Promise.resolve();
    return new Promise((resolve) => this.settleWaiters.push(resolve));
  }
}
