/**
 * The `env_file` option: one path, or a list of paths and `{ path, optional }` objects, relative to the
 * app's cwd. Only checked here (pure); the daemon reads the files at every launch (daemon/env-files.ts).
 */
import { resolve } from 'node:path';
import type { EnvFile } from './app-config';
import type { FieldReader } from './fields';
import { describeValue, NUL_PROBLEM } from './values';

const SHAPE = 'a file path, { path, optional } or a list of them';

export function readEnvFileOption(read: FieldReader, cwd: string): EnvFile[] {
  const raw = read.input.env_file;
  if (raw === undefined || raw === null || raw === false) return [];
  const list = Array.isArray(raw) ? raw : [raw];
  const files: EnvFile[] = [];
  list.forEach((item, index) => {
    const field = Array.isArray(raw) ? `env_file[${index}]` : 'env_file';
    const file = entryOf(item);
    if (typeof file === 'string') return read.fail(field, file);
    if (file.path.includes('\0')) return read.fail(`${field}.path`, NUL_PROBLEM);
    files.push({ path: resolve(cwd, file.path), optional: file.optional });
  });
  return files;
}

/** The entry, or what is wrong with it. */
function entryOf(item: unknown): EnvFile | string {
  if (typeof item === 'string') return item === '' ? `expected ${SHAPE}, got ""` : { path: item, optional: false };
  if (item === null || typeof item !== 'object' || Array.isArray(item)) return `expected ${SHAPE}, got ${describeValue(item)}`;
  const { path: file, optional = false, ...rest } = item as Record<string, unknown>;
  const extra = Object.keys(rest);
  if (extra.length > 0) return `unknown key ${JSON.stringify(extra[0])} (an env file takes path and optional)`;
  if (typeof file !== 'string' || file === '') return `path: expected a file path, got ${describeValue(file)}`;
  if (typeof optional !== 'boolean') return `optional: expected true or false, got ${describeValue(optional)}`;
  return { path: file, optional };
}
