/**
 * Ending a process tree on Windows, where there are no signals to send: `taskkill /T` walks the tree
 * from a pid.
 *
 * Why two steps, and why Node apps are asked first: taskkill without /F posts WM_CLOSE to the
 * process's top-level windows, so it only reaches programs that have a window (GUI apps). A console
 * program such as node.exe started with windowsHide has none and ignores it. Node's
 * `subprocess.kill('SIGTERM')` on Windows is TerminateProcess, i.e. a forced kill: there is no
 * graceful signal. PM2 therefore sends Node apps a `shutdown` message over the IPC channel first (the
 * app may listen for `process.on('message')` and exit cleanly), waits kill_timeout, and only then kills
 * the tree with `taskkill /T /F`.
 */

/** `taskkill /PID <pid> /T`: asks every window in the tree to close. */
export function gracefulTreeKillArgs(pid: number): string[] {
  return ['/PID', checkedPid(pid), '/T'];
}

/** `taskkill /PID <pid> /T /F`: terminates the whole tree at once. */
export function forcedTreeKillArgs(pid: number): string[] {
  return ['/PID', checkedPid(pid), '/T', '/F'];
}

function checkedPid(pid: number): string {
  if (!Number.isSafeInteger(pid) || pid <= 0) throw new RangeError(`not a pid: ${pid}`);
  return String(pid);
}
