/**
 * The state machine of one managed process. `nextStatus` is the only way a status changes
 * (ManagedProcess.move calls it); a change the table does not list throws, always: it is a bug, and
 * carrying on would leave the status and the child disagreeing.
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
import { ProcessStatus } from '../shared/protocol';

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
