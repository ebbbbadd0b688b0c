/**
 * What an app-taking command acts on: the tree item it was invoked on, a name or id passed by another
 * command (a CodeLens, a notification), or else the user's choice from a quick pick of apps.
 */
import * as vscode from 'vscode';
import type { ProcessInfo } from '../shared/protocol';
import type { ProcessStore } from './process-store';
import { statusIcon } from './process-tree';
import type { Prompts } from './prompts';
import { appStatus, describeProcesses, isRunning, type TreeNode } from './tree-model';

export interface Target {
  /** What the daemon is given: an app name, a process id or a namespace. */
  target: string;
  /** For messages and log channels. */
  label: string;
  /** The app this concerns (undefined for a namespace). */
  app?: string;
  processes: ProcessInfo[];
}

export type TargetArgument = TreeNode | string | number | undefined;

export function targetOf(argument: TreeNode | string | number, store: ProcessStore): Target {
  if (typeof argument === 'number') {
    const process = store.get(argument);
    return {
      target: String(argument),
      label: process ? `${process.name} #${argument}` : `#${argument}`,
      app: process?.name,
      processes: process ? [process] : [],
    };
  }
  if (typeof argument === 'string') return { target: argument, label: argument, app: argument, processes: store.byName(argument) };
  if (argument.kind === 'namespace') {
    return { target: argument.namespace, label: `namespace ${argument.namespace}`, processes: argument.apps.flatMap((app) => app.processes) };
  }
  if (argument.kind === 'app') return { target: argument.name, label: argument.name, app: argument.name, processes: argument.processes };
  return { target: String(argument.process.id), label: `${argument.app.name} #${argument.process.id}`, app: argument.app.name, processes: [argument.process] };
}

export interface PickOptions {
  title: string;
  /** Only apps for which this holds (e.g. running ones for Stop). */
  filter?: (processes: ProcessInfo[]) => boolean;
  /** Offer "All apps" first. */
  all?: boolean;
}

interface AppPick extends vscode.QuickPickItem {
  target?: Target;
}

/** The target of a command: its argument, else a quick pick of apps with their status. */
export async function resolveTarget(argument: TargetArgument, store: ProcessStore, options: PickOptions, prompts: Prompts): Promise<Target | undefined> {
  if (argument !== undefined && argument !== null) return targetOf(argument, store);
  const now = Date.now();
  const items: AppPick[] = [];
  const names = store.appNames().filter((name) => !options.filter || options.filter(store.byName(name)));
  if (names.length === 0) {
    void vscode.window.showInformationMessage(
      store.size === 0 ? 'Corral: no apps are running. Start one with "Corral: Start…".' : `Corral: no app to ${options.title.toLowerCase()}.`,
    );
    return undefined;
  }
  if (options.all && names.length > 1) {
    const processes = names.flatMap((name) => store.byName(name));
    items.push({ label: '$(layers) All apps', description: `${names.length} apps`, target: { target: 'all', label: 'all apps', processes } });
  }
  for (const name of names) {
    const processes = store.byName(name);
    const status = appStatus(processes);
    items.push({
      label: `$(${statusIcon(status).id}) ${name}`,
      description: describeProcesses(processes, now),
      detail: processes[0].namespace !== 'default' ? `namespace ${processes[0].namespace}` : undefined,
      target: { target: name, label: name, app: name, processes },
    });
  }
  const picked = await prompts.pick('app', items, { title: `Corral: ${options.title}`, placeholder: 'Choose an app' });
  return picked?.target;
}

export const running = (processes: ProcessInfo[]): boolean => processes.some(isRunning);
export const notRunning = (processes: ProcessInfo[]): boolean => processes.some((process) => !isRunning(process));
