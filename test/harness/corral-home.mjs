// Stops the Corral daemon and the apps it started from a test CORRAL_HOME, using the pid files the daemon
// writes (daemon.pid, pids/*.pid). The daemon gets SIGTERM first so it can stop its apps itself. A pid is
// only signalled if the process carries the run's tag: a stale pid file must never hit a recycled pid.
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { carriesTag, stopProcess } from './processes.mjs';

function readPid(file, tag) {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 && carriesTag(pid, tag) ? pid : undefined;
  } catch {
    return undefined;
  }
}

export async function stopCorralProcesses(corralHome, tag) {
  const stopped = [];
  const daemon = readPid(path.join(corralHome, 'daemon.pid'), tag);
  if (daemon) {
    await stopProcess(daemon, { graceMs: 8_000 });
    stopped.push(daemon);
  }
  let appPidFiles = [];
  try {
    appPidFiles = readdirSync(path.join(corralHome, 'pids')).filter((name) => name.endsWith('.pid'));
  } catch {
    // No apps were ever started.
  }
  for (const name of appPidFiles) {
    const pid = readPid(path.join(corralHome, 'pids', name), tag);
    if (pid) {
      await stopProcess(pid, { graceMs: 3_000 });
      stopped.push(pid);
    }
  }
  return stopped;
}
