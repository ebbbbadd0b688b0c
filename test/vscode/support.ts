/**
 * Helpers for the extension-host suites: the extension's live API, the real CLI on the same CORRAL_HOME,
 * fixtures copied into the workspace, quick inputs answered the way a person would (set the value or the
 * active item, then the workbench's own "accept" command), and waiting on conditions instead of sleeping.
 */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension/api';
import type { ProcessInfo } from '../../src/shared/protocol';

export const EXTENSION_ID = 'corral.corral';

export function corralExtension(): vscode.Extension<ExtensionApi> {
  const extension = vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is not loaded in this extension host`);
  return extension;
}

/** The activated extension's API, once it is attached to the daemon. */
export async function corral(): Promise<ExtensionApi> {
  const api = await corralExtension().activate();
  await waitFor('the daemon connection', () => api.connection.state.kind === 'connected' && api.store.ready, 20_000);
  return api;
}

export function repoRoot(): string {
  return corralExtension().extensionPath;
}

export function fixture(name: string): string {
  return path.join(repoRoot(), 'test', 'fixtures', name);
}

export function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the tests need an open workspace folder');
  return folder.uri.fsPath;
}

/** Copies fixtures into a fresh folder of the workspace: { 'server.js': 'http.js' } -> <ws>/<dir>/server.js. */
export function workspaceFolder(dir: string, files: Record<string, string>): string {
  const target = path.join(workspaceRoot(), dir);
  fs.rmSync(target, { recursive: true, force: true });
  fs.mkdirSync(target, { recursive: true });
  for (const [name, source] of Object.entries(files)) {
    const file = path.join(target, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    if (source.startsWith('fixture:')) fs.copyFileSync(fixture(source.slice('fixture:'.length)), file);
    else fs.writeFileSync(file, source);
  }
  return target;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `node dist/cli.js ...` with this extension host's CORRAL_HOME (and Node: Electron runs as Node on desktop). */
export function cli(args: string[], options: { env?: Record<string, string>; cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(repoRoot(), 'dist', 'cli.js'), ...args],
      { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', NO_COLOR: '1', ...options.env }, cwd: options.cwd ?? workspaceRoot(), timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

export async function cliOk(args: string[], options: { env?: Record<string, string>; cwd?: string } = {}): Promise<string> {
  const result = await cli(args, options);
  assert.equal(result.code, 0, `corral ${args.join(' ')} failed: ${result.stderr || result.stdout}`);
  return result.stdout;
}

export async function jlist(): Promise<ProcessInfo[]> {
  return JSON.parse(await cliOk(['jlist'])) as ProcessInfo[];
}

/** Polls `probe` until it returns something truthy; fails with `what` after the timeout. */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs = 10_000,
  intervalMs = 20,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

type QuickInput = vscode.QuickPick<vscode.QuickPickItem> | vscode.InputBox;
export type Answer = (input: QuickInput) => void;

/**
 * Answers the extension's quick inputs by step name: the answer sets the value or the active item, then
 * the workbench's accept command (Enter) is run. An unexpected step is cancelled and reported.
 */
export function answerPrompts(api: ExtensionApi, answers: Record<string, Answer>): { unexpected: string[]; dispose(): void } {
  const unexpected: string[] = [];
  const subscription = api.prompts.onDidShow(({ step, input }) => {
    const answer = answers[step];
    if (!answer) {
      unexpected.push(step);
      input.hide();
      return;
    }
    answer(input);
    // Let the shown input and the answer reach the workbench before pressing Enter; on a loaded machine
    // the input may not be up yet, so press again (rarely) until the extension has taken the answer.
    let taken = false;
    const accepted = input.onDidAccept(() => {
      taken = true;
      accepted.dispose();
    });
    const press = (delay: number): void => {
      setTimeout(() => {
        if (taken) return;
        void vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
        press(2000);
      }, delay);
    };
    press(100);
  });
  return { unexpected, dispose: () => subscription.dispose() };
}

/** Picks the item whose label contains `text` (or for which `match` holds). */
export function pickItem(match: string | ((item: vscode.QuickPickItem & Record<string, unknown>) => boolean)): Answer {
  return (input) => {
    const quickPick = input as vscode.QuickPick<vscode.QuickPickItem>;
    const item = quickPick.items.find((candidate) =>
      typeof match === 'string' ? candidate.label.includes(match) : match(candidate as vscode.QuickPickItem & Record<string, unknown>),
    );
    assert.ok(item, `no item ${String(match)} among ${quickPick.items.map((candidate) => candidate.label).join(', ')}`);
    quickPick.activeItems = [item];
  };
}

export function typeValue(value: string): Answer {
  return (input) => {
    (input as vscode.InputBox).value = value;
  };
}

/** Stops and deletes every app of this CORRAL_HOME and waits until the extension saw it. */
export async function deleteAll(api?: ExtensionApi): Promise<void> {
  await cli(['delete', 'all']);
  if (api && api.connection.state.kind === 'connected') await waitFor('an empty process table', () => api.store.size === 0, 10_000);
}

export async function setSetting(name: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('corral').update(name, value, vscode.ConfigurationTarget.Global);
}

/** The labels and descriptions the process view shows, flattened (namespaces, apps, instances). */
export function treeRows(api: ExtensionApi): Array<{ label: string; description: string; contextValue: string; id: string }> {
  const rows: Array<{ label: string; description: string; contextValue: string; id: string }> = [];
  const visit = (nodes: ReturnType<ExtensionApi['tree']['getChildren']>): void => {
    for (const node of nodes) {
      const item = api.tree.getTreeItem(node);
      rows.push({ label: String(item.label), description: String(item.description ?? ''), contextValue: item.contextValue ?? '', id: item.id ?? '' });
      visit(api.tree.getChildren(node));
    }
  };
  visit(api.tree.getChildren());
  return rows;
}
