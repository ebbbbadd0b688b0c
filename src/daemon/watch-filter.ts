/**
 * Which changed paths a watched app ignores: PM2's rules. An `ignore_watch` entry is a glob (with
 * * ** ? or [..]), or else a name or relative path matched against path segments; dotfiles and
 * dot-folders are ignored, and so are Corral's own log files.
 */
import * as path from 'node:path';

function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i];
    if (ch === '*') {
      if (glob[i + 1] === '*') {
        source += '.*';
        i++;
        if (glob[i + 1] === '/') i++;
      } else source += '[^/]*';
    } else if (ch === '?') source += '[^/]';
    else if (ch === '[') {
      const end = glob.indexOf(']', i);
      if (end === -1) source += '\\[';
      else {
        source += `[${glob.slice(i + 1, end).replace(/^!/, '^')}]`;
        i = end;
      }
    } else source += ch.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

export interface WatchFilterOptions {
  cwd: string;
  ignore: string[];
  /** Absolute files and folders never to react to (the logs folder, the app's own log files). */
  alwaysIgnored: string[];
}

export function createWatchFilter(options: WatchFilterOptions): (file: string) => boolean {
  const globs = options.ignore.filter((entry) => /[*?[]/.test(entry)).map(globToRegExp);
  const plain = options.ignore.filter((entry) => !/[*?[]/.test(entry)).map((entry) => entry.replace(/^\.\//, '').replace(/\/+$/, ''));
  const absolute = plain.filter((entry) => path.isAbsolute(entry));
  const relative = plain.filter((entry) => !path.isAbsolute(entry));
  return (file: string): boolean => {
    const full = path.resolve(options.cwd, file);
    for (const root of [...options.alwaysIgnored, ...absolute]) {
      if (full === root || full.startsWith(`${root}${path.sep}`)) return true;
    }
    const rel = path.relative(options.cwd, full);
    const segments = rel.split(path.sep).filter((segment) => segment !== '' && segment !== '..');
    if (segments.some((segment) => segment.startsWith('.'))) return true;
    for (const entry of relative) {
      if (entry.includes('/')) {
        if (rel === entry || rel.startsWith(`${entry}/`)) return true;
      } else if (segments.includes(entry)) return true;
    }
    return globs.some((glob) => glob.test(rel) || glob.test(path.basename(full)));
  };
}
