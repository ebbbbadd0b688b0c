/**
 * Where one process's files go: its stdout/stderr logs, the combined log_file and its pid file.
 * Several instances of an app get a file each (`-<id>`), unless merge_logs puts their logs together.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileSafeName, type AppConfig } from '../shared/config';
import type { HomePaths } from '../shared/paths';

export interface ProcessFiles {
  outLog: string;
  errLog: string;
  /** log_file: both streams in one file; null when the app has none. */
  combinedLog: string | null;
  pidFile: string;
}

type NamingOptions = Pick<AppConfig, 'name' | 'instances' | 'merge_logs' | 'out_file' | 'error_file' | 'log_file' | 'pid_file'>;

/** `<base>-<id><ext>`: per-instance file names when several instances would share one. */
export function perInstance(file: string, id: number): string {
  const extension = path.extname(file);
  return `${file.slice(0, file.length - extension.length)}-${id}${extension}`;
}

export function processFiles(app: NamingOptions, id: number, paths: Pick<HomePaths, 'logsDir' | 'pidsDir'>): ProcessFiles {
  const safe = fileSafeName(app.name);
  const split = app.instances > 1 && !app.merge_logs;
  const pick = (custom: string | null, kind: 'out' | 'error'): string => {
    if (custom) return split && custom !== '/dev/null' ? perInstance(custom, id) : custom;
    return path.join(paths.logsDir, split ? `${safe}-${kind}-${id}.log` : `${safe}-${kind}.log`);
  };
  let combinedLog: string | null;
  if (app.log_file === null) combinedLog = null;
  else if (app.log_file === true) combinedLog = path.join(paths.logsDir, split ? `${safe}-${id}.log` : `${safe}.log`);
  else combinedLog = split ? perInstance(app.log_file, id) : app.log_file;
  const pidFile = app.pid_file ? (app.instances > 1 ? perInstance(app.pid_file, id) : app.pid_file) : path.join(paths.pidsDir, `${safe}-${id}.pid`);
  return { outLog: pick(app.out_file, 'out'), errLog: pick(app.error_file, 'error'), combinedLog, pidFile };
}

/** Writes `<pid>\n`; a failure is reported through `log`, never thrown (the process runs all the same). */
export function writePidFile(file: string, pid: number, log: (problem: string) => void): void {
  try {
    try {
      fs.writeFileSync(file, `${pid}\n`, { mode: 0o644 });
    } catch (error) {
      // The folder first only when it is missing: one call less per spawn in the common case.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, `${pid}\n`, { mode: 0o644 });
    }
  } catch (error) {
    log(`cannot write pid file ${file}: ${(error as Error).message}`);
  }
}

export function removePidFile(file: string): void {
  fs.rm(file, { force: true }, () => undefined);
}
