/** Small pure checks and descriptions of option values, used while normalizing an app. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { pathModule } from '../platform/paths';
import { currentPlatform, isWindows, type Platform } from '../platform/platform';

export const TYPESCRIPT_EXTENSIONS = new Set(['.ts', '.mts', '.cts']);
export const INTERPRETER_BY_EXTENSION: Record<string, string> = {
  '.sh': 'bash',
  '.bash': 'bash',
  '.py': 'python3',
  '.rb': 'ruby',
  '.php': 'php',
  '.pl': 'perl',
  '.coffee': 'coffee',
};

/** Node runs .ts entries by itself from 22.18 / 23.6 (type stripping on by default). */
export function nodeStripsTypes(version: string = process.versions.node): boolean {
  const [major, minor] = version.split('.').map(Number);
  return major > 23 || (major === 23 && minor >= 6) || (major === 22 && minor >= 18);
}

const NODE_NAME = /^node(js)?(\d+)?(\.exe)?$/;
const NODE_NAME_ANY_CASE = new RegExp(NODE_NAME.source, 'i');

/** `node`, `node20`, `nodejs`, a path to one (`C:\Program Files\nodejs\Node.exe`, in any case on Windows), or our own Node. */
export function isNodeInterpreter(interpreter: string, platform: Platform = currentPlatform()): boolean {
  const base = pathModule(platform).basename(interpreter);
  return interpreter === 'node' || (isWindows(platform) ? NODE_NAME_ANY_CASE : NODE_NAME).test(base) || interpreter === process.execPath;
}

/** Every string that reaches exec (args, paths, env) is a C string: a NUL would cut it short. */
export const NUL_PROBLEM = 'must not contain a NUL character';

/**
 * A name as part of a file name (logs, pid files), one to one: letters, digits, '.', '_' and '-' stay, a
 * leading '.' and every other byte become %XX, so distinct names never share a file ("a b" is a%20b,
 * "a_b" stays a_b). Long results end in a hash of the whole name to stay within file-name limits.
 */
export function fileSafeName(name: string): string {
  let safe = '';
  for (const byte of Buffer.from(name, 'utf8')) {
    const char = String.fromCharCode(byte);
    const keep = /[A-Za-z0-9_-]/.test(char) || (char === '.' && safe !== '' && !/^(%2E)+$/.test(safe));
    safe += keep ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  if (safe.length <= FILE_NAME_BUDGET) return safe;
  return `${safe.slice(0, FILE_NAME_BUDGET - 13).replace(/%[0-9A-F]?$/, '')}-${createHash('sha256').update(name).digest('hex').slice(0, 12)}`;
}
/** Room for "-out-<id>.log.<n>.gz" and the like within the 255 bytes most file systems allow. */
const FILE_NAME_BUDGET = 160;

export function validateName(name: unknown): string | undefined {
  // PM2 takes --name 455 as the name "455" (ids are looked up first when a target is a number).
  if (typeof name === 'number' && Number.isInteger(name) && name >= 0) name = String(name);
  if (typeof name !== 'string' || name.trim() === '') return 'expected a non-empty string';
  if (name.length > 128) return 'expected at most 128 characters';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(name)) return 'must not contain control characters';
  // A name that reads backwards or hides a character could pass for another app's in a list.
  if (/[\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/.test(name))
    return 'must not contain bidirectional or invisible formatting characters';
  if (name === 'all') return '"all" is reserved';
  return undefined;
}

/** What a value is, without the value: for fields whose values may be secrets. */
export function kindOf(value: unknown): string {
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

/** Whether a variable of the client's env reaches an app with this filter_env. */
export function inheritsVariable(filter: boolean | string[], key: string): boolean {
  return filter !== true && !(Array.isArray(filter) && filter.some((prefix) => key.startsWith(prefix)));
}

/** filter_env as PM2 takes it: true, a prefix, "A,B" or a list of prefixes; undefined when invalid. */
export function parseFilterEnv(value: unknown): boolean | string[] | undefined {
  if (value === undefined || value === null || value === false || value === 'false') return false;
  if (value === true || value === 'true') return true;
  if (typeof value === 'string' && value.trim() !== '')
    return value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
  if (Array.isArray(value) && value.every((item) => typeof item === 'string' && item !== '')) return value as string[];
  return undefined;
}

/** The daemon's user as uid and name ([] where there is none, e.g. Windows). */
export function ownUser(): Array<string | number> {
  try {
    const { uid, username } = userInfo();
    return uid >= 0 ? [uid, username] : [username];
  } catch {
    return [];
  }
}

/** The daemon's group as gid, and its names where the system lists them in /etc/group. */
export function ownGroup(): Array<string | number> {
  const gid = process.getgid?.();
  if (gid === undefined) return [];
  let names: string[] = [];
  try {
    // name:password:gid:members, one group per line.
    names = readFileSync('/etc/group', 'utf8')
      .split('\n')
      .map((line) => line.split(':'))
      .filter((fields) => fields.length >= 3 && Number(fields[2]) === gid)
      .map((fields) => fields[0]);
  } catch {
    // no /etc/group (Windows, some containers): the number only
  }
  return [gid, ...names];
}

export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  try {
    const text = JSON.stringify(value);
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
  } catch {
    return String(value);
  }
}
