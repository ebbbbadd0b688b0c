/**
 * "Corral: Monitor": a webview with a CPU and a memory chart per running process. The history comes from
 * the daemon's `describe` samples, then each `metrics` tick is posted to the page, which appends one point
 * and redraws only that process's two SVG paths. No network: inline script and style under a nonce CSP.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { MetricsSample } from '../shared/protocol';
import type { DaemonConnection } from './connection';

/** The most points a chart keeps (the daemon keeps 60 samples). */
export const HISTORY = 60;

export interface MonitorSeries {
  id: number;
  name: string;
  samples: MetricsSample[];
}

export type MonitorMessage =
  { type: 'init'; series: MonitorSeries[] } | { type: 'tick'; at: number; processes: Array<{ id: number; cpu: number; memory: number }> };

export class MonitorPanel implements vscode.Disposable {
  private static current: MonitorPanel | undefined;
  readonly panel: vscode.WebviewPanel;
  /** Messages posted to the page so far (for tests and for a panel that reloads). */
  posted = 0;
  /** History requests from the page: its script ran and asked for the data. */
  historyRequests = 0;
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;

  static show(connection: DaemonConnection): MonitorPanel {
    if (MonitorPanel.current) {
      MonitorPanel.current.panel.reveal();
      return MonitorPanel.current;
    }
    MonitorPanel.current = new MonitorPanel(connection);
    return MonitorPanel.current;
  }

  private constructor(private readonly connection: DaemonConnection) {
    this.panel = vscode.window.createWebviewPanel('corral.monitor', 'Corral: Monitor', vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [],
    });
    const nonce = randomBytes(16).toString('base64');
    this.panel.webview.html = monitorHtml(nonce);
    this.disposables.push(
      this.panel.onDidDispose(() => void this.dispose()),
      // The page asks for its data once its script runs, so nothing posted before that is lost.
      this.panel.webview.onDidReceiveMessage((message: { type?: string }) => {
        if (message?.type !== 'ready') return;
        this.historyRequests++;
        void this.sendHistory();
      }),
      connection.on('metrics', (tick) => this.post({ type: 'tick', at: tick.at, processes: tick.processes })),
    );
  }

  private async sendHistory(): Promise<void> {
    try {
      const described = await this.connection.call('describe', { targets: ['all'] });
      const series = described
        .filter((process) => process.status === 'online')
        .map((process) => ({ id: process.id, name: process.name, samples: process.samples.slice(-HISTORY) }));
      this.post({ type: 'init', series });
    } catch (error) {
      console.error(`corral: monitor: ${(error as Error).message}`);
      this.post({ type: 'init', series: [] });
    }
  }

  private post(message: MonitorMessage): void {
    if (this.disposed) return;
    this.posted++;
    void this.panel.webview.postMessage(message);
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    if (MonitorPanel.current === this) MonitorPanel.current = undefined;
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
    this.panel.dispose();
  }
}

function monitorHtml(nonce: string): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>Corral: Monitor</title>
<style nonce="${nonce}">
  body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); background: var(--vscode-editor-background); padding: 8px 16px; }
  h1 { font-size: 1.2em; font-weight: 600; margin: 4px 0 12px; }
  .caption { color: var(--vscode-descriptionForeground); margin: 0 0 12px; }
  #empty { color: var(--vscode-descriptionForeground); }
  .process { border: 1px solid var(--vscode-panel-border, var(--vscode-widget-border, transparent)); border-radius: 4px; padding: 8px 12px; margin-bottom: 12px; }
  .process h2 { font-size: 1em; font-weight: 600; margin: 0 0 6px; }
  .process h2 .id { color: var(--vscode-descriptionForeground); font-weight: normal; }
  .charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(240px, 1fr)); gap: 12px; }
  .chart .label { display: flex; justify-content: space-between; color: var(--vscode-descriptionForeground); margin-bottom: 2px; }
  .chart .value { color: var(--vscode-foreground); font-variant-numeric: tabular-nums; }
  svg { width: 100%; height: 70px; display: block; background: var(--vscode-input-background, transparent); border-radius: 2px; }
  .grid { stroke: var(--vscode-editorWidget-border, var(--vscode-widget-border, #8884)); stroke-width: 1; stroke-dasharray: 2 3; vector-effect: non-scaling-stroke; }
  .cpu .line { stroke: var(--vscode-charts-blue); }
  .cpu .area { fill: var(--vscode-charts-blue); }
  .memory .line { stroke: var(--vscode-charts-green); }
  .memory .area { fill: var(--vscode-charts-green); }
  .line { fill: none; stroke-width: 1.5; vector-effect: non-scaling-stroke; }
  .area { opacity: 0.18; stroke: none; }
</style></head>
<body>
<h1>Corral: Monitor</h1>
<p class="caption">CPU and memory of each running process, last ${HISTORY} samples (newest on the right).</p>
<p id="empty">Waiting for data from the daemon…</p>
<div id="processes"></div>
<script nonce="${nonce}">
(function () {
  const vscode = acquireVsCodeApi();
  const HISTORY = ${HISTORY};
  const W = 300, H = 70;
  const rows = new Map();
  let pending = true;
  const container = document.getElementById('processes');
  const empty = document.getElementById('empty');
  const svgNs = 'http://www.w3.org/2000/svg';

  function formatMemory(bytes) {
    if (bytes >= 1073741824) return (bytes / 1073741824).toFixed(2) + ' GB';
    if (bytes >= 1048576) return (bytes / 1048576).toFixed(1) + ' MB';
    return Math.round(bytes / 1024) + ' KB';
  }

  function chart(kind, title) {
    const element = document.createElement('div');
    element.className = 'chart ' + kind;
    const label = document.createElement('div');
    label.className = 'label';
    const name = document.createElement('span');
    name.textContent = title;
    const value = document.createElement('span');
    value.className = 'value';
    label.append(name, value);
    const svg = document.createElementNS(svgNs, 'svg');
    svg.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
    svg.setAttribute('preserveAspectRatio', 'none');
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', title);
    for (const y of [H / 2]) {
      const grid = document.createElementNS(svgNs, 'line');
      grid.setAttribute('class', 'grid');
      grid.setAttribute('x1', '0'); grid.setAttribute('x2', String(W));
      grid.setAttribute('y1', String(y)); grid.setAttribute('y2', String(y));
      svg.append(grid);
    }
    const area = document.createElementNS(svgNs, 'path');
    area.setAttribute('class', 'area');
    const line = document.createElementNS(svgNs, 'path');
    line.setAttribute('class', 'line');
    svg.append(area, line);
    element.append(label, svg);
    return { element, value, line, area, scale: name };
  }

  function row(id, name) {
    let entry = rows.get(id);
    if (entry) return entry;
    const element = document.createElement('section');
    element.className = 'process';
    element.dataset.id = String(id);
    const heading = document.createElement('h2');
    const title = document.createElement('span');
    title.textContent = name || ('process ' + id);
    const idLabel = document.createElement('span');
    idLabel.className = 'id';
    idLabel.textContent = ' [' + id + ']';
    heading.append(title, idLabel);
    const charts = document.createElement('div');
    charts.className = 'charts';
    const cpu = chart('cpu', 'CPU');
    const memory = chart('memory', 'Memory');
    charts.append(cpu.element, memory.element);
    element.append(heading, charts);
    container.append(element);
    empty.hidden = true;
    entry = { element, cpu, memory, samples: [] };
    rows.set(id, entry);
    return entry;
  }

  function paths(values, max) {
    if (values.length === 0) return { line: '', area: '' };
    const step = W / (HISTORY - 1);
    const offset = (HISTORY - values.length) * step;
    let line = '';
    values.forEach((value, index) => {
      const x = offset + index * step;
      const y = H - 2 - (Math.min(value, max) / max) * (H - 4);
      line += (index === 0 ? 'M' : 'L') + x.toFixed(1) + ' ' + y.toFixed(1) + ' ';
    });
    const area = line + 'L' + W + ' ' + H + ' L' + offset.toFixed(1) + ' ' + H + ' Z';
    return { line, area };
  }

  function draw(entry) {
    const cpus = entry.samples.map((sample) => sample.cpu);
    const memories = entry.samples.map((sample) => sample.memory);
    const cpuMax = Math.max(100, ...cpus);
    const memoryMax = Math.max(1048576, ...memories) * 1.2;
    const cpuPaths = paths(cpus, cpuMax);
    const memoryPaths = paths(memories, memoryMax);
    entry.cpu.line.setAttribute('d', cpuPaths.line);
    entry.cpu.area.setAttribute('d', cpuPaths.area);
    entry.memory.line.setAttribute('d', memoryPaths.line);
    entry.memory.area.setAttribute('d', memoryPaths.area);
    const last = entry.samples[entry.samples.length - 1];
    entry.cpu.value.textContent = last ? last.cpu.toFixed(1) + ' %' : '–';
    entry.memory.value.textContent = last ? formatMemory(last.memory) : '–';
    entry.cpu.scale.textContent = 'CPU (0–' + Math.round(cpuMax) + ' %)';
    entry.memory.scale.textContent = 'Memory (0–' + formatMemory(memoryMax) + ')';
    entry.element.dataset.points = String(entry.samples.length);
  }

  window.addEventListener('message', (event) => {
    const message = event.data;
    if (message.type === 'init') {
      pending = false;
      for (const series of message.series) {
        const entry = row(series.id, series.name);
        entry.samples = series.samples.slice(-HISTORY);
        draw(entry);
      }
      if (rows.size === 0) empty.textContent = 'No process is running.';
    } else if (message.type === 'tick') {
      const seen = new Set();
      for (const figures of message.processes) {
        seen.add(figures.id);
        const entry = rows.get(figures.id);
        // A process the page has not seen (just started): ask for the history again, once.
        if (!entry) { if (!pending) { pending = true; vscode.postMessage({ type: 'ready' }); } return; }
        entry.samples.push({ at: message.at, cpu: figures.cpu, memory: figures.memory });
        if (entry.samples.length > HISTORY) entry.samples.shift();
        draw(entry);
      }
      // A process that is gone (deleted, stopped) leaves the page.
      for (const [id, entry] of rows) if (!seen.has(id)) { entry.element.remove(); rows.delete(id); }
      if (rows.size === 0) { empty.hidden = false; empty.textContent = 'No process is running.'; }
    }
  });
  vscode.postMessage({ type: 'ready' });
})();
</script>
</body></html>`;
}
