/**
 * The tools Corral offers to agents, declared once for both front ends: VS Code's language model tools
 * (src/extension/lm-tools.ts) and `corral mcp` (src/cli/mcp-server.ts). A tool has a name, a title, a
 * description for the model, a JSON input schema, whether it changes state (the front ends ask the user
 * first), a check of its arguments that names the bad one, and a handler over a daemon connection that
 * returns text plus structured content. No env value reaches a result: descriptions are built from an
 * allow-list of fields, and env variables appear by name only. Text from apps is escaped (terminal-text.ts).
 */
import { CorralError, ErrorCode } from '../shared/errors';
import { describeProbe } from '../shared/config/probes';
import type { MethodName, Params, ProcessDescription, ProcessInfo, Result } from '../shared/protocol';
import { matchTarget } from '../shared/targets';
import { safeOutput, safeText } from '../shared/terminal-text';
import { formatBytes, formatDuration } from '../shared/units';
import { expandTargetPatterns, needsList } from './target-patterns';

/** What a tool needs of the daemon: the CLI's DaemonClient and the extension's DaemonConnection both fit. */
export interface ToolDaemon {
  call<M extends MethodName>(method: M, params: Params<M>, timeoutMs?: number): Promise<Result<M>>;
}

export interface ToolContext {
  daemon: ToolDaemon;
  /** Script-path targets (`server.js`) resolve against this folder, as in the CLI. */
  cwd: string;
}

export interface ToolOutput {
  /** What the model reads. */
  text: string;
  /** The same facts as data (MCP's structuredContent). */
  structured: Record<string, unknown>;
}

/** The subset of JSON Schema the tools use; the same object goes into package.json and tools/list. */
// A type, not an interface: the MCP SDK's Tool wants an object with an index signature.
export type ToolInputSchema = {
  type: 'object';
  properties: Record<string, { type: 'string' | 'integer'; description: string; enum?: string[]; minimum?: number; maximum?: number; default?: unknown }>;
  required?: string[];
  additionalProperties: false;
};

export interface AgentTool {
  name: string;
  title: string;
  /** For the model: what the tool does and when to use it. */
  description: string;
  inputSchema: ToolInputSchema;
  /** Restarts, reloads, stops or starts something: the front ends ask for confirmation first. */
  changesState: boolean;
  /** Checks the arguments (throws ToolArgumentError) and runs the tool. */
  invoke(context: ToolContext, input: unknown): Promise<ToolOutput>;
  /** What the confirmation asks, for state-changing tools; the arguments are checked again by invoke. */
  confirmation(input: unknown): { title: string; message: string };
  /** A short line while it runs ("Restarting api"). */
  progress(input: unknown): string;
}

/** A bad tool argument: the message starts with the argument's name. */
export class ToolArgumentError extends CorralError {
  constructor(
    readonly argument: string,
    message: string,
  ) {
    super(ErrorCode.BadArgument, message);
    this.name = 'ToolArgumentError';
  }
}

export const MAX_LIST_ROWS = 200;
export const DEFAULT_LOG_LINES = 50;
export const MAX_LOG_LINES = 500;
/** recentLogs is per process: a name with more instances shows the first ones and says so. */
export const MAX_LOG_PROCESSES = 4;
export const MAX_DESCRIBED = 8;
/** One log line longer than this is cut (with a note): the model's context is not a log file. */
export const MAX_LINE_CHARS = 1000;
/** Stops wait for kill_timeout and reloads for readiness, which users may set high (as the CLI's LONG_CALL_MS). */
const ACTION_TIMEOUT_MS = 10 * 60_000;
const MAX_TARGET_CHARS = 200;

const TARGET_DESCRIPTION = 'An app name, a process id, a namespace, "all", or /regex/ over names (corral_list shows names and ids).';

// --- arguments ---

type Arguments = Record<string, unknown>;

function argumentsObject(tool: string, input: unknown, allowed: readonly string[]): Arguments {
  if (input === undefined || input === null) return {};
  if (typeof input !== 'object' || Array.isArray(input))
    throw new ToolArgumentError('arguments', `arguments must be an object (${tool} takes ${allowed.join(', ') || 'none'})`);
  const unknown = Object.keys(input).find((key) => !allowed.includes(key));
  if (unknown !== undefined)
    throw new ToolArgumentError(unknown, `${safeText(unknown).slice(0, 50)}: unknown argument (${tool} takes ${allowed.join(', ') || 'no arguments'})`);
  return input as Arguments;
}

function targetArgument(args: Arguments, required: boolean): string | undefined {
  const value = args.target;
  if (value === undefined && !required) return undefined;
  // Control characters are refused rather than escaped: a name never has them, and the message may quote it.
  // eslint-disable-next-line no-control-regex
  if (typeof value !== 'string' || value.trim() === '' || value.length > MAX_TARGET_CHARS || /[\u0000-\u001f\u007f-\u009f]/.test(value))
    throw new ToolArgumentError(
      'target',
      `target must be an app name, a process id, a namespace or "all" (a non-empty string of at most ${MAX_TARGET_CHARS} characters)`,
    );
  return value.trim();
}

function linesArgument(args: Arguments): number {
  const value = args.lines;
  if (value === undefined) return DEFAULT_LOG_LINES;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_LOG_LINES)
    throw new ToolArgumentError('lines', `lines must be a whole number from 1 to ${MAX_LOG_LINES}`);
  return value;
}

type Stream = 'out' | 'err' | 'both';
const STREAMS: readonly Stream[] = ['out', 'err', 'both'];

function streamArgument(args: Arguments): Stream {
  const value = args.stream;
  if (value === undefined) return 'both';
  if (typeof value !== 'string' || !STREAMS.includes(value as Stream)) throw new ToolArgumentError('stream', 'stream must be "out", "err" or "both"');
  return value as Stream;
}

// --- targets ---

/** The processes a target names, by the CLI's rules (regexes and script paths expanded here, the rest as the daemon matches). */
async function resolveTarget(context: ToolContext, target: string): Promise<{ list: ProcessInfo[]; matched: ProcessInfo[]; sent: string[] }> {
  const list = await context.daemon.call('list', {});
  const sent = needsList(target) ? expandTargetPatterns([target], list, context.cwd) : [target];
  const seen = new Set<number>();
  const matched = sent.flatMap((word) => matchTarget(list, word, (process) => process)).filter((process) => !seen.has(process.id) && seen.add(process.id));
  if (matched.length === 0)
    throw new CorralError(ErrorCode.NotFound, `target: no process matches ${JSON.stringify(safeText(target))} (corral_list shows names and ids)`);
  return { list, matched, sent };
}

// --- formatting ---

/** Text from an app or a file, for the model: colours dropped, every other control character escaped, length capped. */
export function modelText(text: string, maxLength = MAX_LINE_CHARS): string {
  // eslint-disable-next-line no-control-regex
  const plain = safeOutput(text.replace(/\u001b\[[0-9;:]{0,32}m/g, ''));
  return plain.length > maxLength ? `${plain.slice(0, maxLength)}… (${plain.length - maxLength} more characters)` : plain;
}

const name = (value: string): string => modelText(value, MAX_TARGET_CHARS).replace(/[\n\t]/g, ' ');

export interface ProcessRow {
  id: number;
  name: string;
  namespace: string;
  status: string;
  pid: number | null;
  /** Percent of one CPU. */
  cpu: number;
  /** Bytes. */
  memory: number;
  restarts: number;
  uptime_ms: number;
  last_reason: string | null;
  last_reason_detail: string | null;
  health: string | null;
  waiting: string | null;
}

export function processRow(process: ProcessInfo): ProcessRow {
  return {
    id: process.id,
    name: name(process.name),
    namespace: name(process.namespace),
    status: process.status,
    pid: process.pid,
    cpu: process.cpu,
    memory: process.memory,
    restarts: process.restarts,
    uptime_ms: process.uptime,
    last_reason: process.last_reason,
    last_reason_detail: process.last_reason_detail === null ? null : modelText(process.last_reason_detail, 300),
    health: process.health,
    waiting: process.waiting ? modelText(process.waiting, 300) : null,
  };
}

export function rowLine(row: ProcessRow): string {
  const parts = [`id ${row.id}`, row.name, row.namespace === 'default' ? '' : `(namespace ${row.namespace})`, row.status].filter(Boolean);
  if (row.pid !== null) parts.push(`pid ${row.pid}`);
  if (row.status === 'online') parts.push(`cpu ${row.cpu}%`, `memory ${formatBytes(row.memory)}`, `uptime ${formatDuration(row.uptime_ms)}`);
  parts.push(`restarts ${row.restarts}`);
  if (row.health) parts.push(`health ${row.health}`);
  if (row.last_reason) parts.push(`last: ${row.last_reason}${row.last_reason_detail ? ` (${row.last_reason_detail})` : ''}`);
  if (row.waiting) parts.push(row.waiting);
  return `- ${parts.join(', ')}`;
}

export function formatList(processes: ProcessInfo[], target: string | undefined): ToolOutput {
  const rows = processes.slice(0, MAX_LIST_ROWS).map(processRow);
  const online = processes.filter((process) => process.status === 'online').length;
  const scope = target === undefined ? '' : ` matching ${JSON.stringify(name(target))}`;
  const lines = [
    processes.length === 0
      ? `No processes${scope} under Corral.`
      : `${processes.length} process${processes.length === 1 ? '' : 'es'}${scope} (${online} online):`,
    ...rows.map(rowLine),
  ];
  if (processes.length > rows.length) lines.push(`(${processes.length - rows.length} more not shown: give a target to narrow the list)`);
  return { text: lines.join('\n'), structured: { processes: rows, total: processes.length, shown: rows.length } };
}

export interface StreamLines {
  stream: 'out' | 'err';
  lines: string[];
  /** Older lines are in memory beyond the ones shown. */
  truncated: boolean;
  /** The log file, for what the daemon no longer holds. */
  file: string;
}

/**
 * One stream's lines as the daemon gave them, asked for one more than wanted: that extra line says older
 * lines exist. Fewer than wanted means that is all the daemon keeps in memory (the file has the rest).
 */
export function streamLines(stream: 'out' | 'err', raw: string[], wanted: number, file: string): StreamLines {
  const truncated = raw.length > wanted;
  return { stream, lines: raw.slice(-wanted).map((line) => modelText(line)), truncated, file: modelText(file, 500) };
}

export function formatLogs(sections: Array<{ process: ProcessInfo; streams: StreamLines[] }>, wanted: number, omitted: number[]): ToolOutput {
  const text: string[] = [];
  for (const { process, streams } of sections) {
    for (const section of streams) {
      text.push(
        `${name(process.name)} (id ${process.id}) ${section.stream === 'out' ? 'stdout' : 'stderr'}: ${section.lines.length} line${section.lines.length === 1 ? '' : 's'}`,
      );
      if (section.truncated) text.push(`(older lines omitted: showing the last ${wanted}; ask for up to ${MAX_LOG_LINES} with lines)`);
      else if (section.lines.length < wanted) text.push(`(that is all the daemon keeps in memory; older output is in ${section.file})`);
      text.push(...section.lines.map((line) => `  ${line}`));
    }
  }
  if (omitted.length > 0) text.push(`(${omitted.length} more process${omitted.length === 1 ? '' : 'es'} not shown: ask by id, ${omitted.join(', ')})`);
  return {
    text: text.join('\n'),
    structured: {
      processes: sections.map(({ process, streams }) => ({ id: process.id, name: name(process.name), streams })),
      lines_per_stream: wanted,
      omitted_ids: omitted,
    },
  };
}

/**
 * What describe tells an agent: an allow-list of fields, never the config as a whole, so a field added
 * later (or an env block that slipped through) cannot carry values out. Env variables by name and source.
 */
export function describedProcess(description: ProcessDescription): Record<string, unknown> {
  const { config } = description;
  const latest = description.samples.at(-1);
  return {
    ...processRow(description),
    exec_mode: description.exec_mode,
    instance: description.instance,
    instances: description.instances,
    script: modelText(description.script, 500),
    args: description.args.map((arg) => modelText(arg, 200)),
    interpreter: modelText(description.interpreter, 500),
    node_args: description.node_args.map((arg) => modelText(arg, 200)),
    cwd: modelText(description.cwd, 500),
    watch: description.watch,
    autorestart: description.autorestart,
    unstable_restarts: description.unstable_restarts,
    exit_code: description.exit_code,
    exit_signal: description.exit_signal,
    started_at: description.started_at,
    created_at: description.created_at,
    logs: {
      out: modelText(description.out_log, 500),
      err: modelText(description.err_log, 500),
      combined: description.combined_log === null ? null : modelText(description.combined_log, 500),
    },
    git: description.versioning
      ? {
          branch: modelText(description.versioning.branch, 200),
          revision: description.versioning.revision,
          comment: description.versioning.comment === null ? null : modelText(description.versioning.comment, 300),
        }
      : null,
    policy: {
      max_memory_restart: config.max_memory_restart,
      min_uptime: config.min_uptime,
      max_restarts: config.max_restarts,
      max_restarts_window: config.max_restarts_window,
      restart_delay: config.restart_delay,
      exp_backoff_restart_delay: config.exp_backoff_restart_delay,
      kill_timeout: config.kill_timeout,
      listen_timeout: config.listen_timeout,
      wait_ready: config.wait_ready,
      cron_restart: config.cron_restart,
      stop_exit_codes: config.stop_exit_codes,
    },
    readiness_probe: config.readiness_probe ? modelText(describeProbe(config.readiness_probe), 300) : null,
    liveness_probe: config.liveness_probe ? modelText(describeProbe(config.liveness_probe), 300) : null,
    last_probe: description.last_probe ? { ...description.last_probe, detail: modelText(description.last_probe.detail, 300) } : null,
    depends_on: (config.depends_on ?? []).map(name),
    // Names by where they come from; the values stay in the daemon (its `env` method is no tool).
    env_variables: envNamesBySource(config.env_keys ?? [], config.env_sources ?? {}),
    env_files: (config.env_file ?? []).map((file) => modelText(file.path, 500)),
    recent_restarts: description.history.slice(-10).map((record) => ({ at: record.at, reason: record.reason, detail: modelText(record.detail, 300) })),
    latest_sample: latest ? { at: latest.at, cpu: latest.cpu, memory: latest.memory } : null,
  };
}

/** `{ inherited: ['HOME', 'PATH'], env: ['PORT'] }`: names only, sorted, grouped by source. */
export function envNamesBySource(keys: readonly string[], sources: Record<string, string>): Record<string, string[]> {
  const grouped: Record<string, string[]> = {};
  for (const key of [...new Set([...keys, ...Object.keys(sources)])].sort()) (grouped[name(String(sources[key] ?? 'env'))] ??= []).push(name(key));
  return grouped;
}

function describeText(described: Record<string, unknown>): string {
  return Object.entries(described)
    .map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join('\n');
}

export function formatDescriptions(descriptions: ProcessDescription[]): ToolOutput {
  const shown = descriptions.slice(0, MAX_DESCRIBED).map(describedProcess);
  const text = shown.map(describeText).join('\n\n');
  const more = descriptions.length - shown.length;
  return {
    text: more > 0 ? `${text}\n\n(${more} more process${more === 1 ? '' : 'es'} not shown: describe them by id)` : text,
    structured: { processes: shown, total: descriptions.length },
  };
}

function formatAction(verb: string, processes: ProcessInfo[]): ToolOutput {
  const rows = processes.slice(0, MAX_LIST_ROWS).map(processRow);
  const lines = [`${verb} ${processes.length} process${processes.length === 1 ? '' : 'es'}; now:`, ...rows.map(rowLine)];
  if (processes.length > rows.length) lines.push(`(${processes.length - rows.length} more not shown)`);
  return { text: lines.join('\n'), structured: { action: verb.toLowerCase(), processes: rows, total: processes.length } };
}

// --- the tools ---

interface ToolSpec<A> {
  name: string;
  title: string;
  description: string;
  inputSchema: ToolInputSchema;
  changesState: boolean;
  check(input: unknown): A;
  run(context: ToolContext, args: A): Promise<ToolOutput>;
  confirm?(args: A): { title: string; message: string };
  progress(args: A): string;
}

function defineTool<A>(spec: ToolSpec<A>): AgentTool {
  const allowed = Object.keys(spec.inputSchema.properties);
  const check = (input: unknown): A => {
    argumentsObject(spec.name, input, allowed);
    return spec.check(input ?? {});
  };
  const quietly = <T>(input: unknown, use: (args: A) => T, fallback: T): T => {
    try {
      return use(check(input));
    } catch {
      return fallback; // invoke reports the bad argument
    }
  };
  return {
    name: spec.name,
    title: spec.title,
    description: spec.description,
    inputSchema: spec.inputSchema,
    changesState: spec.changesState,
    invoke: async (context, input) => spec.run(context, check(input)),
    confirmation: (input) =>
      quietly(input, (args) => spec.confirm?.(args) ?? { title: spec.title, message: spec.description }, {
        title: spec.title,
        message: `${spec.title} (the arguments are not valid: the tool will say why)`,
      }),
    progress: (input) => quietly(input, spec.progress, spec.title),
  };
}

const targetProperty = { type: 'string', description: TARGET_DESCRIPTION } as const;

interface TargetArgs {
  target: string;
}

/** restart, reload, stop, start: one shape, one confirmation wording. */
function actionTool(options: {
  verb: 'restart' | 'reload' | 'stop' | 'start';
  title: string;
  past: string;
  ing: string;
  description: string;
  effect: string;
}): AgentTool {
  const method = options.verb === 'start' ? 'startExisting' : options.verb;
  return defineTool<TargetArgs>({
    name: `corral_${options.verb}`,
    title: options.title,
    description: options.description,
    inputSchema: { type: 'object', properties: { target: targetProperty }, required: ['target'], additionalProperties: false },
    changesState: true,
    check: (input) => ({ target: targetArgument(input as Arguments, true) as string }),
    confirm: ({ target }) => ({
      title: `${options.title}?`,
      message: `${options.title} ${target === 'all' ? 'every process' : `"${name(target)}"`} under Corral? ${options.effect}`,
    }),
    progress: ({ target }) => `${options.ing} ${name(target)}`,
    run: async (context, { target }) => {
      const { sent } = await resolveTarget(context, target);
      const processes = await context.daemon.call(method, { targets: sent }, ACTION_TIMEOUT_MS);
      if (processes.length === 0) throw new CorralError(ErrorCode.NotFound, `target: no process matches ${JSON.stringify(name(target))}`);
      return formatAction(options.past, processes);
    },
  });
}

export const AGENT_TOOLS: readonly AgentTool[] = [
  defineTool<{ target: string | undefined }>({
    name: 'corral_list',
    title: 'List Corral processes',
    description:
      'Lists the processes Corral (a Node.js process manager like PM2) runs: id, name, namespace, status, pid, CPU %, memory, restarts, uptime, health and the last restart reason. Optionally only those a target names.',
    inputSchema: { type: 'object', properties: { target: { ...targetProperty, description: `Optional. ${TARGET_DESCRIPTION}` } }, additionalProperties: false },
    changesState: false,
    check: (input) => ({ target: targetArgument(input as Arguments, false) }),
    progress: () => 'Listing Corral processes',
    run: async (context, { target }) => {
      if (target === undefined) return formatList(await context.daemon.call('list', {}), undefined);
      return formatList((await resolveTarget(context, target)).matched, target);
    },
  }),
  defineTool<{ target: string; lines: number; stream: Stream }>({
    name: 'corral_logs',
    title: 'Read Corral logs',
    description: `Reads the last lines an app wrote to stdout and stderr, from the daemon's memory (it keeps only recent output; older lines are in the log files, whose paths the answer gives). lines is per stream and per process (default ${DEFAULT_LOG_LINES}, at most ${MAX_LOG_LINES}); an app with several instances shows its first ${MAX_LOG_PROCESSES}.`,
    inputSchema: {
      type: 'object',
      properties: {
        target: targetProperty,
        lines: {
          type: 'integer',
          description: `How many of the latest lines per stream (1 to ${MAX_LOG_LINES}, default ${DEFAULT_LOG_LINES}).`,
          minimum: 1,
          maximum: MAX_LOG_LINES,
          default: DEFAULT_LOG_LINES,
        },
        stream: { type: 'string', description: 'stdout ("out"), stderr ("err") or both (default).', enum: [...STREAMS], default: 'both' },
      },
      required: ['target'],
      additionalProperties: false,
    },
    changesState: false,
    check: (input) => ({
      target: targetArgument(input as Arguments, true) as string,
      lines: linesArgument(input as Arguments),
      stream: streamArgument(input as Arguments),
    }),
    progress: ({ target }) => `Reading the logs of ${name(target)}`,
    run: async (context, { target, lines, stream }) => {
      const { matched } = await resolveTarget(context, target);
      const shown = matched.slice(0, MAX_LOG_PROCESSES);
      const sections = [];
      for (const process of shown) {
        // One more than wanted: if it comes back, older lines exist (the note says so).
        const recent = await context.daemon.call('recentLogs', { id: process.id, lines: lines + 1 });
        const streams: StreamLines[] = [];
        if (stream !== 'err') streams.push(streamLines('out', recent.out.lines, lines, process.combined_log ?? process.out_log));
        if (stream !== 'out') streams.push(streamLines('err', recent.err.lines, lines, process.combined_log ?? process.err_log));
        sections.push({ process, streams });
      }
      return formatLogs(
        sections,
        lines,
        matched.slice(MAX_LOG_PROCESSES).map((process) => process.id),
      );
    },
  }),
  defineTool<TargetArgs>({
    name: 'corral_describe',
    title: 'Describe a Corral app',
    description:
      'Describes processes in detail: script, args, cwd, interpreter, mode, restart policy, probes, log file paths, git revision, recent restarts, and the names (never the values) of their environment variables.',
    inputSchema: { type: 'object', properties: { target: targetProperty }, required: ['target'], additionalProperties: false },
    changesState: false,
    check: (input) => ({ target: targetArgument(input as Arguments, true) as string }),
    progress: ({ target }) => `Describing ${name(target)}`,
    run: async (context, { target }) => {
      const { sent } = await resolveTarget(context, target);
      return formatDescriptions(await context.daemon.call('describe', { targets: sent }));
    },
  }),
  actionTool({
    verb: 'restart',
    title: 'Restart Corral processes',
    past: 'Restarted',
    ing: 'Restarting',
    description: 'Restarts processes: each is stopped (SIGINT, then SIGKILL after kill_timeout) and started again with the same config.',
    effect: 'Each process is stopped and started again.',
  }),
  actionTool({
    verb: 'reload',
    title: 'Reload Corral processes',
    past: 'Reloaded',
    ing: 'Reloading',
    description: 'Reloads processes: a cluster app replaces its instances one at a time with no downtime; a fork app restarts.',
    effect: 'Cluster apps replace one instance at a time; fork apps restart.',
  }),
  actionTool({
    verb: 'stop',
    title: 'Stop Corral processes',
    past: 'Stopped',
    ing: 'Stopping',
    description: 'Stops processes. They stay in the list (stopped) and corral_start starts them again.',
    effect: 'The processes stop and stay stopped until started again.',
  }),
  actionTool({
    verb: 'start',
    title: 'Start Corral processes',
    past: 'Started',
    ing: 'Starting',
    description: 'Starts processes Corral already knows (stopped or errored) with their saved config. It does not start new scripts.',
    effect: 'Stopped or errored processes start with their saved config.',
  }),
];

export function findAgentTool(toolName: string): AgentTool | undefined {
  return AGENT_TOOLS.find((tool) => tool.name === toolName);
}
