/**
 * "Corral: Start…": pick an ecosystem file or an entry file of the workspace (the active editor's file
 * first), then, for a script, its name, instances and watch. Every step is a quick input created through
 * Prompts, so it can be answered like a person would.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { validateName } from '../shared/config';
import type { EntryIndex } from './entry-index';
import type { Prompts } from './prompts';
import { defaultCwd, defaultName, type ScriptOptions } from './starter';
import { createsServer, isScriptFile, looksLikeEcosystemFile } from './workspace-entries';

const EXCLUDE = '**/{node_modules,.git,dist,out,build,coverage}/**';
/** Files read to find servers among the workspace's scripts. */
const SCAN_LIMIT = 400;
const SCAN_MAX_BYTES = 256 * 1024;

export interface FilePick extends vscode.QuickPickItem {
  file?: string;
  browse?: boolean;
}

function relative(file: string): string {
  return vscode.workspace.asRelativePath(file, vscode.workspace.workspaceFolders !== undefined && vscode.workspace.workspaceFolders.length > 1);
}

/** Scripts of the workspace that look like entries: named by a package.json or an ecosystem file, or starting a server. */
async function entryCandidates(index: EntryIndex): Promise<string[]> {
  await index.refresh();
  const found = new Set(index.entryFiles().filter((file) => fs.existsSync(file) && isScriptFile(file)));
  const scripts = await vscode.workspace.findFiles('**/*.{js,cjs,mjs,ts,mts,cts}', EXCLUDE, SCAN_LIMIT);
  for (const uri of scripts) {
    if (found.has(uri.fsPath) || looksLikeEcosystemFile(uri.fsPath) || /\.d\.[cm]?ts$/.test(uri.fsPath)) continue;
    try {
      const stat = await vscode.workspace.fs.stat(uri);
      if (stat.size > SCAN_MAX_BYTES) continue;
      if (createsServer(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)))) found.add(uri.fsPath);
    } catch {
      // Gone or unreadable: not offered.
    }
  }
  // Nothing recognisable: offer every script rather than nothing.
  if (found.size === 0) for (const uri of scripts.slice(0, 200)) if (!/\.d\.[cm]?ts$/.test(uri.fsPath)) found.add(uri.fsPath);
  return [...found].sort((a, b) => relative(a).localeCompare(relative(b)));
}

export async function filePicks(index: EntryIndex): Promise<FilePick[]> {
  const active = vscode.window.activeTextEditor?.document.uri;
  const activeFile = active?.scheme === 'file' && (isScriptFile(active.fsPath) || looksLikeEcosystemFile(active.fsPath)) ? active.fsPath : undefined;
  const entries = await entryCandidates(index);
  const ecosystems = index.ecosystemFiles();
  const picks: FilePick[] = [];
  const item = (file: string, description?: string): FilePick => ({
    label: `$(${looksLikeEcosystemFile(file) ? 'layers' : 'file-code'}) ${path.basename(file)}`,
    description: description ?? path.dirname(relative(file)).replace(/^\.$/, ''),
    file,
  });
  if (activeFile) picks.push(item(activeFile, 'current editor'));
  const rest = (files: string[]): string[] => files.filter((file) => file !== activeFile);
  if (rest(ecosystems).length > 0) {
    picks.push({ label: 'Ecosystem files', kind: vscode.QuickPickItemKind.Separator });
    picks.push(...rest(ecosystems).map((file) => item(file)));
  }
  if (rest(entries).length > 0) {
    picks.push({ label: 'Entry files', kind: vscode.QuickPickItemKind.Separator });
    picks.push(...rest(entries).map((file) => item(file)));
  }
  picks.push({ label: '', kind: vscode.QuickPickItemKind.Separator });
  picks.push({ label: '$(folder-opened) Browse…', description: 'choose a script or an ecosystem file', browse: true });
  return picks;
}

async function browse(): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false,
    openLabel: 'Start with Corral',
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
    filters: { 'Scripts and ecosystem files': ['js', 'cjs', 'mjs', 'ts', 'mts', 'cts', 'json', 'yml', 'yaml', 'sh', 'py'] },
  });
  return picked?.[0]?.fsPath;
}

export async function pickStartFile(index: EntryIndex, prompts: Prompts): Promise<string | undefined> {
  const picks = await filePicks(index);
  const chosen = await prompts.pick('file', picks, { title: 'Corral: Start…', placeholder: 'Choose a script or an ecosystem file to start' });
  if (!chosen) return undefined;
  return chosen.browse ? browse() : chosen.file;
}

interface InstancesPick extends vscode.QuickPickItem {
  value?: string;
  custom?: boolean;
}

/** Name, instances and watch for a script; undefined when the user cancels a step. */
export async function askScriptOptions(file: string, prompts: Prompts, takenNames: string[]): Promise<ScriptOptions | undefined> {
  const title = `Corral: Start ${path.basename(file)}`;
  const name = await prompts.input('name', {
    title,
    prompt: 'Name of the app',
    value: uniqueName(defaultName(file), takenNames),
    validate: (value) => {
      const problem = validateName(value);
      if (problem) return `The name ${problem}`;
      return takenNames.includes(value.trim()) ? `"${value.trim()}" is already an app: choose another name` : undefined;
    },
  });
  if (name === undefined) return undefined;

  const cpus = os.availableParallelism?.() ?? os.cpus().length;
  const node = /\.(c|m)?(js|ts)$/i.test(file);
  const instanceItems: InstancesPick[] = [
    { label: '1', description: 'fork mode: one process', value: '1' },
    ...(node
      ? [
          { label: 'max', description: `cluster mode: one worker per CPU (${cpus})`, value: 'max' },
          { label: '2', description: 'cluster mode: 2 workers sharing the port', value: '2' },
          { label: '4', description: 'cluster mode: 4 workers sharing the port', value: '4' },
        ]
      : []),
    { label: 'Other…', description: 'a number, "max" or a negative number (CPUs minus n)', custom: true },
  ];
  const instancesPick = await prompts.pick('instances', instanceItems, { title, placeholder: 'How many instances?' });
  if (!instancesPick) return undefined;
  let instances = instancesPick.value;
  if (instancesPick.custom) {
    instances = await prompts.input('instances-custom', {
      title,
      prompt: 'Instances: a number, "max", or a negative number (CPUs minus n)',
      value: '2',
      validate: (value) => (/^(max|-?\d+)$/.test(value.trim()) ? undefined : 'Expected a number, "max" or a negative number'),
    });
    if (instances === undefined) return undefined;
  }

  const cwd = defaultCwd(file);
  const watchItems = [
    { label: 'No watch', description: 'restart only when asked', watch: false },
    { label: 'Watch', description: `restart when files change in ${relative(cwd) || cwd} (node_modules and dotfiles ignored)`, watch: true },
  ];
  const watchPick = await prompts.pick('watch', watchItems, { title, placeholder: 'Restart on file changes?' });
  if (!watchPick) return undefined;
  return { name: name.trim(), instances: instances?.trim(), watch: watchPick.watch };
}

function uniqueName(base: string, taken: string[]): string {
  const safe = validateName(base) ? `app-${base}` : base;
  if (!taken.includes(safe)) return safe;
  for (let n = 2; ; n++) if (!taken.includes(`${safe}-${n}`)) return `${safe}-${n}`;
}
