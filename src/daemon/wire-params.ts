/**
 * The RPC edge: every method's params checked against one schema before any handler runs, so the
 * supervisor and the rest of the daemon only ever see typed values. One entry per method (the
 * compiler checks the table is complete and that each schema's output is that method's Params).
 * What a schema checks is shape: types, lengths, ranges. What needs the process table (does this
 * name exist, would this scale be in range) stays with the supervisor.
 *
 * Messages name the field and never echo a value of an env (values are often secrets).
 */
import * as path from 'node:path';
import * as v from 'valibot';
import { revalidateApp, type AppConfig } from '../shared/config';
import { CorralError, ErrorCode } from '../shared/errors';
import type { MethodName, Params } from '../shared/protocol';
import { MAX_INSPECT_CLOSE_AFTER_MS } from './inspector-guard';

const TARGETS_PROBLEM = 'targets: expected one or more names, ids, namespaces or "all"';
const targets = v.pipe(
  v.array(v.pipe(v.string(TARGETS_PROBLEM), v.minLength(1, TARGETS_PROBLEM), v.maxLength(256, TARGETS_PROBLEM)), TARGETS_PROBLEM),
  v.minLength(1, TARGETS_PROBLEM),
  v.maxLength(10_000, TARGETS_PROBLEM),
);

const ENV_PROBLEM = 'updateEnv: expected an object of strings';
/** Names are shown in messages, values never. */
const isPlainObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
const updateEnv = v.pipe(
  v.custom<Record<string, string>>((value) => isPlainObject(value) && Object.values(value).every((item) => typeof item === 'string'), ENV_PROBLEM),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const bad = Object.entries(dataset.value).find(([key, value]) => key === '' || /[=\0]/.test(key) || value.includes('\0'));
    if (bad) addIssue({ message: `updateEnv: ${bad[0].replace(/\0/g, '\\0')}: names must be non-empty without "=" or NUL, values without NUL` });
  }),
);

const OPTIONS_PROBLEM = 'options: expected an object of app options';
/** Checked whole by the config rules once merged over each app's config (supervisor.applyOptions). */
const appOptions = v.custom<Record<string, unknown>>(isPlainObject, OPTIONS_PROBLEM);

const id = (method: string): v.GenericSchema<unknown, number> =>
  v.pipe(v.number(`${method}: id must be a process id`), v.integer(`${method}: id must be a process id`), v.minValue(0, `${method}: id must be a process id`));

const nothing = v.object({});
const PATHS = 'paths: expected an array of absolute file paths';
const LINES = 'recentLogs: lines must be a whole number from 0 to 10000';
const CLOSE_AFTER = `inspect: closeAfterMs must be a whole number of milliseconds from 100 to ${MAX_INSPECT_CLOSE_AFTER_MS} (24 h)`;

/** The params schema of every method. */
const PARAMS = {
  hello: v.object({ protocolVersion: v.number('hello: protocolVersion must be a number') }),
  ping: nothing,
  start: v.object({
    // Each app is checked whole by the config rules (they throw a ConfigError naming every bad field).
    apps: v.pipe(
      v.array(v.unknown(), 'apps: expected a non-empty array of apps'),
      v.minLength(1, 'apps: expected a non-empty array of apps'),
      v.transform((apps): AppConfig[] => apps.map((raw, index) => revalidateApp(raw, index))),
    ),
    replace: v.optional(v.boolean('replace: expected true or false')),
    mode: v.optional(v.picklist(['restart', 'reload'], 'mode: expected "restart" or "reload"')),
  }),
  startExisting: v.object({ targets }),
  stop: v.object({ targets }),
  restart: v.object({
    targets,
    updateEnv: v.optional(updateEnv),
    toggleWatch: v.optional(v.boolean('toggleWatch: expected true or false')),
    options: v.optional(appOptions),
  }),
  delete: v.object({ targets }),
  reset: v.object({ targets }),
  reload: v.object({
    targets,
    updateEnv: v.optional(updateEnv),
    options: v.optional(appOptions),
  }),
  scale: v.object({
    name: v.pipe(v.string('scale: expected an app name'), v.minLength(1, 'scale: expected an app name')),
    instances: v.union([v.number(), v.string()], 'scale: expected a number of instances, "+n" or "-n"'),
  }),
  list: nothing,
  describe: v.object({ targets }),
  flush: v.object({ targets: v.optional(targets) }),
  reloadLogs: nothing,
  sendSignal: v.object({ targets, signal: v.string('signal: expected a signal name such as "SIGUSR2"') }),
  writeStdin: v.object({ id: id('writeStdin'), data: v.string('writeStdin: data must be a string') }),
  notifyFileSaved: v.object({
    paths: v.pipe(
      v.array(
        v.pipe(
          v.string(PATHS),
          v.maxLength(4095, PATHS),
          v.check((file) => path.isAbsolute(file), PATHS),
        ),
        PATHS,
      ),
      v.maxLength(10_000, PATHS),
    ),
  }),
  env: v.object({
    target: v.pipe(
      v.string('env: give one process id or name'),
      v.minLength(1, 'env: give one process id or name'),
      v.maxLength(256, 'env: give one process id or name'),
    ),
  }),
  recentLogs: v.object({
    id: id('recentLogs'),
    lines: v.pipe(v.number(LINES), v.integer(LINES), v.minValue(0, LINES), v.maxValue(10_000, LINES)),
  }),
  inspect: v.object({
    id: id('inspect'),
    closeAfterMs: v.optional(
      v.pipe(v.number(CLOSE_AFTER), v.integer(CLOSE_AFTER), v.minValue(100, CLOSE_AFTER), v.maxValue(MAX_INSPECT_CLOSE_AFTER_MS, CLOSE_AFTER)),
    ),
    fromStart: v.optional(v.boolean('inspect: fromStart must be true or false')),
  }),
  web: v.object({
    host: v.optional(
      v.pipe(v.string('web: host must be an address'), v.minLength(1, 'web: host must be an address'), v.maxLength(255, 'web: host must be an address')),
    ),
    port: v.optional(
      v.pipe(
        v.number('web: port must be 0-65535'),
        v.integer('web: port must be 0-65535'),
        v.minValue(0, 'web: port must be 0-65535'),
        v.maxValue(65_535, 'web: port must be 0-65535'),
      ),
    ),
    stop: v.optional(v.boolean('web: stop must be true or false')),
  }),
  save: nothing,
  clearDump: nothing,
  resurrect: nothing,
  kill: nothing,
} satisfies { [M in MethodName]: v.GenericSchema<unknown, Params<M>> };

/** The params of `method`, checked; throws E_ARGUMENT naming the first bad field. */
export function checkParams<M extends MethodName>(method: M, raw: unknown): Params<M> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw new CorralError(ErrorCode.BadArgument, `${method}: expected an object of parameters`);
  const result = v.safeParse(PARAMS[method] as v.GenericSchema<unknown, Params<M>>, raw);
  if (result.success) return result.output;
  const [issue] = result.issues;
  const where = issue.path?.map((item) => String(item.key)).join('.');
  // Our own messages name their field; a default one (a schema without a message) gets the path,
  // and loses what it received: no value from the wire is ever repeated back.
  const message = /^[\w.[\]]+: /.test(issue.message)
    ? issue.message
    : `${method}: ${where ? `${where}: ` : ''}${issue.message.replace(/ but received .*$/, '')}`;
  throw new CorralError(ErrorCode.BadArgument, message);
}
