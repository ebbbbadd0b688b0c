/**
 * Crashes and logged errors of managed apps as Problems, at the top frame of the stack that is in the
 * workspace (mapped through source maps), with quick fixes: Restart, Show Logs, Debug from the start.
 *
 * A crash (an exit with a code other than 0, or a signal, that nobody asked for) is read from the lines the
 * daemon keeps (`recentLogs`), once the process's stderr has been quiet for a moment, so the trailing lines
 * of the stack are in; only bytes not read at the previous crash count. A stack logged by a running app comes
 * from the live `log:err` lines. A problem goes when the app has stayed online for its `min_uptime` after
 * coming up again, when its line is edited, when the app is deleted, or when `corral.problems.enabled` is off.
 */
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { isInside, samePath } from '../shared/platform/paths';
import { currentPlatform } from '../shared/platform/platform';
import type { ProcessEvent, ProcessInfo } from '../shared/protocol';
import { COMMANDS } from './command-ids';
import type { DaemonConnection } from './connection';
import { errorTitle, parseErrors, workspaceFrames, type Located, type ParsedError } from './crash-stack';
import { ProblemBook, type Problem, type ProblemKind } from './problem-book';
import type { ProcessStore } from './process-store';
import { SourceMaps } from './source-maps';

export const PROBLEMS_SOURCE = 'corral';

/** How long stderr must be quiet before a crash is read, and the longest a crash waits for that. */
const QUIET_MS = 150;
const MAX_WAIT_MS = 1_500;
/** A running app's stack is read once its stderr was quiet this long (an exit in between makes it a crash). */
const LOGGED_QUIET_MS = 500;
/** Lines asked of the daemon at a crash, and live stderr lines kept per process. */
const RECENT_LINES = 400;
const LIVE_LINES = 400;
const RELATED_FRAMES = 10;
/** Files read to find where a line ends. */
const MAX_READ_BYTES = 5 * 1024 * 1024;
/** The reasons of an exit nobody asked for (a stop, a watch restart, a memory limit are not crashes). */
const CRASH_REASONS: ReadonlySet<string> = new Set(['crash', 'exit', 'unstable']);

interface PendingRead {
  timer: NodeJS.Timeout;
  deadline: number;
  /** The latest exit's time, and how many exits came before the read. */
  at: number;
  exits: number;
}

interface LiveLines {
  lines: string[];
  /** Lines already scanned for stacks. */
  scanned: number;
  timer?: NodeJS.Timeout;
  /** The launch the lines came from: a stack whose process exited since is left to the crash. */
  pid: number | null;
}

export class Problems implements vscode.Disposable, vscode.CodeActionProvider {
  static readonly providedCodeActionKinds = [vscode.CodeActionKind.QuickFix];
  readonly diagnostics = vscode.languages.createDiagnosticCollection(PROBLEMS_SOURCE);
  private readonly book = new ProblemBook();
  private readonly maps = new SourceMaps();
  private readonly emitter = new vscode.EventEmitter<void>();
  /** Fires when the problems changed. */
  readonly onDidChange = this.emitter.event;
  private readonly crashes = new Map<number, PendingRead>();
  /** Per process: the stderr end offset up to which a crash was already read. */
  private readonly consumed = new Map<number, number>();
  private readonly live = new Map<number, LiveLines>();
  /** Processes whose crash is being read (its problem is not in the book yet). */
  private readonly reading = new Set<number>();
  private readonly uptimeTimers = new Map<number, NodeJS.Timeout>();
  private readonly disposables: vscode.Disposable[];

  constructor(
    private readonly connection: DaemonConnection,
    private readonly store: ProcessStore,
    private readonly enabled: () => boolean,
  ) {
    this.disposables = [
      this.diagnostics,
      this.emitter,
      store.onDidChangeState(({ process, event }) => this.onState(process, event)),
      store.onDidDeleteApp((app) => this.clearApp(app)),
      connection.on('log:err', (event) => this.onErrLines(event.id, event.lines)),
      vscode.workspace.onDidChangeTextDocument((event) => this.onEdit(event)),
      vscode.languages.registerCodeActionsProvider({ scheme: 'file' }, this, { providedCodeActionKinds: Problems.providedCodeActionKinds }),
    ];
  }

  /** The app's most recent problem (the tree's tooltip shows it). */
  last(app: string): Problem | undefined {
    return this.book.last(app);
  }

  all(): Problem[] {
    return this.book.apps().flatMap((app) => this.book.forApp(app));
  }

  /** `corral.problems.enabled` changed: off forgets everything and stops reading. */
  settingChanged(): void {
    if (this.enabled()) return;
    for (const pending of this.crashes.values()) clearTimeout(pending.timer);
    this.crashes.clear();
    for (const live of this.live.values()) clearTimeout(live.timer);
    this.live.clear();
    if (this.book.clear()) this.render();
  }

  private onState(process: ProcessInfo, event: ProcessEvent): void {
    if (!this.enabled()) return;
    clearTimeout(this.uptimeTimers.get(process.id));
    this.uptimeTimers.delete(process.id);
    const exited = event.status === 'waiting-restart' || event.status === 'errored' || event.status === 'stopped';
    if (exited && CRASH_REASONS.has(event.reason) && ((event.exit_code ?? 0) !== 0 || event.exit_signal)) this.crashed(process.id, event.at);
    if (event.status === 'online') this.cameUp(process, event.at);
  }

  private crashed(id: number, at: number): void {
    const live = this.live.get(id);
    if (live) clearTimeout(live.timer); // the stack in them is the crash's
    this.live.delete(id);
    const pending = this.crashes.get(id);
    if (!pending) {
      this.crashes.set(id, { timer: setTimeout(() => void this.readCrash(id), QUIET_MS), deadline: Date.now() + MAX_WAIT_MS, at, exits: 1 });
      return;
    }
    // A crash loop faster than the quiet time: one read for these exits, counted as all of them.
    pending.at = at;
    pending.exits++;
    this.wait(id, pending);
  }

  /** Reads the crash once stderr was quiet for QUIET_MS, or at the deadline. */
  private wait(id: number, pending: PendingRead): void {
    if (Date.now() >= pending.deadline) return;
    clearTimeout(pending.timer);
    pending.timer = setTimeout(() => void this.readCrash(id), QUIET_MS);
  }

  private onErrLines(id: number, lines: string[]): void {
    if (!this.enabled()) return;
    const crash = this.crashes.get(id);
    if (crash) {
      // The exit came before the last lines of its stack: wait for them (bounded).
      this.wait(id, crash);
      return;
    }
    const pid = this.store.get(id)?.pid ?? null;
    let live = this.live.get(id);
    if (!live || live.pid !== pid) {
      clearTimeout(live?.timer);
      this.live.set(id, (live = { lines: [], scanned: 0, pid }));
    }
    live.lines.push(...lines);
    if (live.lines.length > LIVE_LINES) {
      const dropped = live.lines.length - LIVE_LINES;
      live.lines.splice(0, dropped);
      live.scanned = Math.max(0, live.scanned - dropped);
    }
    clearTimeout(live.timer);
    live.timer = setTimeout(() => this.readLogged(id), LOGGED_QUIET_MS);
  }

  private readLogged(id: number): void {
    const live = this.live.get(id);
    const process = this.store.get(id);
    if (!live || !process || process.pid !== live.pid || process.status !== 'online') return;
    const lines = live.lines.slice(live.scanned);
    live.scanned = live.lines.length;
    for (const error of parseErrors(lines)) this.report(process, 'logged', error, Date.now());
  }

  private async readCrash(id: number): Promise<void> {
    const pending = this.crashes.get(id);
    this.crashes.delete(id);
    const process = this.store.get(id);
    if (!pending || !process || !this.enabled()) return;
    let logs;
    this.reading.add(id);
    try {
      logs = await this.connection.call('recentLogs', { id, lines: RECENT_LINES });
    } catch {
      return; // deleted meanwhile, or the connection went
    } finally {
      this.reading.delete(id);
    }
    const { lines, end } = logs.err;
    const from = this.consumed.get(id) ?? 0;
    this.consumed.set(id, end);
    // Only what this launch wrote since the last crash was read (counted back from the end in bytes).
    let bytes = end - from;
    let first = lines.length;
    while (first > 0 && bytes > 0) bytes -= Buffer.byteLength(lines[--first]) + 1;
    const errors = parseErrors(lines.slice(first));
    const fatal = errors.at(-1);
    if (fatal) this.report(process, 'crashed', fatal, pending.at, pending.exits);
  }

  private report(process: ProcessInfo, kind: ProblemKind, error: ParsedError, at: number, times = 1): void {
    if (!this.enabled() || !this.store.get(process.id)) return;
    const folders = vscode.workspace.workspaceFolders?.map((folder) => folder.uri.fsPath) ?? [process.cwd];
    const platform = currentPlatform();
    const frames = workspaceFrames(
      error,
      (file) => folders.some((folder) => isInside(file, folder, platform)),
      (place) => ({ ...place, ...this.maps.map(place) }),
    );
    const [place, ...related] = frames;
    if (!place) return;
    this.book.add({ app: process.name, processId: process.id, kind, title: errorTitle(error), at, place, related: related.slice(0, RELATED_FRAMES), times });
    this.render();
  }

  /** Online again: once it has stayed up for min_uptime, the problems from before are gone. */
  private cameUp(process: ProcessInfo, at: number): void {
    if (this.book.forApp(process.name).length === 0 && !this.crashes.has(process.id) && !this.reading.has(process.id)) return;
    // The launch is its pid: the store may replace the entry (a describe after a restart), not the pid.
    const { pid } = process;
    const sameLaunch = (): boolean => {
      const now = this.store.get(process.id);
      return now?.status === 'online' && now.pid === pid;
    };
    void this.minUptime(process).then((minUptime) => {
      if (!sameLaunch()) return; // exited or restarted meanwhile
      clearTimeout(this.uptimeTimers.get(process.id));
      const timer = setTimeout(() => {
        this.uptimeTimers.delete(process.id);
        if (!sameLaunch()) return;
        if (this.book.clearApp(process.name, at)) this.render();
      }, minUptime);
      this.uptimeTimers.set(process.id, timer);
    });
  }

  private async minUptime(process: ProcessInfo): Promise<number> {
    try {
      const [description] = await this.connection.call('describe', { targets: [String(process.id)] });
      return description?.config.min_uptime ?? 1_000;
    } catch {
      return 1_000; // the config's default
    }
  }

  private onEdit(event: vscode.TextDocumentChangeEvent): void {
    if (event.contentChanges.length === 0 || event.document.uri.scheme !== 'file') return;
    const platform = currentPlatform();
    let changed = false;
    for (const problem of this.all()) {
      if (!samePath(problem.place.file, event.document.uri.fsPath, platform)) continue;
      const line = problem.place.line - 1;
      if (event.contentChanges.some(({ range }) => range.start.line <= line && line <= range.end.line)) {
        changed = this.book.remove(problem.app, problem.key) || changed;
      }
    }
    if (changed) this.render();
  }

  private clearApp(app: string): void {
    if (this.book.clearApp(app)) this.render();
  }

  private render(): void {
    const byFile = new Map<string, { uri: vscode.Uri; diagnostics: vscode.Diagnostic[] }>();
    for (const problem of this.all()) {
      const uri = vscode.Uri.file(problem.place.file);
      let entry = byFile.get(uri.toString());
      if (!entry) byFile.set(uri.toString(), (entry = { uri, diagnostics: [] }));
      entry.diagnostics.push(diagnosticOf(problem));
    }
    this.diagnostics.clear();
    for (const { uri, diagnostics } of byFile.values()) this.diagnostics.set(uri, diagnostics);
    this.emitter.fire();
  }

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const platform = currentPlatform();
    const actions: vscode.CodeAction[] = [];
    for (const diagnostic of context.diagnostics) {
      if (diagnostic.source !== PROBLEMS_SOURCE) continue;
      const problem = this.all().find(
        (candidate) =>
          candidate.message === diagnostic.message &&
          candidate.place.line - 1 === diagnostic.range.start.line &&
          samePath(candidate.place.file, document.uri.fsPath, platform),
      );
      if (!problem) continue;
      const action = (title: string, command: string, argument: number | string, preferred = false): vscode.CodeAction => {
        const fix = new vscode.CodeAction(title, vscode.CodeActionKind.QuickFix);
        fix.command = { title, command, arguments: [argument] };
        fix.diagnostics = [diagnostic];
        fix.isPreferred = preferred;
        return fix;
      };
      actions.push(
        action(`Restart ${problem.app}`, COMMANDS.restart, problem.processId, true),
        action(`Show Logs of ${problem.app}`, COMMANDS.showLogs, problem.app),
        action(`Debug ${problem.app} from the start`, COMMANDS.debugFromStart, problem.processId),
      );
    }
    return actions;
  }

  dispose(): void {
    for (const pending of this.crashes.values()) clearTimeout(pending.timer);
    for (const live of this.live.values()) clearTimeout(live.timer);
    for (const timer of this.uptimeTimers.values()) clearTimeout(timer);
    for (const disposable of this.disposables) disposable.dispose();
  }
}

function position(place: Located): vscode.Position {
  return new vscode.Position(Math.max(0, place.line - 1), Math.max(0, place.column - 1));
}

/** The length of a line of a file (the open document's, else the file's; bounded), or undefined. */
function lineLength(file: string, line: number): number | undefined {
  const open = vscode.workspace.textDocuments.find((document) => document.uri.scheme === 'file' && document.uri.fsPath === file);
  if (open) return line < open.lineCount ? open.lineAt(line).text.length : undefined;
  try {
    if (fs.statSync(file).size > MAX_READ_BYTES) return undefined;
    return fs.readFileSync(file, 'utf8').split('\n')[line]?.replace(/\r$/, '').length;
  } catch {
    return undefined;
  }
}

function diagnosticOf(problem: Problem): vscode.Diagnostic {
  const start = position(problem.place);
  // From the column to the end of the line.
  const end = Math.max(start.character + 1, lineLength(problem.place.file, start.line) ?? 0);
  const diagnostic = new vscode.Diagnostic(new vscode.Range(start, start.with({ character: end })), problem.message, vscode.DiagnosticSeverity.Error);
  diagnostic.source = PROBLEMS_SOURCE;
  if (problem.count > 1) diagnostic.code = `${problem.kind} ${problem.count} times`;
  diagnostic.relatedInformation = problem.related.map(
    (frame) => new vscode.DiagnosticRelatedInformation(new vscode.Location(vscode.Uri.file(frame.file), position(frame)), `at ${frame.fn ?? '<anonymous>'}`),
  );
  return diagnostic;
}
