/**
 * What the process view shows, as plain data: grouping, descriptions, tooltips and context values.
 * Pure (no `vscode` import), so it is unit-tested in plain Node and the provider stays a thin adapter.
 */
import { displayPath, isAbsoluteAppPath } from '../shared/platform/paths';
import type { Platform } from '../shared/platform/platform';
import type { ProcessInfo, ProcessStatus } from '../shared/protocol';
import { formatBytes, formatDuration } from '../shared/units';

export type TreeNode = NamespaceNode | AppNode | InstanceNode;

export interface NamespaceNode {
  kind: 'namespace';
  key: string;
  namespace: string;
  apps: AppNode[];
}

/** One app: a leaf when it has a single process, else the parent of its instances. */
export interface AppNode {
  kind: 'app';
  key: string;
  name: string;
  namespace: string;
  processes: ProcessInfo[];
}

export interface InstanceNode {
  kind: 'instance';
  key: string;
  app: AppNode;
  process: ProcessInfo;
}

const byId = (a: ProcessInfo, b: ProcessInfo): number => a.id - b.id;

/** Apps grouped by namespace when there is more than one namespace, else the apps themselves. */
export function buildTree(processes: Iterable<ProcessInfo>): Array<NamespaceNode | AppNode> {
  const apps = new Map<string, AppNode>();
  for (const process of processes) {
    const key = `app:${process.namespace}/${process.name}`;
    let app = apps.get(key);
    if (!app) apps.set(key, (app = { kind: 'app', key, name: process.name, namespace: process.namespace, processes: [] }));
    app.processes.push(process);
  }
  const sorted = [...apps.values()].sort((a, b) => a.name.localeCompare(b.name) || a.namespace.localeCompare(b.namespace));
  for (const app of sorted) app.processes.sort(byId);
  const namespaces = new Map<string, NamespaceNode>();
  for (const app of sorted) {
    let group = namespaces.get(app.namespace);
    if (!group) namespaces.set(app.namespace, (group = { kind: 'namespace', key: `ns:${app.namespace}`, namespace: app.namespace, apps: [] }));
    group.apps.push(app);
  }
  if (namespaces.size <= 1) return sorted;
  return [...namespaces.values()].sort((a, b) => a.namespace.localeCompare(b.namespace));
}

export function children(node: NamespaceNode | AppNode | InstanceNode): TreeNode[] {
  if (node.kind === 'namespace') return node.apps;
  if (node.kind === 'app' && isGroup(node)) return node.processes.map((process) => ({ kind: 'instance', key: `id:${process.id}`, app: node, process }));
  return [];
}

/** An app row expands when it has several processes (or is a cluster app, whose workers are worth seeing). */
export function isGroup(app: AppNode): boolean {
  return app.processes.length > 1 || (app.processes[0]?.exec_mode === 'cluster' && app.processes[0].instances > 1);
}

const RUNNING: ReadonlySet<ProcessStatus> = new Set(['online', 'launching', 'waiting-restart', 'stopping']);

export function isRunning(process: ProcessInfo): boolean {
  return RUNNING.has(process.status);
}

/** The status an app shows: the worst of its instances (errored > waiting-restart > launching > stopping > online > stopped). */
export function appStatus(processes: ProcessInfo[]): ProcessStatus {
  const rank: ProcessStatus[] = ['errored', 'waiting-restart', 'launching', 'stopping', 'online', 'stopped'];
  for (const status of rank) if (processes.some((process) => process.status === status)) return status;
  return 'stopped';
}

/** What a row's icon shows: the status, or what the probes say of a running process. */
export type DisplayState = ProcessStatus | 'unhealthy' | 'not-ready';

export function displayState(process: ProcessInfo): DisplayState {
  if (process.status === 'online' && process.health === 'unhealthy') return 'unhealthy';
  if (process.status === 'launching' && process.health === 'not-ready') return 'not-ready';
  return process.status;
}

/** An app's icon: its status, unless it is online and one of its instances fails its liveness probe. */
export function appDisplayState(processes: ProcessInfo[]): DisplayState {
  const status = appStatus(processes);
  const states = processes.map(displayState);
  if (status === 'online' && states.includes('unhealthy')) return 'unhealthy';
  if (status === 'launching' && states.includes('not-ready')) return 'not-ready';
  return status;
}

/** The last probe check in words, e.g. "liveness failed: HTTP 500". */
export function probeSummary(process: ProcessInfo): string | undefined {
  const last = process.last_probe;
  if (!last) return undefined;
  return `${last.probe} ${last.ok ? 'passed' : 'failed'}: ${last.detail}`;
}

export function uptimeOf(process: ProcessInfo, now: number): number | undefined {
  if (process.status !== 'online' || process.started_at === null) return undefined;
  return Math.max(0, now - process.started_at);
}

export function formatCpu(cpu: number): string {
  return `${cpu >= 10 ? cpu.toFixed(0) : cpu.toFixed(1)}%`;
}

/** `cpu% · memory · ↺restarts · uptime` for running processes, the state and restarts otherwise. */
export function describeProcesses(processes: ProcessInfo[], now: number): string {
  const restarts = processes.reduce((sum, process) => sum + process.restarts, 0);
  const running = processes.filter((process) => process.status === 'online');
  if (running.length === 0) {
    const state = appDisplayState(processes);
    const waiting = processes.find((process) => process.waiting)?.waiting;
    // depends_on: "waiting for db" says more than "stopped".
    const status = waiting ?? (state === 'not-ready' ? 'launching (not ready)' : state);
    return restarts > 0 ? `${status} · ↺${restarts}` : status;
  }
  const cpu = running.reduce((sum, process) => sum + process.cpu, 0);
  const memory = running.reduce((sum, process) => sum + process.memory, 0);
  const uptimes = running.map((process) => uptimeOf(process, now)).filter((value): value is number => value !== undefined);
  // Before the daemon's first metrics tick there are no figures: "0 B" would be a wrong one.
  const parts = memory > 0 ? [formatCpu(cpu), formatBytes(memory), `↺${restarts}`] : [`↺${restarts}`];
  if (uptimes.length > 0) parts.push(formatDuration(Math.min(...uptimes)));
  if (processes.length > 1) parts.unshift(`${running.length}/${processes.length}`);
  // Which save restarted it last: the watch detail reads "changed src/index.js".
  const watched = running.find((process) => process.last_reason === 'watch' && process.last_reason_detail);
  if (watched) parts.push(`⟳ ${watched.last_reason_detail}`);
  const unhealthy = running.filter((process) => process.health === 'unhealthy').length;
  if (unhealthy > 0) parts.push(processes.length > 1 ? `${unhealthy} unhealthy` : 'unhealthy');
  return parts.join(' · ');
}

/** The label of an app row; instances are named by their id. */
export function label(node: TreeNode): string {
  if (node.kind === 'namespace') return node.namespace;
  if (node.kind === 'app') return node.name;
  return `${node.app.name} #${node.process.id}`;
}

/** `contextValue` words that the package.json menus match with `viewItem =~ /\bword\b/`. */
export function contextValue(node: TreeNode, platform: Platform): string {
  if (node.kind === 'namespace') return 'corral.namespace';
  const processes = node.kind === 'app' ? node.processes : [node.process];
  const words = [node.kind === 'app' ? 'corral.app' : 'corral.instance'];
  words.push(processes.some(isRunning) ? 'running' : 'stopped');
  if (processes.some((process) => process.status === 'errored')) words.push('errored');
  if (processes[0]?.exec_mode === 'cluster') words.push('cluster');
  if (processes[0] && processes[0].watch !== false) words.push('watching');
  if (processes.some((process) => process.pid !== null)) words.push('pid');
  if (processes[0] && processes[0].interpreter !== 'none' && isAbsoluteAppPath(processes[0].script, platform)) words.push('script');
  return words.join(' ');
}

/** The restart reason in words, with the file that triggered a watch restart. */
export function lastReason(process: ProcessInfo): string | undefined {
  if (!process.last_reason) return undefined;
  return process.last_reason_detail ? `${process.last_reason}: ${process.last_reason_detail}` : process.last_reason;
}

const escapeMarkdown = (text: string): string => text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
const code = (text: string): string => `\`${text.replace(/`/g, "'")}\``;

/** The Markdown tooltip of a process row (or of an app row, from its first instance plus totals); paths in the platform's form. */
export function tooltip(node: AppNode | InstanceNode, now: number, platform: Platform): string {
  // '/dev/null' is the config's word for "no log file" on every platform, not a path to convert.
  const shown = (file: string): string => code(file === '/dev/null' ? file : displayPath(file, platform));
  const processes = node.kind === 'app' ? node.processes : [node.process];
  const first = processes[0];
  const rows: Array<[string, string]> = [];
  const title = node.kind === 'app' ? node.name : `${node.app.name} #${node.process.id}`;
  const status = node.kind === 'app' ? appStatus(processes) : node.process.status;
  rows.push(['status', processes.length > 1 ? `${status} (${processes.filter((p) => p.status === 'online').length}/${processes.length} online)` : status]);
  rows.push(['mode', first.exec_mode === 'cluster' ? `cluster × ${first.instances}` : first.instances > 1 ? `fork × ${first.instances}` : 'fork']);
  if (processes.length === 1) {
    rows.push(['id', String(first.id)]);
    rows.push(['pid', first.pid === null ? '–' : String(first.pid)]);
    const uptime = uptimeOf(first, now);
    if (uptime !== undefined) rows.push(['uptime', formatDuration(uptime)]);
  } else {
    rows.push(['ids · pids', processes.map((p) => `${p.id} · ${p.pid ?? '–'}`).join(', ')]);
  }
  const online = processes.filter((process) => process.status === 'online');
  if (online.length > 0) {
    rows.push(['cpu', formatCpu(online.reduce((sum, p) => sum + p.cpu, 0))]);
    rows.push(['memory', formatBytes(online.reduce((sum, p) => sum + p.memory, 0))]);
  }
  rows.push(['restarts', String(processes.reduce((sum, p) => sum + p.restarts, 0))]);
  const probed = processes.filter((process) => process.health !== null && process.health !== undefined);
  if (probed.length > 0) {
    const counts = ['healthy', 'unhealthy', 'not-ready'].map((health) => [health, probed.filter((p) => p.health === health).length] as const);
    rows.push([
      'health',
      probed.length === 1
        ? String(probed[0].health)
        : counts
            .filter(([, n]) => n > 0)
            .map(([h, n]) => `${n} ${h}`)
            .join(', '),
    ]);
  }
  const probedLast = processes.filter((process) => process.last_probe).sort((a, b) => (b.last_probe?.at ?? 0) - (a.last_probe?.at ?? 0))[0];
  if (probedLast?.last_probe) rows.push(['last probe', `${probeSummary(probedLast)} (${new Date(probedLast.last_probe.at).toLocaleTimeString()})`]);
  rows.push(['namespace', first.namespace]);
  if (first.depends_on && first.depends_on.length > 0) rows.push(['depends on', first.depends_on.join(', ')]);
  const waiting = processes.find((process) => process.waiting)?.waiting;
  if (waiting) rows.push(['waiting', waiting]);
  const lines = [`**${escapeMarkdown(title)}**`, '', ...rows.map(([key, value]) => `${key}: ${escapeMarkdown(value)}  `)];
  lines.push('', `script: ${shown(first.script)}  `, `cwd: ${shown(first.cwd)}  `);
  if (first.interpreter !== 'node') lines.push(`interpreter: ${code(first.interpreter)}  `);
  if (first.watch !== false) lines.push(`watch: ${first.watch === true ? shown(first.cwd) : first.watch.map(shown).join(', ')}  `);
  lines.push(`out log: ${shown(first.out_log)}  `, `error log: ${shown(first.err_log)}  `);
  if (first.combined_log) lines.push(`combined log: ${shown(first.combined_log)}  `);
  const reasons = processes.filter((process) => process.last_reason !== null && process.last_reason !== 'start');
  const latest = reasons.sort((a, b) => (b.started_at ?? 0) - (a.started_at ?? 0))[0];
  if (latest) lines.push('', `last restart: ${escapeMarkdown(lastReason(latest) ?? '')}`);
  return lines.join('\n');
}

export interface Totals {
  online: number;
  errored: number;
  total: number;
  cpu: number;
  memory: number;
}

export function totals(processes: Iterable<ProcessInfo>): Totals {
  const result: Totals = { online: 0, errored: 0, total: 0, cpu: 0, memory: 0 };
  for (const process of processes) {
    result.total++;
    if (process.status === 'errored') result.errored++;
    if (process.status !== 'online') continue;
    result.online++;
    result.cpu += process.cpu;
    result.memory += process.memory;
  }
  return result;
}
