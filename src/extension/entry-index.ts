/**
 * Which workspace files are app entries (package.json `main`/`bin`/`start` targets, ecosystem scripts)
 * and where the ecosystem files are. Built lazily on first use, rebuilt (debounced) when a package.json
 * or an ecosystem file changes, so CodeLenses and pickers only read memory.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { comparablePath } from '../shared/platform/paths';
import { currentPlatform } from '../shared/platform/platform';
import { declaredApps, looksLikeEcosystemFile, packageEntries } from './workspace-entries';

const EXCLUDE = '**/{node_modules,.git,dist,out,build,coverage}/**';
export const ECOSYSTEM_GLOB = '**/{ecosystem,pm2}*.{js,cjs,mjs,json,yml,yaml}';
const REBUILD_DELAY_MS = 300;

export class EntryIndex implements vscode.Disposable {
  /** Entry files by their comparable form (platform/paths.ts): fsPath's `c:\app\a.js` is an ecosystem file's `C:\app\a.js`. */
  private entries = new Map<string, string>();
  private ecosystems: string[] = [];
  private building: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;
  private readonly disposables: vscode.Disposable[] = [];

  constructor() {
    for (const glob of ['**/package.json', ECOSYSTEM_GLOB]) {
      const watcher = vscode.workspace.createFileSystemWatcher(glob);
      const schedule = (): void => this.schedule();
      this.disposables.push(watcher, watcher.onDidCreate(schedule), watcher.onDidChange(schedule), watcher.onDidDelete(schedule));
    }
    this.disposables.push(vscode.workspace.onDidChangeWorkspaceFolders(() => this.schedule()));
  }

  /** Resolves once the index has been built at least once. */
  ready(): Promise<void> {
    this.building ??= this.build();
    return this.building;
  }

  /** A fresh look at the workspace, for pickers the user just opened (file events can lag or be missed). */
  refresh(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.building = this.build();
    return this.building;
  }

  get isReady(): boolean {
    return this.building !== undefined;
  }

  isEntry(file: string): boolean {
    return this.entries.has(comparablePath(file, currentPlatform()));
  }

  ecosystemFiles(): string[] {
    return this.ecosystems;
  }

  entryFiles(): string[] {
    return [...this.entries.values()];
  }

  private schedule(): void {
    if (!this.building) return; // never asked for: nothing to keep current
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.building = this.build();
    }, REBUILD_DELAY_MS);
  }

  private async build(): Promise<void> {
    const entries = new Map<string, string>();
    const platform = currentPlatform();
    const add = (file: string): void => {
      const key = comparablePath(file, platform);
      if (!entries.has(key)) entries.set(key, file);
    };
    const [packages, ecosystems] = await Promise.all([
      vscode.workspace.findFiles('**/package.json', EXCLUDE, 200),
      vscode.workspace.findFiles(ECOSYSTEM_GLOB, EXCLUDE, 200),
    ]);
    for (const uri of packages) {
      try {
        const json = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri))) as unknown;
        for (const file of packageEntries(json, path.dirname(uri.fsPath))) add(file);
      } catch {
        // A broken package.json names no entries.
      }
    }
    const ecosystemFiles = ecosystems
      .map((uri) => uri.fsPath)
      .filter(looksLikeEcosystemFile)
      .sort();
    for (const file of ecosystemFiles) {
      try {
        const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.file(file)));
        for (const app of declaredApps(text)) if (app.script) add(path.resolve(path.dirname(file), app.script));
      } catch {
        // Unreadable: no entries from it.
      }
    }
    this.entries = entries;
    this.ecosystems = ecosystemFiles;
    this.emitter.fire();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const disposable of this.disposables) disposable.dispose();
    this.emitter.dispose();
  }
}
