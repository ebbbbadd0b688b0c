/**
 * Paths from ecosystem files. A file written on Windows says `C:\app\server.js`, `c:/app` or
 * `\\server\share\app`; on Windows these are resolved with win32 (both separators, drive letters,
 * UNC). Elsewhere a backslash is an ordinary character in a file name, so paths stay POSIX paths.
 */
import { PlatformPath, posix, win32 } from 'node:path';
import { isWindows, type Platform } from './platform';

export function pathModule(platform: Platform): PlatformPath {
  return isWindows(platform) ? win32 : posix;
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
  const normalized = win32.normalize(value);
  return /^[a-z]:/.test(normalized) ? normalized[0].toUpperCase() + normalized.slice(1) : normalized;
}

/**
 * A path in the form used to compare it, for the editor's side (VS Code's Uri.fsPath writes `c:\x`, the
 * daemon and ecosystem files `C:\x` or `c:/x`). Windows: both separators, case-insensitive (NTFS, as the
 * user sees it). Elsewhere exact: APFS and ext4 can be case-sensitive, so only `.`, `..` and repeated or
 * trailing slashes are folded.
 */
export function comparablePath(value: string, platform: Platform): string {
  const paths = pathModule(platform);
  let normalized = paths.normalize(value);
  const root = paths.parse(normalized).root;
  while (normalized.length > root.length && normalized.endsWith(paths.sep)) normalized = normalized.slice(0, -1);
  return isWindows(platform) ? normalized.toLowerCase() : normalized;
}

/** True when `a` and `b` name the same file by the platform's rules (no file-system access). */
export function samePath(a: string, b: string, platform: Platform): boolean {
  return comparablePath(a, platform) === comparablePath(b, platform);
}

/** True when `file` is `root` or lies below it, by the platform's rules. */
export function isInside(file: string, root: string, platform: Platform): boolean {
  const sep = pathModule(platform).sep;
  const inner = comparablePath(file, platform);
  const outer = comparablePath(root, platform);
  return inner === outer || inner.startsWith(outer.endsWith(sep) ? outer : outer + sep);
}

/** The folders and file name of `file` below `root`, or undefined when it is not inside. */
export function segmentsBelow(file: string, root: string, platform: Platform): string[] | undefined {
  if (!isInside(file, root, platform)) return undefined;
  const paths = pathModule(platform);
  const relative = paths.relative(paths.normalize(root), paths.normalize(file));
  return relative === '' ? [] : relative.split(paths.sep);
}

/**
 * `~`, `~/x` and, on Windows, `~\x` with the user's home folder, then resolved against `base` with the
 * platform's rules. `~user` is left alone (the shell's business, and not Windows').
 */
export function expandHomePath(value: string, homeDir: string, base: string, platform: Platform): string {
  const tilde = isWindows(platform) ? /^~(?=$|[\\/])/ : /^~(?=$|\/)/;
  return pathModule(platform).resolve(
    base,
    value.replace(tilde, () => homeDir),
  );
}

/** A path as shown to a person: Windows' own form there (backslashes, upper-case drive), as given elsewhere. */
export function displayPath(value: string, platform: Platform): string {
  return isWindows(platform) ? normalizeWindowsPath(value) : value;
}
