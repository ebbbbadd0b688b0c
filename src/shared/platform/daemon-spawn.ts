/** How a client starts the daemon so that it outlives the client, per platform. */
import { isWindows, type Platform } from './platform';

export interface DaemonSpawnOptions {
  detached: true;
  windowsHide?: true;
  stdio: ['ignore', number, number, 'pipe'];
}

/**
 * POSIX: detached puts the daemon in a session of its own, so the terminal's hangup and the
 * client's process group do not reach it. Windows: detached lets it outlive the client but gives it
 * a console of its own, and windowsHide keeps that console from opening a window (PM2 #2182).
 * stdout and stderr go to daemon.log; fd 3 is the start-report pipe (shared/daemon-start.ts).
 */
export function daemonSpawnOptions(platform: Platform, logFd: number): DaemonSpawnOptions {
  const options: DaemonSpawnOptions = { detached: true, stdio: ['ignore', logFd, logFd, 'pipe'] };
  if (isWindows(platform)) options.windowsHide = true;
  return options;
}
