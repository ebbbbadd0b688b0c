/**
 * The saved process list: dump.json (0600, with each app's env) and dump.json.bak, the one before.
 * Written atomically (temp file, fsync, rename), so a crash mid-write leaves the old dump whole.
 */
import * as fs from 'node:fs';
import type { AppConfig } from '../shared/config';
import { CorralError, ErrorCode } from '../shared/errors';

export const DUMP_VERSION = 1;

export interface DumpApp {
  config: AppConfig;
  /** Every instance was stopped by a client: resurrect registers it without starting it. */
  stopped: boolean;
}

export interface Dump {
  version: number;
  savedAt: number;
  apps: DumpApp[];
}

let sequence = 0;
/** A temp name of its own for every write, so two writes in flight never share a file. */
const temporaryFor = (file: string): string => `${file}.${process.pid}-${sequence++}.tmp`;

export function writeDump(file: string, dump: Dump): void {
  const temporary = temporaryFor(file);
  const fd = fs.openSync(temporary, 'w', 0o600);
  try {
    fs.writeSync(fd, `${JSON.stringify(dump, null, 2)}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  if (fs.existsSync(file)) {
    fs.copyFileSync(file, `${file}.bak`);
    fs.chmodSync(`${file}.bak`, 0o600);
  }
  fs.renameSync(temporary, file);
}

/** The same, off the event loop's critical path: what autosave uses while apps are being started. */
export async function writeDumpAsync(file: string, dump: Dump, stillWanted: () => boolean = () => true): Promise<void> {
  const temporary = temporaryFor(file);
  const handle = await fs.promises.open(temporary, 'w', 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(dump, null, 2)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  // A synchronous final write (the daemon going away) may have happened meanwhile: it wins.
  if (!stillWanted()) {
    await fs.promises.rm(temporary, { force: true });
    return;
  }
  if (fs.existsSync(file)) {
    await fs.promises.copyFile(file, `${file}.bak`);
    await fs.promises.chmod(`${file}.bak`, 0o600);
  }
  await fs.promises.rename(temporary, file);
}

function parseDump(file: string): Dump {
  const value = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<Dump>;
  if (!value || typeof value !== 'object' || !Array.isArray(value.apps) || typeof value.version !== 'number') throw new Error('not a Corral dump');
  if (value.version > DUMP_VERSION) throw new Error(`written by a newer Corral (dump version ${value.version})`);
  for (const app of value.apps) if (!app || typeof app !== 'object' || !app.config || typeof app.config !== 'object') throw new Error('an app entry has no config');
  return { version: value.version, savedAt: Number(value.savedAt) || 0, apps: value.apps as DumpApp[] };
}

export interface LoadedDump {
  dump: Dump;
  warning?: string;
}

/** dump.json, else dump.json.bak with a warning; null when neither exists; throws when neither is usable. */
export function readDump(file: string): LoadedDump | null {
  const backup = `${file}.bak`;
  if (!fs.existsSync(file) && !fs.existsSync(backup)) return null;
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
