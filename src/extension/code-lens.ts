/**
 * CodeLenses on entry files ("Start", "Start with cluster (N)", or "Reload", "Stop", "Logs" and the
 * status once it runs) and in ecosystem files (Start/Reload/Stop per app, "Start all"). Providing reads
 * only memory (the entry index, the process store, the document): no daemon call per keystroke.
 */
import * as vscode from 'vscode';
import { samePath } from '../shared/platform/paths';
import { currentPlatform } from '../shared/platform/platform';
import type { ProcessInfo } from '../shared/protocol';
import { COMMANDS, FOCUS_PROCESSES_VIEW } from './command-ids';
import type { EntryIndex } from './entry-index';
import type { ProcessStore } from './process-store';
import { appStatus, describeProcesses, isRunning } from './tree-model';
import { createsServer, declaredApps, isScriptFile, looksLikeEcosystemFile } from './workspace-entries';

type LensAction =
  | { kind: 'start'; file: string }
  | { kind: 'startCluster'; file: string; instances: string }
  | { kind: 'startExisting' | 'reload' | 'stop' | 'logs' | 'status'; app: string; processes: ProcessInfo[] }
  | { kind: 'ecosystemStart'; file: string; app?: string }
  | { kind: 'ecosystemAction'; app: string; action: 'reload' | 'stop' };

class CorralLens extends vscode.CodeLens {
  constructor(
    range: vscode.Range,
    readonly action: LensAction,
  ) {
    super(range);
  }
}

export class CorralCodeLensProvider implements vscode.CodeLensProvider<CorralLens>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.emitter.event;
  private readonly disposables: vscode.Disposable[];
  /** App names whose state the visible lenses show, so unrelated changes do not redraw them. */
  private shown = new Set<string>();

  constructor(
    private readonly index: EntryIndex,
    private readonly store: ProcessStore,
    private readonly options: { enabled: () => boolean; clusterInstances: () => string },
  ) {
    this.disposables = [
      index.onDidChange(() => this.emitter.fire()),
      store.onDidChange((change) => {
        if (change.structure && [...change.apps].some((app) => this.shown.has(app) || this.scriptOpen(app))) this.emitter.fire();
      }),
    ];
  }

  /** Settings changed: redraw. */
  refresh(): void {
    this.emitter.fire();
  }

  private scriptOpen(app: string): boolean {
    const scripts = this.store.byName(app).map((process) => process.script);
    const platform = currentPlatform();
    return vscode.window.visibleTextEditors.some((editor) => scripts.some((script) => samePath(script, editor.document.uri.fsPath, platform)));
  }

  provideCodeLenses(document: vscode.TextDocument): CorralLens[] {
    if (!this.options.enabled() || document.uri.scheme !== 'file') return [];
    const file = document.uri.fsPath;
    if (looksLikeEcosystemFile(file)) return this.ecosystemLenses(document);
    if (!isScriptFile(file)) return [];
    if (!this.index.isReady) void this.index.ready();
    // fsPath writes a Windows drive letter in lower case; the daemon keeps the script as it was given.
    const platform = currentPlatform();
    const processes = this.store.all().filter((process) => samePath(process.script, file, platform));
    const isEntry = processes.length > 0 || this.index.isEntry(file) || createsServer(document.getText());
    if (!isEntry) return [];
    const top = new vscode.Range(0, 0, 0, 0);
    if (processes.length === 0) {
      return [new CorralLens(top, { kind: 'start', file }), new CorralLens(top, { kind: 'startCluster', file, instances: this.options.clusterInstances() })];
    }
    const app = processes[0].name;
    const own = processes.filter((process) => process.name === app);
    this.shown.add(app);
    if (!own.some(isRunning)) {
      return [
        new CorralLens(top, { kind: 'startExisting', app, processes: own }),
        new CorralLens(top, { kind: 'logs', app, processes: own }),
        new CorralLens(top, { kind: 'status', app, processes: own }),
      ];
    }
    return (['reload', 'stop', 'logs', 'status'] as const).map((kind) => new CorralLens(top, { kind, app, processes: own }));
  }

  private ecosystemLenses(document: vscode.TextDocument): CorralLens[] {
    const file = document.uri.fsPath;
    const lenses = [new CorralLens(new vscode.Range(0, 0, 0, 0), { kind: 'ecosystemStart', file })];
    for (const declared of declaredApps(document.getText())) {
      const range = document.lineAt(document.positionAt(declared.offset).line).range;
      const processes = this.store.byName(declared.name);
      this.shown.add(declared.name);
      if (processes.some(isRunning)) {
        lenses.push(new CorralLens(range, { kind: 'ecosystemAction', app: declared.name, action: 'reload' }));
        lenses.push(new CorralLens(range, { kind: 'ecosystemAction', app: declared.name, action: 'stop' }));
        lenses.push(new CorralLens(range, { kind: 'status', app: declared.name, processes }));
      } else {
        lenses.push(new CorralLens(range, { kind: 'ecosystemStart', file, app: declared.name }));
      }
    }
    return lenses;
  }

  resolveCodeLens(lens: CorralLens): CorralLens {
    lens.command = commandFor(lens.action);
    return lens;
  }

  dispose(): void {
    for (const disposable of this.disposables) disposable.dispose();
    this.emitter.dispose();
  }
}

function commandFor(action: LensAction): vscode.Command {
  switch (action.kind) {
    case 'start':
      return { title: '$(play) Start', tooltip: 'Start this file under Corral (fork mode)', command: COMMANDS.startFile, arguments: [action.file] };
    case 'startCluster':
      return {
        title: `$(server-process) Start with cluster (${action.instances})`,
        tooltip: `Start this file in cluster mode with ${action.instances} workers (setting corral.cluster.instances)`,
        command: COMMANDS.startFile,
        arguments: [action.file, { instances: action.instances, cluster: true }],
      };
    case 'startExisting':
      return { title: '$(play) Start', tooltip: `Start ${action.app} again`, command: COMMANDS.start, arguments: [action.app] };
    case 'reload':
      return { title: '$(sync) Reload', tooltip: `Reload ${action.app} (zero-downtime in cluster mode)`, command: COMMANDS.reload, arguments: [action.app] };
    case 'stop':
      return { title: '$(debug-stop) Stop', tooltip: `Stop ${action.app}`, command: COMMANDS.stop, arguments: [action.app] };
    case 'logs':
      return { title: '$(output) Logs', tooltip: `Show the output of ${action.app}`, command: COMMANDS.showLogs, arguments: [action.app] };
    case 'status': {
      const status = appStatus(action.processes);
      return {
        title: `${action.app}: ${describeProcesses(action.processes, Date.now()).replace(/^(?=\d)/, `${status} · `)}`,
        tooltip: 'Show the Corral process view',
        command: FOCUS_PROCESSES_VIEW,
      };
    }
    case 'ecosystemStart':
      return action.app
        ? { title: '$(play) Start', tooltip: `Start ${action.app} from this file`, command: COMMANDS.startEcosystem, arguments: [action.file, action.app] }
        : { title: '$(run-all) Start all', tooltip: 'Start every app of this file', command: COMMANDS.startEcosystem, arguments: [action.file] };
    case 'ecosystemAction':
      return action.action === 'reload'
        ? { title: '$(sync) Reload', tooltip: `Reload ${action.app}`, command: COMMANDS.reload, arguments: [action.app] }
        : { title: '$(debug-stop) Stop', tooltip: `Stop ${action.app}`, command: COMMANDS.stop, arguments: [action.app] };
  }
}
