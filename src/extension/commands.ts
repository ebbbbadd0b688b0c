/**
 * Every `corral.*` command. App-taking commands act on the tree item (or name) they were invoked with, or
 * ask with a quick pick of apps. Daemon errors are shown with the daemon's own message.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CorralError, ErrorCode } from '../shared/errors';
import type { ProcessInfo } from '../shared/protocol';
import { VERSION } from '../shared/version';
import { COMMANDS, PROCESSES_VIEW, type CommandId } from './command-ids';
import type { DaemonConnection } from './connection';
import { attachDebugger } from './debug-attach';
import { MonitorPanel } from './monitor-panel';
import type { EntryIndex } from './entry-index';
import type { LogChannels } from './log-channels';
import type { ProcessStore } from './process-store';
import type { ProcessTreeProvider } from './process-tree';
import type { Prompts } from './prompts';
import { askScriptOptions, pickStartFile } from './start-flow';
import { failedStarts, type ScriptOptions, type Starter } from './starter';
import { notRunning, resolveTarget, running, type Target, type TargetArgument } from './targets';
import { isRunning } from './tree-model';
import { looksLikeEcosystemFile } from './workspace-entries';

export interface CommandContext {
  connection: DaemonConnection;
  store: ProcessStore;
  tree: ProcessTreeProvider;
  logs: LogChannels;
  index: EntryIndex;
  starter: Starter;
  prompts: Prompts;
}

const LONG_CALL_MS = 120_000;

/** Shows a failed command: the daemon's message, with "Start Daemon" or "Show Logs" where they help. */
export async function reportError(error: unknown, app?: string): Promise<void> {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof CorralError && error.code === ErrorCode.DaemonUnavailable) {
    const choice = await vscode.window.showErrorMessage(`Corral: ${message}`, 'Start Daemon');
    if (choice) await vscode.commands.executeCommand(COMMANDS.startDaemon);
    return;
  }
  const choice = await vscode.window.showErrorMessage(`Corral: ${message}`, ...(app ? ['Show Logs'] : []));
  if (choice === 'Show Logs') await vscode.commands.executeCommand(COMMANDS.showLogs, app);
}

function asFile(argument: unknown): string | undefined {
  if (argument instanceof vscode.Uri) return argument.fsPath;
  if (typeof argument === 'string' && path.isAbsolute(argument)) return argument;
  return undefined;
}

export function registerCommands(ctx: CommandContext): vscode.Disposable[] {
  const { connection, store, logs, starter, prompts } = ctx;

  /**
   * Runs a command body; an error becomes one notification with the daemon's message (rethrowing would
   * add VS Code's own "command failed" notification), and the command resolves to undefined.
   */
  const guarded =
    <A extends unknown[], R>(body: (...args: A) => Promise<R>, app?: (...args: A) => string | undefined) =>
    async (...args: A): Promise<R | undefined> => {
      try {
        return await body(...args);
      } catch (error) {
        void reportError(error, app?.(...args));
        return undefined;
      }
    };

  const afterStart = (processes: ProcessInfo[]): ProcessInfo[] => {
    const failed = failedStarts(processes);
    if (failed) throw new CorralError(ErrorCode.Internal, failed);
    return processes;
  };

  const startScript = async (file: string, options: ScriptOptions): Promise<ProcessInfo[]> =>
    vscode.window.withProgress({ location: { viewId: PROCESSES_VIEW } }, () => starter.startScript(file, options).then(afterStart));

  const startEcosystem = async (file: string, only?: string[]): Promise<ProcessInfo[]> =>
    vscode.window.withProgress({ location: { viewId: PROCESSES_VIEW } }, () => starter.startEcosystem(file, only).then(afterStart));

  /** stop / restart / reload / delete on a target, with a quick pick when there is none. */
  const action = (method: 'stop' | 'restart' | 'reload' | 'delete', title: string, filter?: (processes: ProcessInfo[]) => boolean) =>
    guarded(
      async (argument?: TargetArgument): Promise<ProcessInfo[] | undefined> => {
        const target = await resolveTarget(argument, store, { title, filter, all: true }, prompts);
        if (!target) return undefined;
        if (method === 'delete' && target.target === 'all') {
          const confirmed = await vscode.window.showWarningMessage('Delete every app from Corral? Their processes are stopped.', { modal: true }, 'Delete All');
          if (!confirmed) return undefined;
        }
        return vscode.window.withProgress({ location: { viewId: PROCESSES_VIEW } }, () => connection.call(method, { targets: [target.target] }, LONG_CALL_MS));
      },
      (argument) => (typeof argument === 'string' ? argument : undefined),
    );

  const withTarget = async (argument: TargetArgument, title: string, filter?: (processes: ProcessInfo[]) => boolean): Promise<Target | undefined> =>
    resolveTarget(argument, store, { title, filter }, prompts);

  /** Tree-item variants ("Stop" rather than "Stop…" in menus): the same handlers, always given the item. */
  const forwardTo =
    (id: CommandId) =>
    (...args: never[]): Thenable<unknown> =>
      vscode.commands.executeCommand(id, ...args);

  // One handler per id of COMMANDS: a missing or unknown id does not compile.
  const handlers: { readonly [Id in CommandId]: (...args: never[]) => unknown } = {
    [COMMANDS.start]: guarded(async (argument?: TargetArgument | vscode.Uri): Promise<ProcessInfo[] | undefined> => {
      const file = asFile(argument);
      if (file) return startFileWithPrompts(file);
      if (argument !== undefined && !(argument instanceof vscode.Uri)) {
        // A known app (tree item, name, id): start it again.
        const target = await withTarget(argument, 'Start', notRunning);
        if (!target) return undefined;
        return connection.call('startExisting', { targets: [target.target] }, LONG_CALL_MS).then(afterStart);
      }
      const picked = await pickStartFile(ctx.index, prompts);
      return picked ? startFileWithPrompts(picked) : undefined;
    }),
    [COMMANDS.startFile]: guarded(async (file: string | vscode.Uri, options: ScriptOptions = {}): Promise<ProcessInfo[]> => {
      const absolute = asFile(file);
      if (!absolute) throw new CorralError(ErrorCode.BadArgument, `${COMMANDS.startFile}: expected a file`);
      const processes = await startScript(absolute, options);
      void logs.show(processes[0].name);
      return processes;
    }),
    [COMMANDS.startEcosystem]: guarded(async (file?: string | vscode.Uri, app?: string): Promise<ProcessInfo[] | undefined> => {
      let absolute = asFile(file);
      if (!absolute) {
        await ctx.index.refresh();
        const files = ctx.index.ecosystemFiles();
        const items = [
          ...files.map((candidate) => ({
            label: `$(layers) ${path.basename(candidate)}`,
            description: vscode.workspace.asRelativePath(path.dirname(candidate)),
            file: candidate,
          })),
          { label: '$(folder-opened) Browse…', description: 'choose an ecosystem file', file: undefined },
        ];
        const picked = await prompts.pick('ecosystem', items, {
          title: 'Corral: Start Ecosystem File',
          placeholder: files.length ? 'Choose an ecosystem file' : 'No ecosystem file in the workspace: browse for one',
        });
        if (!picked) return undefined;
        absolute =
          picked.file ??
          (
            await vscode.window.showOpenDialog({
              canSelectMany: false,
              openLabel: 'Start',
              filters: { 'Ecosystem files': ['js', 'cjs', 'mjs', 'json', 'yml', 'yaml'] },
            })
          )?.[0]?.fsPath;
        if (!absolute) return undefined;
      }
      return startEcosystem(absolute, app ? [app] : undefined);
    }),
    [COMMANDS.stop]: action('stop', 'Stop', running),
    [COMMANDS.restart]: action('restart', 'Restart'),
    [COMMANDS.reload]: action('reload', 'Reload'),
    [COMMANDS.delete]: action('delete', 'Delete'),
    [COMMANDS.stopAll]: guarded(async () => (store.all().some(isRunning) ? connection.call('stop', { targets: ['all'] }, LONG_CALL_MS) : [])),
    [COMMANDS.showLogs]: guarded(async (argument?: TargetArgument): Promise<vscode.LogOutputChannel | undefined> => {
      const target = await withTarget(argument, 'Show Logs');
      if (!target?.app) return undefined;
      return logs.show(target.app, false);
    }),
    [COMMANDS.scale]: guarded(async (argument?: TargetArgument, count?: string | number): Promise<ProcessInfo[] | undefined> => {
      const target = await withTarget(argument, 'Scale');
      if (!target?.app) return undefined;
      const current = store.byName(target.app).length;
      // From a tree menu the second argument is the selection, not a count.
      const given = typeof count === 'string' || typeof count === 'number' ? String(count) : undefined;
      const value =
        given === undefined
          ? await prompts.input('scale', {
              title: `Corral: Scale ${target.app}`,
              prompt: `Instances of ${target.app} (now ${current}): a number, or +n / -n`,
              value: String(current),
              validate: (input) => (/^[+-]?\d+$/.test(input.trim()) ? undefined : 'Expected a number, +n or -n'),
            })
          : given;
      if (value === undefined) return undefined;
      const instances = /^\d+$/.test(value.trim()) ? Number(value.trim()) : value.trim();
      return connection.call('scale', { name: target.app, instances }, LONG_CALL_MS);
    }),
    [COMMANDS.flushLogs]: guarded(async (argument?: TargetArgument): Promise<string[]> => {
      const target = argument === undefined ? undefined : await withTarget(argument, 'Flush Logs');
      const { files } = await connection.call('flush', target ? { targets: [target.target] } : {});
      void vscode.window.showInformationMessage(
        `Corral: emptied ${files.length} log file${files.length === 1 ? '' : 's'}${target ? ` of ${target.label}` : ''}.`,
      );
      return files;
    }),
    [COMMANDS.save]: guarded(async () => {
      const saved = await connection.call('save', {});
      void vscode.window.showInformationMessage(`Corral: saved ${saved.apps} app${saved.apps === 1 ? '' : 's'} to ${saved.file}.`);
      return saved;
    }),
    [COMMANDS.resurrect]: guarded(async () => {
      const result = await connection.call('resurrect', {}, LONG_CALL_MS);
      if (result.warnings.length > 0) void vscode.window.showWarningMessage(`Corral: ${result.warnings.join('; ')}`);
      else void vscode.window.showInformationMessage(`Corral: resurrected ${result.processes.length} process${result.processes.length === 1 ? '' : 'es'}.`);
      return result;
    }),
    [COMMANDS.killDaemon]: guarded(async (confirmed?: boolean) => {
      if (confirmed !== true) {
        const answer = await vscode.window.showWarningMessage(
          'Stop every app and the Corral daemon?',
          { modal: true, detail: 'Run "Corral: Resurrect" later to bring the saved list back.' },
          'Kill Daemon',
        );
        if (!answer) return undefined;
      }
      return connection.call('kill', {}, LONG_CALL_MS);
    }),
    [COMMANDS.startDaemon]: guarded(async () => {
      await connection.connect(true);
      return connection.state.kind === 'connected' ? connection.state.daemon : undefined;
    }),
    [COMMANDS.restartDaemon]: guarded(async () => connection.restartDaemon()),
    [COMMANDS.refresh]: guarded(async () => {
      if (connection.state.kind !== 'connected') await connection.connect(false).catch(() => undefined);
      await store.reload();
      ctx.tree.refresh();
    }),
    [COMMANDS.openScript]: guarded(async (argument?: TargetArgument) => {
      const target = await withTarget(argument, 'Open Script');
      const script = target?.processes[0]?.script;
      if (!script) return undefined;
      if (!path.isAbsolute(script)) throw new CorralError(ErrorCode.NotFound, `${target.label} runs the command "${script}", not a file`);
      return vscode.window.showTextDocument(vscode.Uri.file(script));
    }),
    [COMMANDS.openLogFile]: guarded(async (argument?: TargetArgument) => {
      const target = await withTarget(argument, 'Open Log File');
      const process = target?.processes[0];
      if (!process) return undefined;
      const files = [...new Set([process.out_log, process.err_log, process.combined_log ?? ''])].filter((file) => file && file !== '/dev/null');
      const file =
        files.length > 1
          ? (
              await prompts.pick(
                'log-file',
                files.map((candidate) => ({ label: path.basename(candidate), description: path.dirname(candidate), file: candidate })),
                { title: `Corral: ${target.label} log files` },
              )
            )?.file
          : files[0];
      if (!file) return undefined;
      return vscode.window.showTextDocument(vscode.Uri.file(file), { preview: true });
    }),
    [COMMANDS.toggleWatch]: guarded(async (argument?: TargetArgument) => {
      const target = await withTarget(argument, 'Toggle Watch');
      if (!target?.app) return undefined;
      return toggleWatch(target.app);
    }),
    [COMMANDS.copyPid]: guarded(async (argument?: TargetArgument) => {
      const target = await withTarget(argument, 'Copy PID', (processes) => processes.some((process) => process.pid !== null));
      const pids = target?.processes.map((process) => process.pid).filter((pid): pid is number => pid !== null) ?? [];
      if (pids.length === 0) return undefined;
      await vscode.env.clipboard.writeText(pids.join(' '));
      vscode.window.setStatusBarMessage(`Corral: copied pid ${pids.join(' ')}`, 3000);
      return pids.join(' ');
    }),
    [COMMANDS.debug]: guarded(async (argument?: TargetArgument): Promise<vscode.DebugSession | undefined> => {
      const target = await withTarget(argument, 'Debug', running);
      const online = target?.processes.filter((process) => process.status === 'online' && process.pid !== null) ?? [];
      if (!target || online.length === 0) return undefined;
      const process =
        online.length === 1
          ? online[0]
          : (
              await prompts.pick(
                'instance',
                online.map((candidate) => ({ label: `${candidate.name} [${candidate.id}]`, description: `pid ${candidate.pid}`, process: candidate })),
                { title: `Corral: Debug ${target.label}`, placeholder: 'Choose an instance' },
              )
            )?.process;
      if (!process) return undefined;
      return attachDebugger(connection, process);
    }),
    // Any instance, whatever its state: it is restarted with --inspect-brk. Another part of the extension
    // (a crash's quick fix) passes a process id.
    [COMMANDS.debugFromStart]: guarded(async (argument?: TargetArgument): Promise<vscode.DebugSession | undefined> => {
      const target = await withTarget(argument, 'Debug from Start');
      if (!target) return undefined;
      let candidates = target.processes;
      // An id the tree has not shown yet (it was just started): the daemon knows it.
      if (candidates.length === 0 && typeof argument === 'number')
        candidates = (await connection.call('list', {})).filter((process) => process.id === argument);
      if (candidates.length === 0) throw new CorralError(ErrorCode.NotFound, `no process ${target.label}`);
      const process =
        candidates.length === 1
          ? candidates[0]
          : (
              await prompts.pick(
                'instance',
                candidates.map((candidate) => ({
                  label: `${candidate.name} [${candidate.id}]`,
                  description: candidate.pid === null ? candidate.status : `pid ${candidate.pid}`,
                  process: candidate,
                })),
                { title: `Corral: Debug ${target.label} from Start`, placeholder: 'Choose an instance to restart under the debugger' },
              )
            )?.process;
      if (!process) return undefined;
      return attachDebugger(connection, process, { fromStart: true });
    }),
    [COMMANDS.monitor]: () => MonitorPanel.show(connection),
    [COMMANDS.showVersion]: () => {
      void vscode.window.showInformationMessage(`Corral ${VERSION}`);
      return VERSION;
    },
    [COMMANDS.itemStart]: forwardTo(COMMANDS.start),
    [COMMANDS.itemStop]: forwardTo(COMMANDS.stop),
    [COMMANDS.itemRestart]: forwardTo(COMMANDS.restart),
    [COMMANDS.itemReload]: forwardTo(COMMANDS.reload),
    [COMMANDS.itemDelete]: forwardTo(COMMANDS.delete),
    [COMMANDS.itemShowLogs]: forwardTo(COMMANDS.showLogs),
    [COMMANDS.itemDebug]: forwardTo(COMMANDS.debug),
    [COMMANDS.itemDebugFromStart]: forwardTo(COMMANDS.debugFromStart),
  };
  return Object.entries(handlers).map(([id, handler]) => vscode.commands.registerCommand(id, handler));

  async function startFileWithPrompts(file: string): Promise<ProcessInfo[] | undefined> {
    if (looksLikeEcosystemFile(file) || /\.config\.(c|m)?js$/.test(file)) return startEcosystem(file);
    const options = await askScriptOptions(file, prompts, store.appNames());
    if (!options) return undefined;
    const processes = await startScript(file, options);
    void logs.show(processes[0].name);
    return processes;
  }

  /**
   * `corral restart <app> --watch`: the daemon flips watch in the app's config and restarts it, so the
   * app keeps its env as it is (its env files are read again, as at any restart).
   */
  async function toggleWatch(app: string): Promise<ProcessInfo[]> {
    const [described] = await connection.call('describe', { targets: [app] });
    if (!described) throw new CorralError(ErrorCode.NotFound, `no app named ${app}`);
    const watch = described.config.watch === false;
    const processes = await connection.call('restart', { targets: [described.name], toggleWatch: true }, LONG_CALL_MS);
    vscode.window.setStatusBarMessage(`Corral: ${app} ${watch ? 'watches its files' : 'no longer watches its files'}`, 4000);
    return processes;
  }
}
