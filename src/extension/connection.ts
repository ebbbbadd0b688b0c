/**
 * The extension's link to the daemon of `corral.home`: attach, or start the bundled daemon; follow its
 * events; notice when it goes away and reattach as soon as it answers again (started by "Start daemon",
 * the CLI or another window). Listeners registered with `on()` survive reconnections.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DaemonClient, socketAnswers, type ConnectOptions, type EventSubscription } from '../client/client';
import { replaceDaemon } from '../client/replace-daemon';
import { CorralError, ErrorCode } from '../shared/errors';
import { homePaths } from '../shared/paths';
import { EVENT_NAMES, type DaemonInfo, type EventName, type Events, type MethodName, type Params, type Result } from '../shared/protocol';

export type ConnectionState =
  { kind: 'connecting' } | { kind: 'connected'; daemon: DaemonInfo } | { kind: 'disconnected'; message: string } | { kind: 'incompatible'; message: string };

export interface ConnectionOptions {
  home: () => string;
  nodePath: () => string | undefined;
  /** dist/daemon.js of this extension. */
  daemonScript: string;
}

/** How often a lost daemon is looked for. */
const WATCH_INTERVAL_MS = 1000;
const DEFAULT_TIMEOUT_MS = 30_000;

export class DaemonConnection implements vscode.Disposable {
  private client: DaemonClient | undefined;
  private subscription: EventSubscription | undefined;
  private current: ConnectionState = { kind: 'connecting' };
  private readonly stateEmitter = new vscode.EventEmitter<ConnectionState>();
  readonly onDidChangeState = this.stateEmitter.event;
  private readonly listeners = new Map<EventName, Set<(payload: never) => void>>();
  private watchTimer: NodeJS.Timeout | undefined;
  private attempt: Promise<void> | undefined;
  private disposed: Promise<void> | undefined;

  constructor(private readonly options: ConnectionOptions) {}

  get state(): ConnectionState {
    return this.current;
  }

  get home(): string {
    return this.options.home();
  }

  /** Attach, starting the daemon when `spawn` and none answers. Concurrent calls share one attempt. */
  connect(spawn: boolean): Promise<void> {
    if (this.current.kind === 'connected' || this.disposed) return Promise.resolve();
    this.attempt ??= this.attach(spawn).finally(() => (this.attempt = undefined));
    return this.attempt;
  }

  /** Drops the current daemon link (if any) and attaches again, e.g. after `corral.home` changed. */
  async reconnect(spawn: boolean): Promise<void> {
    await this.attempt?.catch(() => undefined);
    this.detach();
    this.setState({ kind: 'connecting' });
    await this.connect(spawn);
  }

  private async attach(spawn: boolean): Promise<void> {
    this.stopWatching();
    const home = this.options.home();
    if (this.current.kind !== 'connecting') this.setState({ kind: 'connecting' });
    let client: DaemonClient | undefined;
    try {
      client = await DaemonClient.connect({ ...this.connectOptions(spawn), home });
      const subscription = await client.subscribe();
      if (this.disposed) {
        subscription.dispose();
        client.close();
        return;
      }
      for (const name of EVENT_NAMES) subscription.on(name, (payload) => this.emit(name, payload));
      this.client = client;
      this.subscription = subscription;
      client.onDisconnect(() => this.lost(client!));
      this.setState({ kind: 'connected', daemon: client.daemon });
    } catch (error) {
      client?.close();
      if (this.disposed) return;
      if (error instanceof CorralError && error.code === ErrorCode.ProtocolMismatch) {
        this.setState({ kind: 'incompatible', message: error.message });
      } else {
        this.setState({ kind: 'disconnected', message: (error as Error).message });
      }
      this.watchForDaemon();
      if (spawn) throw error;
    }
  }

  private connectOptions(spawn: boolean): ConnectOptions {
    return {
      home: this.options.home(),
      spawn,
      nodePath: this.options.nodePath(),
      nodePathName: 'the corral.nodePath setting',
      // Without the setting, VS Code's own runtime: under the desktop app process.execPath is Electron
      // (Code.exe, the Code Helper inside Code.app, code), and this makes it a plain Node.
      daemonEnv: process.versions.electron ? { ELECTRON_RUN_AS_NODE: '1' } : {},
      daemonScript: this.options.daemonScript,
    };
  }

  private lost(client: DaemonClient): void {
    if (client !== this.client || this.disposed) return;
    this.detach();
    this.setState({ kind: 'disconnected', message: `the Corral daemon for ${this.home} stopped` });
    this.watchForDaemon();
  }

  private detach(): void {
    this.subscription?.dispose();
    this.client?.close();
    this.subscription = undefined;
    this.client = undefined;
  }

  /** While not attached: attach as soon as a (new, compatible) daemon answers, without starting one. */
  private watchForDaemon(): void {
    this.stopWatching();
    const paths = homePaths(this.home);
    const incompatiblePid = this.current.kind === 'incompatible' ? readPid(paths.pidFile) : undefined;
    const check = async (): Promise<void> => {
      this.watchTimer = undefined;
      if (this.disposed || this.current.kind === 'connected' || this.attempt) return;
      // An incompatible daemon keeps answering: only another daemon (another pid) is worth a new try.
      const worthTrying = this.current.kind === 'disconnected' || readPid(paths.pidFile) !== incompatiblePid;
      if (worthTrying && (await socketAnswers(paths.rpcSocket, 300))) {
        await this.connect(false).catch(() => undefined);
        return; // a failed attempt has started its own watch
      }
      if (!this.disposed && this.state.kind !== 'connected' && !this.watchTimer) this.watchTimer = setTimeout(() => void check(), WATCH_INTERVAL_MS);
    };
    this.watchTimer = setTimeout(() => void check(), WATCH_INTERVAL_MS);
  }

  private stopWatching(): void {
    if (this.watchTimer) clearTimeout(this.watchTimer);
    this.watchTimer = undefined;
  }

  private setState(state: ConnectionState): void {
    this.current = state;
    this.stateEmitter.fire(state);
  }

  private emit<E extends EventName>(name: E, payload: Events[E]): void {
    for (const listener of this.listeners.get(name) ?? []) {
      try {
        (listener as (payload: Events[E]) => void)(payload);
      } catch (error) {
        console.error(`corral: a ${name} listener failed`, error);
      }
    }
  }

  /** A daemon event, from whichever daemon is attached now or later. */
  on<E extends EventName>(name: E, listener: (payload: Events[E]) => void): vscode.Disposable {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    const entry = listener as (payload: never) => void;
    set.add(entry);
    return new vscode.Disposable(() => set.delete(entry));
  }

  /** A typed call to the attached daemon; rejects with E_DAEMON_UNAVAILABLE when there is none. */
  async call<M extends MethodName>(method: M, params: Params<M>, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Result<M>> {
    if (!this.client && this.current.kind === 'connecting') await this.attempt?.catch(() => undefined);
    if (!this.client) {
      const why = this.current.kind === 'incompatible' || this.current.kind === 'disconnected' ? this.current.message : 'not connected yet';
      throw new CorralError(ErrorCode.DaemonUnavailable, `no Corral daemon: ${why}`);
    }
    return this.client.call(method, params, timeoutMs);
  }

  /**
   * Replaces a daemon of another protocol version with the bundled one, as `corral update` does: its
   * list saved, its apps stopped through its own `kill`, the list brought back by the new daemon.
   */
  async restartDaemon(): Promise<void> {
    this.detach();
    this.stopWatching();
    this.setState({ kind: 'connecting' });
    const { client, warnings } = await replaceDaemon(this.connectOptions(true));
    client.close();
    if (warnings.length > 0) void vscode.window.showWarningMessage(`Corral: the daemon was replaced, with warnings: ${warnings.join('; ')}`);
    await this.connect(true);
  }

  /** Idempotent: closes the link; resolves once closed. The daemon keeps running for other clients. */
  dispose(): Promise<void> {
    this.disposed ??= (async () => {
      this.stopWatching();
      await this.attempt?.catch(() => undefined);
      this.detach();
      this.stateEmitter.dispose();
      this.listeners.clear();
    })();
    return this.disposed;
  }
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number.parseInt(fs.readFileSync(file, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** dist/daemon.js next to this bundle (dist/extension.js). */
export function bundledDaemonScript(extensionPath: string): string {
  return path.join(extensionPath, 'dist', 'daemon.js');
}
