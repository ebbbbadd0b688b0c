/**
 * Where clients reach the daemon: unix sockets in the home, or on Windows named pipes whose names are
 * derived from the home (pipes live in one machine-wide namespace, not in a folder).
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
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
 * path.win32, drive letter lower-cased, trailing separators dropped. NTFS is case-insensitive, but
 * only the drive letter is folded: two homes differing in case elsewhere are rare, and folding all of
 * it would need the locale's rules.
 */
export function windowsHomeKey(home: string): string {
  let resolved = path.win32.resolve(home);
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
 * Not yet used by the daemon. Before it is: Node's net API creates a pipe with the default security
 * descriptor, which also lets Everyone open it for reading, so owner-only needs more than listen()
 * (pub.sock carries log lines); and pm2-axon passes addresses through url.parse, which turns the
 * backslashes into `//./pipe/...`, a form Windows normalizes back for `\\.\` device paths.
 */
export function socketAddress(home: string, kind: SocketKind, platform: Platform): string {
  if (isWindows(platform)) return `\\\\.\\pipe\\corral-${homeHash(home)}-${kind}`;
  return path.posix.join(home, SOCKET_FILES[kind]);
}
