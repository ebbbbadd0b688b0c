import * as fs from 'node:fs';
import * as path from 'node:path';

/** The absolute path of an executable on PATH, or undefined. Never runs a shell. */
export function which(command: string, envPath: string = process.env.PATH ?? ''): string | undefined {
  if (command.includes('/')) return undefined;
  for (const dir of envPath.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, command);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      /* not here */
    }
  }
  return undefined;
}
