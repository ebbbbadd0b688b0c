// Log files as the scenarios read them: the file plus what it was rotated into, and a line-by-line check.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The log file and the files it was rotated into (Corral rotates at 10 MB by default), oldest first. */
export function logFiles(file) {
  const dir = path.dirname(file);
  const base = path.basename(file);
  const rotated = fs
    .readdirSync(dir)
    .filter((entry) => entry.startsWith(base) && /^\.\d{17}-\d{4}(\.gz)?$/.test(entry.slice(base.length)))
    .sort()
    .map((entry) => path.join(dir, entry));
  return fs.existsSync(file) ? [...rotated, file] : rotated;
}

export function logBytes(file) {
  let bytes = 0;
  for (const name of logFiles(file)) {
    if (name.endsWith('.gz')) throw new Error(`${name}: compressed rotation was not expected (log_compress is off by default)`);
    bytes += fs.statSync(name, { throwIfNoEntry: false })?.size ?? 0;
  }
  return bytes;
}

/** Reads the log (with its rotated parts) and checks every line: returns { lost, torn, duplicated, files }. */
export function checkLog(file, total) {
  const seen = new Uint8Array(total);
  let torn = 0;
  let duplicated = 0;
  const files = logFiles(file);
  const pattern = /^L(\d{7}) x{50}$/;
  for (const name of files) {
    for (const line of fs.readFileSync(name, 'latin1').split('\n')) {
      if (line === '') continue;
      const match = pattern.exec(line);
      const index = match ? Number(match[1]) : -1;
      if (index < 0 || index >= total) torn++;
      else if (seen[index]) duplicated++;
      else seen[index] = 1;
    }
  }
  let lost = 0;
  for (let i = 0; i < total; i++) if (!seen[i]) lost++;
  return { lost, torn, duplicated, files: files.length };
}
