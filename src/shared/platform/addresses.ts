/**
 * Where clients reach the daemon: unix sockets in the home, or on Windows named pipes whose names are
 * derived from the home (pipes live in one machine-wide namespace, not in a folder).
 */
import { createHash } from 'node:crypto';
import { posix, win32 } from 'node:path';
import { isBsdLike, isWindows, type Platform } from './platform';

export type SocketKind = 'rpc' | 'pub' | 'output';

const SOCKET_FILES: Record<SocketKind, string> = { rpc: 'rpc.sock', pub: 'pub.sock', output: 'output.sock' };

/**
 * The longest unix socket path, in bytes, without sun_path's terminator: sun_path is 108 bytes on
 * Linux and 104 on macOS and the BSDs. Named pipes have no such limit (256 characters for the name).
 */
export function maxSocketPathBytes(platform: Platform): number {
  return isBsdLike(platform) ? 103 : 107;
}

/**
 * The same home always gives the same key on Windows, however it was written: resolved with
 * win32, drive letter lower-cased, trailing separators dropped. NTFS is case-insensitive, but
 * only the drive letter is folded: two homes differing in case elsewhere are rare, and folding all of
 * it would need the locale's rules.
 */
export function windowsHomeKey(home: string): string {
  let resolved = win32.resolve(home);
  if (/^[A-Za-z]:/.test(resolved)) resolved = resolved[0].toLowerCase() + resolved.slice(1);
  if (resolved.length > 3) resolved = resolved.replace(/\\+$/, '');
  return resolved;
}

/** 16 hex digits of SHA-256: short enough for a readable pipe name, far from colliding between homes. */
export function homeHash(home: string): string {
  return createHash('sha256').update(windowsHomeKey(home)).digest('hex').slice(0, 16);
}

/**
 * `\\.\pipe\corral-<hash of the home>-<kind>` on Windows, `<home>/<kind>.sock` elsewhere.
 *
 * A pipe made through Node's net API gets the default security descriptor, which also lets Everyone
 * open it for reading, and anyone may create a pipe whose name they can guess. Neither reaches our
 * data: rpc and pub speak only after both ends prove they know the daemon's key (shared/handshake.ts),
 * and the output pipe's name carries a random part of each daemon's (unguessable, below). Corral
 * listens and connects with Node's net API itself, so no library rewrites these names on the way.
 */
export function socketAddress(home: string, kind: SocketKind, platform: Platform): string {
  if (isWindows(platform)) return `${PIPE_PREFIX}corral-${homeHash(home)}-${kind}`;
  return posix.join(home, SOCKET_FILES[kind]);
}

const PIPE_PREFIX = '\\\\.\\pipe\\';

/** A named pipe (no file to remove or chmod), as opposed to a unix socket's path. */
export function isPipeAddress(address: string): boolean {
  return /^[\\/]{2}[.?][\\/]pipe[\\/]/i.test(address);
}

/**
 * A pipe name no one can guess before the daemon listens on it: `address` with a random suffix. A
 * unix socket in the owner-only home needs none and stays as it is.
 */
export function unguessable(address: string, random: string): string {
  return isPipeAddress(address) ? `${address}-${random}` : address;
}

/** The Windows single-daemon lock: a pipe exists only while its server lives, and only one may own a name. */
export function lockPipeAddress(home: string): string {
  return `${PIPE_PREFIX}corral-${homeHash(home)}-lock`;
}
