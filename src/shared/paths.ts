import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { isPipeAddress, maxSocketPathBytes, socketAddress } from './platform/addresses';
import { currentPlatform, type Platform } from './platform/platform';

export interface HomePaths {
  home: string;
  /** Unix sockets in the home, named pipes on Windows (platform/addresses.ts). */
  rpcSocket: string;
  pubSocket: string;
  /** Cluster workers' stdout/stderr connect here (output-sockets.ts). */
  outputSocket: string;
  /** The running daemon's secret for the connection handshake (daemon-key.ts, handshake.ts). */
  keyFile: string;
  pidFile: string;
  daemonLog: string;
  logsDir: string;
  pidsDir: string;
  dump: string;
  /** The single-daemon lock (src/daemon/lock.ts): holds one entry naming the holder's socket. */
  lockDir: string;
}

/** CORRAL_HOME, else ~/.corral. */
export function resolveHome(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.CORRAL_HOME;
  return resolve(fromEnv && fromEnv.length > 0 ? fromEnv : join(homedir(), '.corral'));
}

/** sun_path is 108 bytes on Linux (104 on macOS and the BSDs), terminator included: platform/addresses.ts. */
export const MAX_SOCKET_PATH_BYTES = maxSocketPathBytes(currentPlatform());

/**
 * The lock's socket is `<home>/<entry>` with an entry of at most this many bytes: no longer than
 * "pub.sock", so the check below covers it too.
 */
export const LOCK_ENTRY_MAX_BYTES = 8;

/** A message when the home is too deep for its sockets, else undefined. */
export function socketPathProblem(paths: HomePaths): string | undefined {
  const longest = paths.outputSocket;
  if (isPipeAddress(longest)) return undefined; // a pipe's name does not grow with the home
  const length = Buffer.byteLength(longest);
  if (length <= MAX_SOCKET_PATH_BYTES) return undefined;
  return `CORRAL_HOME is too long for unix sockets: ${longest} is ${length} bytes, the limit is ${MAX_SOCKET_PATH_BYTES}; choose a shorter CORRAL_HOME`;
}

export function homePaths(home: string, platform: Platform = currentPlatform()): HomePaths {
  return {
    home,
    rpcSocket: socketAddress(home, 'rpc', platform),
    pubSocket: socketAddress(home, 'pub', platform),
    outputSocket: socketAddress(home, 'output', platform),
    keyFile: join(home, 'daemon.key'),
    pidFile: join(home, 'daemon.pid'),
    daemonLog: join(home, 'daemon.log'),
    logsDir: join(home, 'logs'),
    pidsDir: join(home, 'pids'),
    dump: join(home, 'dump.json'),
    lockDir: join(home, 'lock'),
  };
}
