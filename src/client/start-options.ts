/** `corral start` flags: PM2's names, mapped onto ecosystem option names (shared/config/app-options.ts). */
import type { ParseArgsConfig } from 'node:util';
import { APP_FLAGS } from '../shared/config';

type Options = NonNullable<ParseArgsConfig['options']>;

/** The app flags as parseArgs takes them. */
const APP_FLAG_OPTIONS: Options = Object.fromEntries(
  APP_FLAGS.map((flag) => [
    flag.name,
    {
      type: flag.sets === undefined ? ('string' as const) : ('boolean' as const),
      ...(flag.short ? { short: flag.short } : {}),
      ...(flag.multiple ? { multiple: true } : {}),
    },
  ]),
);

export const CLI_OPTIONS: Options = {
  ...APP_FLAG_OPTIONS,
  env: { type: 'string' },
  only: { type: 'string' },
  force: { type: 'boolean', short: 'f' },
  'update-env': { type: 'boolean', short: 'a' },
  'no-daemon': { type: 'boolean' },
  attach: { type: 'boolean' },
  parallel: { type: 'string' },
  'wait-ip': { type: 'boolean' },
  // list
  'mini-list': { type: 'boolean', short: 'm' },
  sort: { type: 'string' },
  'no-color': { type: 'boolean' },
  spa: { type: 'boolean' },
  user: { type: 'string', short: 'u' },
  hp: { type: 'string' },
  'service-name': { type: 'string' },
  'basic-auth-username': { type: 'string' },
  'basic-auth-password': { type: 'string' },
  write: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  port: { type: 'string' },
  host: { type: 'string' },
  stop: { type: 'boolean' },
  // inspect
  'close-after': { type: 'string' },
  brk: { type: 'boolean' },
  // logs
  lines: { type: 'string' },
  nostream: { type: 'boolean' },
  raw: { type: 'boolean' },
  err: { type: 'boolean' },
  out: { type: 'boolean' },
  json: { type: 'boolean' },
  timestamp: { type: 'string' },
  highlight: { type: 'string' },
  format: { type: 'boolean' },
  // general
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
  V: { type: 'boolean' },
  silent: { type: 'boolean', short: 's' },
};

/** The app options the command line sets, in ecosystem names (only what was given). */
export function appOptionsFromFlags(values: Record<string, unknown>): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const flag of APP_FLAGS) {
    const value = values[flag.name];
    if (flag.sets !== undefined) {
      if (value === true) options[flag.option] = flag.sets;
    } else if (value !== undefined) {
      options[flag.option] = flag.convert ? flag.convert(value as string | string[]) : value;
    }
  }
  return options;
}

/** Messages name the flag the user typed rather than the ecosystem field. */
export function flagLabel(field: string): string {
  const flag = APP_FLAGS.find((candidate) => candidate.option === field);
  return flag ? `--${flag.name}` : field;
}
