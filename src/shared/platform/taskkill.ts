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
import { execFile } from 'node:child_process';
import { win32 } from 'node:path';

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

/**
 * Runs taskkill; what it says is not read (a tree already gone, or a console program refusing a
 * graceful close, is an error to it and nothing to us). A seam, so tests record the calls instead.
 */
export type TaskkillRunner = (args: string[]) => void;

/** taskkill.exe in System32, by its full path: a taskkill earlier on PATH (the app's cwd) is never run. */
export function taskkillPath(env: NodeJS.ProcessEnv): string {
  return win32.join(env.SystemRoot ?? env.SYSTEMROOT ?? 'C:\\Windows', 'System32', 'taskkill.exe');
}

const TASKKILL_TIMEOUT_MS = 10_000;

/**
 * The real runner (Windows only): execFile, no shell, no console window, bounded in time. Here rather
 * than in the daemon because the cluster primary (src/primary, which may import only src/shared) runs
 * it for its workers too.
 */
export const execTaskkill: TaskkillRunner = (args) => {
  execFile(taskkillPath(process.env), args, { windowsHide: true, shell: false, timeout: TASKKILL_TIMEOUT_MS }, () => undefined);
};
