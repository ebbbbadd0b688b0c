/**
 * The saved process list: dump.json (0600, with each app's env) and dump.json.bak, the one before.
 * Written by the daemon, and by the CLI's `cleardump` when no daemon runs.
 * Written atomically (temp file, fsync, rename, directory fsync), so a crash mid-write leaves the old
 * dump whole, and a failed write (a full disk) leaves it whole too, with no temp file behind.
 */
import {
  chmodSync,
  closeSync,
  constants as fsConstants,
  copyFileSync,
  existsSync,
  fsyncSync,
  linkSync,
  openSync,
  promises as fsPromises,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname } from 'node:path';
import type { AppConfig } from './config';
import { CorralError, ErrorCode } from './errors';

export const DUMP_VERSION = 1;

export interface DumpApp {
  config: AppConfig;
  /** Every instance was stopped by a client: resurrect registers it without starting it. */
  stopped: boolean;
  /** Each instance's restart count, in instance order, carried over by resurrect (and `update`). */
  restarts?: number[];
}

export interface Dump {
  version: number;
  savedAt: number;
  apps: DumpApp[];
}

let sequence = 0;
/** A temp name of its own for every write, so two writes in flight never share a file. */
const temporaryFor = (file: string): string => `${file}.${process.pid}-${sequence++}.tmp`;

/** Errors a directory fsync gives where the filesystem cannot do it (nothing to wait for there). */
const UNSYNCABLE_DIRECTORY = new Set(['EINVAL', 'ENOTSUP', 'EISDIR', 'EPERM', 'EBADF']);

/** Makes a rename in `dir` durable: without it a power cut can bring back the old name. */
function syncDirectory(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, fsConstants.O_RDONLY | fsConstants.O_DIRECTORY);
  } catch {
    return; // a platform that cannot open directories (Windows): the rename is all there is
  }
  try {
    fsyncSync(fd);
  } catch (error) {
    if (!UNSYNCABLE_DIRECTORY.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
  } finally {
    closeSync(fd);
  }
}

/**
 * dump.json.bak becomes the current dump.json: a second hard link, renamed into place, so it needs
 * no free space and is never a half-copied file. Where links are not possible, a copy (also renamed
 * into place, so a failed copy leaves the previous .bak whole).
 */
function keepBackup(file: string): void {
  if (!existsSync(file)) return;
  const backup = `${file}.bak`;
  const temporary = temporaryFor(backup);
  try {
    try {
      linkSync(file, temporary);
    } catch {
      copyFileSync(file, temporary);
      chmodSync(temporary, 0o600);
    }
    renameSync(temporary, backup);
  } finally {
    rmSync(temporary, { force: true });
  }
}

const serialize = (dump: Dump): string => `${JSON.stringify(dump, null, 2)}\n`;

/**
 * Temp file, fsync, backup, rename, directory fsync. Throws on any failure, and then leaves no temp
 * file behind and dump.json as it was.
 */
export function writeDump(file: string, dump: Dump): void {
  const temporary = temporaryFor(file);
  try {
    const fd = openSync(temporary, 'w', 0o600);
    try {
      writeFileSync(fd, serialize(dump));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    keepBackup(file);
    renameSync(temporary, file);
  } finally {
    rmSync(temporary, { force: true });
  }
  syncDirectory(dirname(file));
}

/** The same, off the event loop's critical path: what autosave uses while apps are being started. */
export async function writeDumpAsync(file: string, dump: Dump, stillWanted: () => boolean = () => true): Promise<void> {
  const temporary = temporaryFor(file);
  try {
    const handle = await fsPromises.open(temporary, 'w', 0o600);
    try {
      await handle.writeFile(serialize(dump));
      await handle.sync();
    } finally {
      await handle.close();
    }
    // A synchronous final write (the daemon going away) may have happened meanwhile: it wins.
    if (!stillWanted()) return;
    // From here on synchronous: nothing else can rename in between, and these steps are quick.
    keepBackup(file);
    renameSync(temporary, file);
  } finally {
    await fsPromises.rm(temporary, { force: true });
  }
  syncDirectory(dirname(file));
}

function parseDump(file: string): Dump {
  const value = JSON.parse(readFileSync(file, 'utf8')) as Partial<Dump>;
  if (!value || typeof value !== 'object' || !Array.isArray(value.apps) || typeof value.version !== 'number') throw new Error('not a Corral dump');
  if (value.version > DUMP_VERSION) throw new Error(`written by a newer Corral (dump version ${value.version})`);
  for (const app of value.apps)
    if (!app || typeof app !== 'object' || !app.config || typeof app.config !== 'object') throw new Error('an app entry has no config');
  return { version: value.version, savedAt: Number(value.savedAt) || 0, apps: value.apps as DumpApp[] };
}

export interface LoadedDump {
  dump: Dump;
  warning?: string;
}

/** dump.json, else dump.json.bak with a warning; null when neither exists; throws when neither is usable. */
export function readDump(file: string): LoadedDump | null {
  const backup = `${file}.bak`;
  if (!existsSync(file) && !existsSync(backup)) return null;
  let problem: string;
  try {
    return { dump: parseDump(file) };
  } catch (error) {
    problem = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'is missing' : `is unreadable (${(error as Error).message})`;
  }
  try {
    return { dump: parseDump(backup), warning: `${file} ${problem}; using ${backup}` };
  } catch (error) {
    throw new CorralError(ErrorCode.Io, `${file} ${problem}, and ${backup} is unusable too (${(error as Error).message}); nothing was resurrected`);
  }
}
