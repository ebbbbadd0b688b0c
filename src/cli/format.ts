/**
 * Rendering for the terminal: the process table and `describe`. Pure: strings in, strings out. Every
 * value that came from outside goes through safeText before it is painted or measured.
 */
import { describeProbe, type ProbeConfig } from '../shared/config';
import type { ProcessDescription, ProcessInfo, ProcessStatus } from '../shared/protocol';
import { formatBytes, formatDuration } from '../shared/units';
import { safeText } from '../shared/terminal-text';

export interface Style {
  color: boolean;
}

const COLORS: Record<string, string> = { green: '32', red: '31', yellow: '33', cyan: '36', grey: '90', bold: '1' };

export function paint(style: Style, color: keyof typeof COLORS, text: string): string {
  return style.color ? `\u001b[${COLORS[color]}m${text}\u001b[0m` : text;
}

const STATUS_COLOR: Record<ProcessStatus, keyof typeof COLORS> = {
  online: 'green',
  launching: 'cyan',
  stopping: 'yellow',
  stopped: 'grey',
  'waiting-restart': 'yellow',
  errored: 'red',
};

// eslint-disable-next-line no-control-regex
const visibleLength = (text: string): number => text.replace(/\u001b\[[0-9;]*m/g, '').length;

export function renderTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((header, column) => Math.max(visibleLength(header), ...rows.map((row) => visibleLength(row[column]))));
  const line = (left: string, middle: string, right: string): string => `${left}${widths.map((width) => '─'.repeat(width + 2)).join(middle)}${right}`;
  const row = (cells: string[]): string => `│${cells.map((cell, column) => ` ${cell}${' '.repeat(widths[column] - visibleLength(cell))} `).join('│')}│`;
  return [line('┌', '┬', '┐'), row(headers), line('├', '┼', '┤'), ...rows.map(row), line('└', '┴', '┘')].join('\n');
}

export function renderProcessTable(processes: ProcessInfo[], style: Style): string {
  if (processes.length === 0) return 'No processes. Start one with: corral start <script|ecosystem file>';
  const showNamespace = processes.some((process) => process.namespace !== 'default');
  const headers = ['id', 'name', ...(showNamespace ? ['namespace'] : []), 'mode', 'pid', 'status', '↺', 'uptime', 'cpu', 'memory', 'watching'];
  const rows = processes.map((process) => [
    String(process.id),
    paint(style, 'bold', safeText(process.name)),
    ...(showNamespace ? [safeText(process.namespace)] : []),
    process.exec_mode,
    process.pid === null ? '-' : String(process.pid),
    paint(style, STATUS_COLOR[process.status], process.status),
    String(process.restarts),
    process.status === 'online' ? formatDuration(process.uptime) : '-',
    process.pid === null ? '-' : `${process.cpu}%`,
    process.pid === null ? '-' : formatBytes(process.memory),
    process.watch === false ? 'disabled' : 'enabled',
  ]);
  return renderTable(headers, rows);
}

/** describe's probe rows: none for an app without probes. */
function probeFields(description: ProcessDescription): Array<[string, string]> {
  const { readiness_probe, liveness_probe } = description.config;
  if (!readiness_probe && !liveness_probe) return [];
  const timing = (probe: ProbeConfig): string =>
    `${describeProbe(probe)} every ${probe.period_ms} ms, timeout ${probe.timeout_ms} ms, ${probe.failure_threshold} failures / ${probe.success_threshold} successes` +
    (probe.initial_delay_ms ? `, after ${probe.initial_delay_ms} ms` : '');
  const last = description.last_probe;
  return [
    ['health', description.health ?? '-'],
    ['readiness probe', readiness_probe ? safeText(timing(readiness_probe)) : '-'],
    ['liveness probe', liveness_probe ? safeText(timing(liveness_probe)) : '-'],
    [
      'last probe',
      last ? safeText(`${new Date(last.at).toISOString()} ${last.probe} ${last.ok ? 'passed' : 'failed'}: ${last.detail} (${last.duration_ms} ms)`) : '-',
    ],
  ];
}

export function renderDescription(description: ProcessDescription, style: Style): string {
  const { config } = description;
  const fields: Array<[string, string]> = [
    ['status', paint(style, STATUS_COLOR[description.status], description.status)],
    ['name', safeText(description.name)],
    ['namespace', safeText(description.namespace)],
    ['id', String(description.id)],
    ['pid', description.pid === null ? '-' : String(description.pid)],
    ['exec mode', description.exec_mode],
    ['instance', `${description.instance} of ${description.instances}`],
    ['script', safeText(description.script)],
    ['args', safeText(description.args.join(' ')) || '-'],
    ['interpreter', safeText(description.interpreter)],
    ['node args', safeText(description.node_args.join(' ')) || '-'],
    ['cwd', safeText(description.cwd)],
    ['restarts', String(description.restarts)],
    ['unstable restarts', String(description.unstable_restarts)],
    ['uptime', description.status === 'online' ? formatDuration(description.uptime) : '-'],
    ['created at', new Date(description.created_at).toISOString()],
    ['last exit', description.exit_signal ? `signal ${description.exit_signal}` : description.exit_code === null ? '-' : `code ${description.exit_code}`],
    [
      'last reason',
      description.last_reason ? safeText(`${description.last_reason}${description.last_reason_detail ? `: ${description.last_reason_detail}` : ''}`) : '-',
    ],
    ...probeFields(description),
    ...(description.depends_on && description.depends_on.length > 0 ? [['depends on', safeText(description.depends_on.join(', '))] as [string, string]] : []),
    ...(description.waiting ? [['waiting', safeText(description.waiting)] as [string, string]] : []),
    ['out log', safeText(description.out_log)],
    ['error log', safeText(description.err_log)],
    ...(description.combined_log ? [['combined log', safeText(description.combined_log)] as [string, string]] : []),
    ...(description.config.log_type === 'json' ? [['log type', 'json'] as [string, string]] : []),
    ['pid file', safeText(description.pid_file)],
    ['autorestart', String(config.autorestart)],
    ['max restarts', String(config.max_restarts)],
    ['min uptime', `${config.min_uptime} ms`],
    ['max restarts window', config.max_restarts_window ? `${config.max_restarts_window} ms` : 'off'],
    ['restart delay', `${config.restart_delay} ms`],
    ['exp backoff delay', `${config.exp_backoff_restart_delay} ms`],
    ['stop exit codes', config.stop_exit_codes.join(', ') || '-'],
    ['kill timeout', `${config.kill_timeout} ms`],
    ['watch', config.watch === false ? 'disabled' : config.watch === true ? 'enabled' : safeText(config.watch.join(', '))],
    ['max memory restart', config.max_memory_restart === null ? '-' : formatBytes(config.max_memory_restart)],
    ['cron restart', config.cron_restart ? safeText(config.cron_restart) : '-'],
    [
      'revision',
      description.versioning
        ? safeText(
            `${description.versioning.branch}@${(description.versioning.revision ?? '').slice(0, 10)} ${description.versioning.comment ?? ''}${description.versioning.unstaged ? ' (uncommitted changes)' : ''}`.trim(),
          )
        : '-',
    ],
    ['repository', description.versioning ? safeText(description.versioning.url ?? description.versioning.repo_path) : '-'],
    ['env files', safeText(config.env_file.map((file) => `${file.path}${file.optional ? ' (optional)' : ''}`).join(', ')) || '-'],
    ...envRows(config.env_sources, config.cwd),
  ];
  const table = renderTable(
    ['field', 'value'],
    fields.map(([key, value]) => [key, value]),
  );
  const history = description.history.length
    ? `\nrecent events:\n${description.history.map((entry) => `  ${new Date(entry.at).toISOString()}  ${safeText(`${entry.reason}: ${entry.detail}`)}`).join('\n')}`
    : '';
  return `${paint(style, 'bold', `Describing process ${description.id} (${safeText(description.name)})`)}\n${table}${history}`;
}

/**
 * `env from <source>` rows, names only: inherited, each env file, env, env_<name>, port. Inherited
 * variables (the whole shell) are counted when there are many; the others are always named.
 */
export function envRows(sources: Record<string, string>, cwd: string): Array<[string, string]> {
  const bySource = new Map<string, string[]>();
  for (const key of Object.keys(sources).sort()) bySource.set(sources[key], [...(bySource.get(sources[key]) ?? []), key]);
  const rank = (source: string): number => (source === 'inherited' ? 0 : source.startsWith('env_file ') ? 1 : source === 'env' ? 2 : 3);
  const ordered = [...bySource].sort(([a], [b]) => rank(a) - rank(b));
  if (ordered.length === 0) return [['env (names only)', '-']];
  return ordered.map(([source, keys]) => [
    `env from ${safeText(source.startsWith(`env_file ${cwd}/`) ? `env_file ${source.slice(`env_file ${cwd}/`.length)}` : source)}`,
    source === 'inherited' && keys.length > 12 ? `${keys.length} variables` : safeText(keys.join(', ')),
  ]);
}

const SPARKS = '▁▂▃▄▅▆▇█';

/** A sparkline of the values, scaled between their own min and max. */
export function sparkline(values: number[], width = 20): string {
  const recent = values.slice(-width);
  if (recent.length === 0) return '';
  const min = Math.min(...recent);
  const max = Math.max(...recent);
  return recent.map((value) => SPARKS[max === min ? 0 : Math.round(((value - min) / (max - min)) * (SPARKS.length - 1))]).join('');
}

/** The `monit` screen: one row per process with CPU, memory and a memory sparkline. */
export function renderMonit(processes: ProcessInfo[], memoryHistory: Map<number, number[]>, style: Style, at: Date): string {
  const totalCpu = processes.reduce((sum, process) => sum + (process.pid === null ? 0 : process.cpu), 0);
  const totalMemory = processes.reduce((sum, process) => sum + (process.pid === null ? 0 : process.memory), 0);
  const header = `${paint(style, 'bold', 'corral monit')}  ${processes.filter((p) => p.status === 'online').length} online · cpu ${totalCpu.toFixed(1)}% · ${formatBytes(totalMemory)} · ${at.toLocaleTimeString()}   (q to quit)`;
  if (processes.length === 0) return `${header}\n\nNo processes.`;
  const rows = processes.map((process) => [
    String(process.id),
    paint(style, 'bold', safeText(process.name)),
    paint(style, STATUS_COLOR[process.status], process.status),
    process.pid === null ? '-' : `${process.cpu}%`,
    process.pid === null ? '-' : formatBytes(process.memory),
    sparkline(memoryHistory.get(process.id) ?? []),
    String(process.restarts),
  ]);
  return `${header}\n${renderTable(['id', 'name', 'status', 'cpu', 'memory', 'memory (recent)', '↺'], rows)}`;
}
