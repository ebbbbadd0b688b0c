/**
 * Paths from ecosystem files. A file written on Windows says `C:\app\server.js`, `c:/app` or
 * `\\server\share\app`; on Windows these are resolved with path.win32 (both separators, drive letters,
 * UNC). Elsewhere a backslash is an ordinary character in a file name, so paths stay POSIX paths.
 */
import * as path from 'node:path';
import { isWindows, type Platform } from './platform';

export function pathModule(platform: Platform): path.PlatformPath {
  return isWindows(platform) ? path.win32 : path.posix;
}

/** `value` resolved against `base` with the platform's rules. */
export function resolveAppPath(base: string, value: string, platform: Platform): string {
  return pathModule(platform).resolve(base, value);
}

export function isAbsoluteAppPath(value: string, platform: Platform): boolean {
  return pathModule(platform).isAbsolute(value);
}

/** Windows' own form of an absolute path: backslashes, upper-case drive letter, `..` folded. */
export function normalizeWindowsPath(value: string): string {
  const normalized = path.win32.normalize(value);
  return /^[a-z]:/.test(normalized) ? normalized[0].toUpperCase() + normalized.slice(1) : normalized;
}
