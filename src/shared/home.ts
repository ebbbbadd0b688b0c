/**
 * The home must be the user's own before a daemon runs from it: a dump.json or a pids/ entry that
 * another user could write would run their code as us. Checked by the daemon before it touches the
 * home and by the client before it spawns one, so the refusal is one immediate line, not a timeout.
 * A new home and its folders are created 0700; an existing one is never re-moded behind the user's
 * back (a setgid or group-shared folder is the user's choice, or their mistake to fix).
 */
import { Stats, chmodSync, mkdirSync, rmdirSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { CorralError, ErrorCode } from './errors';
import type { HomePaths } from './paths';
import { printable } from './printable';
import { makeOwnerOnly } from './platform/owner-only';
import { currentPlatform } from './platform/platform';

function refuse(message: string): never {
  throw new CorralError(ErrorCode.UnsafeHome, message);
}

function octal(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0');
}

/** Refuses a file or folder that is not ours, or that our group or others could write. */
function checkOwnership(file: string, stat: Stats, uid: number): void {
  const shown = printable(file, 300);
  if (stat.uid !== uid) refuse(`${shown} is owned by uid ${stat.uid}, not you (uid ${uid}): use your own CORRAL_HOME or chown it`);
  const loose = stat.mode & 0o022;
  if (loose !== 0) {
    const who = loose === 0o022 ? 'its group and others' : loose === 0o020 ? 'its group' : 'others';
    refuse(`${shown} is writable by ${who} (mode ${octal(stat.mode)}): run chmod go-w ${shown}, or use another CORRAL_HOME`);
  }
}

function statOrNull(file: string): Stats | null {
  try {
    return statSync(file); // follows a symlink: what counts is who can write what it points at
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** A folder that is ours and closed to others; created 0700 when missing (create) or skipped. */
function ensureFolder(dir: string, uid: number, create: boolean): void {
  let stat = statOrNull(dir);
  if (!stat) {
    if (!create) return;
    try {
      // recursive: CORRAL_HOME's parents may not exist yet (they get 0700 too).
      if (mkdirSync(dir, { recursive: true, mode: 0o700 }) !== undefined) chmodSync(dir, 0o700); // a strict umask must not leave it unusable
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    stat = statSync(dir); // re-read: another process may have made it first
  }
  if (!stat.isDirectory()) refuse(`${printable(dir, 300)} is not a folder: remove it, or use another CORRAL_HOME`);
  checkOwnership(dir, stat, uid);
}

function checkFile(file: string, uid: number): void {
  const stat = statOrNull(file);
  if (!stat) return;
  if (!stat.isFile()) refuse(`${printable(file, 300)} is not a regular file: remove it, or use another CORRAL_HOME`);
  checkOwnership(file, stat, uid);
}

/**
 * Throws CorralError(UnsafeHome) with one line saying what is wrong and how to fix it. `daemon`
 * creates logs/ and pids/ when missing; the client only creates the home (for daemon.log) and checks
 * whatever else is already there. Windows has no uid or mode bits: a home Corral creates is given an
 * access list for the user alone (platform/owner-only.ts); one that exists is taken as it is.
 */
export function prepareHome(paths: HomePaths, daemon: boolean): void {
  const uid = process.getuid?.();
  if (uid === undefined) {
    // Windows: no uid or mode bits. A home Corral creates gets an access list for the user alone.
    if (mkdirSync(paths.home, { recursive: true }) !== undefined) {
      try {
        makeOwnerOnly(paths.home, currentPlatform(), process.env, userInfo().username);
      } catch (error) {
        rmdirSync(paths.home); // a home left open would be used next time
        refuse(`${(error as Error).message}: set CORRAL_HOME to a folder inside your user profile`);
      }
    }
    if (daemon) for (const dir of [paths.logsDir, paths.pidsDir]) mkdirSync(dir, { recursive: true });
    return;
  }
  ensureFolder(paths.home, uid, true); // first: nothing is created inside a home that is not ours
  ensureFolder(paths.logsDir, uid, daemon);
  ensureFolder(paths.pidsDir, uid, daemon);
  checkFile(paths.dump, uid);
  checkFile(`${paths.dump}.bak`, uid);
}
