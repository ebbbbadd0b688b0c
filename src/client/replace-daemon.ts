/**
 * Ending a daemon and putting another in its place, through its own RPC: `kill` (and `save` before
 * it), which every protocol version has. No signal to a pid read from a file: that pid may no longer
 * be the daemon, and on Windows a signal is a forced kill that leaves the apps no chance to stop.
 */
import { DaemonClient, type ConnectOptions } from './client';
import { processAlive } from './process-alive';
import { CorralError, ErrorCode } from '../shared/errors';
import type { DaemonInfo } from '../shared/protocol';

/** Stops a kill_timeout as long as users set it. */
const LONG_CALL_MS = 10 * 60_000;

/** Stops every app and the daemon, and waits until its pid is gone. */
export async function endDaemon(client: DaemonClient): Promise<{ pid: number; stopped: number; problems: string[] }> {
  const pid = client.daemon.pid;
  let stopped = 0;
  let problems: string[] = [];
  try {
    ({ stopped, problems = [] } = await client.call('kill', {}, LONG_CALL_MS));
  } catch (error) {
    if (!(error instanceof CorralError && error.code === ErrorCode.DaemonUnavailable)) throw error;
  } finally {
    client.close();
  }
  const deadline = Date.now() + 10_000;
  while (processAlive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  if (processAlive(pid)) throw new CorralError(ErrorCode.Timeout, `the daemon (pid ${pid}) did not exit`);
  return { pid, stopped, problems };
}

export interface Replacement {
  before: DaemonInfo;
  client: DaemonClient;
  /** The apps back under the new daemon. */
  processes: number;
  /** What the old daemon could not save or stop, and what the new one could not bring back. */
  warnings: string[];
}

/**
 * Saves the running daemon's list (of any protocol version), ends it, starts this version's daemon
 * and brings the list back. Nothing is stopped when the save fails.
 */
export async function replaceDaemon(options: ConnectOptions): Promise<Replacement> {
  const old = await DaemonClient.connect({ ...options, spawn: false, anyProtocol: true });
  const before = old.daemon;
  try {
    await old.call('save', {});
  } catch (error) {
    old.close();
    throw new CorralError(ErrorCode.Io, `nothing was stopped, because the list could not be saved first: ${(error as Error).message}`, { cause: error });
  }
  const { problems } = await endDaemon(old);
  const client = await DaemonClient.connect({ ...options, spawn: true, anyProtocol: false });
  const { processes, warnings } = await client.call('resurrect', {}, LONG_CALL_MS);
  return { before, client, processes: processes.length, warnings: [...problems, ...warnings] };
}
