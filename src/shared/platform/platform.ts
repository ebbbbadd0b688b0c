/**
 * The one place that reads process.platform. Everything platform-specific in src/shared/platform takes
 * the platform as a parameter, so Linux tests can run the Windows and macOS branches.
 */

/** Node's platform names that Corral decides on; anything else is treated like its POSIX kin. */
export type Platform = NodeJS.Platform;

export function currentPlatform(): Platform {
  return process.platform;
}

export function isWindows(platform: Platform): boolean {
  return platform === 'win32';
}

/** macOS and the BSDs: sun_path is 104 bytes and there is no /proc to rely on. */
export function isBsdLike(platform: Platform): boolean {
  return platform === 'darwin' || platform === 'freebsd' || platform === 'openbsd' || platform === 'netbsd';
}
