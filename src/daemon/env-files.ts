/**
 * Reading `env_file`s. The daemon reads them, not the client: an app is launched again with no client
 * around (crash relaunches, watch, cron, memory restarts, resurrect), and each launch must see the
 * files as they are now, so an edit takes effect at the next start, restart or reload. The client only
 * checks the option's shape and resolves the paths against the app's cwd.
 *
 * Parsing is dotenv's (quotes, `export`, comments, multi-line values) and expansion dotenv-expand's
 * (`${VAR}`, `${VAR:-default}`); both are loaded only when an app has env files. Messages name the file
 * and a line, never a value: values are secrets like any env value.
 */
import * as fs from 'node:fs';
import type * as Dotenv from 'dotenv';
import type * as DotenvExpand from 'dotenv-expand';
import type { EnvFile } from '../shared/config';
import { CorralError, ErrorCode } from '../shared/errors';

/** Larger than this is not an env file someone wrote: refused rather than read into the daemon. */
const MAX_BYTES = 1024 * 1024;

/** One file's text, or null for an optional file that is not there. Throws naming the app and the file. */
export function readEnvFile(app: string, file: EnvFile): string | null {
  const fail = (problem: string): CorralError => new CorralError(ErrorCode.BadConfig, `${app}: env_file ${file.path}: ${problem}`);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file.path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if ((code === 'ENOENT' || code === 'ENOTDIR') && file.optional) return null;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw fail('file not found (give { path, optional: true } for a file that may be missing)');
    throw fail(readProblem(error as NodeJS.ErrnoException));
  }
  if (stat.isDirectory()) throw fail('is a folder, not a file');
  if (!stat.isFile()) throw fail('is not a regular file');
  if (stat.size > MAX_BYTES) throw fail(`is ${stat.size} bytes; an env file may have at most 1 MB`);
  try {
    return fs.readFileSync(file.path, 'utf8');
  } catch (error) {
    throw fail(readProblem(error as NodeJS.ErrnoException));
  }
}

function readProblem(error: NodeJS.ErrnoException): string {
  if (error.code === 'EACCES' || error.code === 'EPERM') return 'cannot be read (permission denied)';
  if (error.code === 'EISDIR') return 'is a folder, not a file';
  return `cannot be read (${error.code ?? error.message})`;
}

/**
 * The variables of one env file, `${VAR}` expanded against `context` (what the app has so far: its
 * inherited env and the files before this one) and the lines above. Throws on a line dotenv would
 * skip silently, an unclosed quote or a NUL, naming the line.
 */
export function parseEnvFile(app: string, file: string, text: string, context: Record<string, string>): Record<string, string> {
  const fail = (problem: string): CorralError => new CorralError(ErrorCode.BadConfig, `${app}: env_file ${file}: ${problem}`);
  const problem = syntaxProblem(text);
  if (problem) throw fail(problem);
  // Loaded on first use: most daemons never read an env file, and the CLI never does.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { parse } = require('dotenv') as typeof Dotenv;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { expand } = require('dotenv-expand') as typeof DotenvExpand;
  const parsed = parse(text);
  // dotenv-expand keeps a value its processEnv already has; here a file beats the inherited env, so the
  // file's own names are left out of it. It writes into processEnv: a copy, never the daemon's own.
  const processEnv = Object.fromEntries(Object.entries(context).filter(([key]) => !Object.hasOwn(parsed, key)));
  // `PATH=${PATH}:/opt/bin` means the PATH the app had before this file: that value goes in under another
  // name, and the line's references to its own name point there.
  for (const key of Object.keys(parsed)) {
    if (!Object.hasOwn(context, key)) continue;
    const before = `${PREVIOUS}${key}`;
    processEnv[before] = context[key];
    parsed[key] = parsed[key].replace(selfReference(key), (_, brace: string | undefined) => `$${brace ?? ''}${before}`);
  }
  const values = expand({ parsed, processEnv }).parsed ?? {};
  for (const [key, value] of Object.entries(values)) if (value.includes('\0')) throw fail(`${key}: the value contains a NUL character (not shown)`);
  return values;
}

/** A name no env file uses: the value a variable had before the file that sets it again. */
const PREVIOUS = '__CORRAL_BEFORE_THIS_FILE__';

/** `$KEY` or `${KEY` (then `}`, `:-`, `-`...) not escaped with a backslash: what dotenv-expand reads as a reference to KEY. */
function selfReference(key: string): RegExp {
  const name = key.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
  return new RegExp(`(?<!\\\\)\\$(\\{)?${name}(?![\\w.])`, 'g');
}

/** dotenv 17's own line pattern (lib/main.js LINE), to find what its parse() would skip without a word. */
const LINE = /(?:^|^)\s*(?:export\s+)?([\w.-]+)(?:\s*=\s*?|:\s+?)(\s*'(?:\\'|[^'])*'|\s*"(?:\\"|[^"])*"|\s*`(?:\\`|[^`])*`|[^#\r\n]+)?\s*(?:#.*)?(?:$|$)/gm;

/** What is wrong with an env file's text, by line number (never its content), or null. */
export function syntaxProblem(source: string): string | null {
  const text = source.replace(/\r\n?/g, '\n');
  if (text.includes('\0')) return `line ${lineAt(text, text.indexOf('\0'))}: contains a NUL character`;
  let end = 0;
  const gap = (from: number, to: number): string | null => {
    let offset = from;
    for (const line of text.slice(from, to).split('\n')) {
      const content = line.trim();
      if (content !== '' && !content.startsWith('#')) return `line ${lineAt(text, offset + line.indexOf(content))}: expected NAME=value or a # comment`;
      offset += line.length + 1;
    }
    return null;
  };
  for (const match of text.matchAll(new RegExp(LINE.source, LINE.flags))) {
    const skipped = gap(end, match.index);
    if (skipped) return skipped;
    const value = (match[2] ?? '').trim();
    const quote = value[0];
    if ((quote === '"' || quote === "'" || quote === '`') && (value.length === 1 || !value.endsWith(quote))) {
      return `line ${lineAt(text, match.index + match[0].indexOf(quote))}: the value's ${quote} quote is never closed`;
    }
    end = match.index + match[0].length;
  }
  return gap(end, text.length);
}

function lineAt(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length;
}
