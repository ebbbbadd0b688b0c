/**
 * Talks to the daemon of one CORRAL_HOME: connect (spawning the daemon if none answers), typed calls
 * with timeouts, typed events. Shared by the CLI and the extension.
 */
import type * as ChildProcesses from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { AxonSocket, SubEmitterSocket } from 'pm2-axon';
import { Client as RpcClient } from 'pm2-axon-rpc';
import { connectAxon, reqSocket, subEmitterSocket } from '../shared/axon';
import { readDaemonKey } from '../shared/daemon-key';
import { parseStartReport, START_REPORT_FD, START_REPORT_FD_ENV, type StartReport } from '../shared/daemon-start';
import { CorralError, ErrorCode, fromWireError } from '../shared/errors';
import { prepareHome } from '../shared/home';
import { homePaths, resolveHome, socketPathProblem, type HomePaths } from '../shared/paths';
import { printable } from '../shared/printable';
import { daemonSpawnOptions } from '../shared/platform/daemon-spawn';
import { currentPlatform } from '../shared/platform/platform';
import {
  EVENT_NAMES,
  PROTOCOL_VERSION,
  type DaemonInfo,
  type EventName,
  type Events,
  type MethodName,
  type Params,
  type Reply,
  type Result,
} from '../shared/protocol';
import { checkedExecutable } from './which';

export interface ConnectOptions {
  home?: string;
  /** Start the daemon when none answers (default true). */
  spawn?: boolean;
  /** The Node binary that runs the daemon (default: this process's), checked before it is spawned. */
  nodePath?: string;
  /** What errors about nodePath call it, e.g. "the corral.nodePath setting" (default "nodePath"). */
  nodePathName?: string;
  /** Extra environment for the daemon, e.g. ELECTRON_RUN_AS_NODE=1 under VS Code. */
  daemonEnv?: Record<string, string>;
  /** dist/daemon.js (default: beside this bundle). */
  daemonScript?: string;
  /** How long to wait for a spawned daemon to answer. */
  startTimeoutMs?: number;
  /**
   * Talk to a daemon of another protocol version too: only for `update`, which calls nothing but
   * `save` and `kill` (the same in every version) to replace that daemon.
   */
  anyProtocol?: boolean;
}

const DEFAULT_CALL_TIMEOUT_MS = 30_000;

/** True when something accepts connections on the unix socket. */
export function socketAnswers(file: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection(file);
    const done = (answer: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** The last lines of daemon.log, escaped: the home is ours, but the lines quote what apps and users wrote. */
function tail(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8')
      .trimEnd()
      .split('\n')
      .slice(-lines)
      .map((line) => printable(line, 300))
      .join('\n');
  } catch {
    return '';
  }
}

/** The spawned daemon's start report, null if it ended (or the time ran out) without one. */
function readStartReport(pipe: Readable | null | undefined, timeoutMs: number): Promise<StartReport | null> {
  if (!pipe) return Promise.resolve(null);
  return new Promise((resolve) => {
    let text = '';
    const finish = (): void => {
      clearTimeout(timer);
      pipe.destroy();
      resolve(parseStartReport(text));
    };
    const timer = setTimeout(finish, timeoutMs);
    pipe.setEncoding('utf8');
    pipe.on('data', (chunk: string) => {
      text += chunk;
      if (text.includes('\n') || text.length > 4096) finish();
    });
    pipe.on('error', () => undefined);
    pipe.on('close', finish);
  });
}

/**
 * Spawns a detached daemon and waits until its RPC socket answers. The daemon says how its start-up
 * went on a pipe (shared/daemon-start.ts): a refused home is reported at once, in the daemon's words.
 */
export async function spawnDaemon(paths: HomePaths, options: ConnectOptions): Promise<void> {
  // Before anything is written there (daemon.log) and before a daemon is spawned: is it ours?
  prepareHome(paths, false);
  const script = options.daemonScript ?? join(__dirname, 'daemon.js');
  if (!existsSync(script)) throw new CorralError(ErrorCode.DaemonUnavailable, `daemon script not found: ${script} (run the build)`);
  const node = options.nodePath === undefined ? process.execPath : checkedExecutable(options.nodePath, options.nodePathName ?? 'nodePath');
  const output = openSync(paths.daemonLog, 'a', 0o600);
  const timeoutMs = options.startTimeoutMs ?? 10_000;
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | null = null;
  let spawnError: Error | undefined;
  let reported: Promise<StartReport | null>;
  try {
    // Loaded here, not at start-up: only the first command of a session spawns the daemon.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { spawn } = require('node:child_process') as typeof ChildProcesses;
    // A 1 MB young generation: the daemon's live heap is small, and this keeps its RSS close to it.
    const child = spawn(node, ['--max-semi-space-size=1', script], {
      ...daemonSpawnOptions(currentPlatform(), output),
      env: { ...process.env, ...options.daemonEnv, CORRAL_HOME: paths.home, [START_REPORT_FD_ENV]: String(START_REPORT_FD) },
      cwd: paths.home,
    });
    child.once('exit', (code) => (exitCode = code));
    child.once('error', (error) => {
      exitCode = -1;
      spawnError = error;
    });
    child.unref();
    reported = readStartReport(child.stdio[START_REPORT_FD] as Readable | null, timeoutMs);
  } finally {
    closeSync(output);
  }
  const report = await reported;
  if (report?.kind === 'ready') return;
  if (report?.kind === 'refused') throw new CorralError(ErrorCode.UnsafeHome, report.reason);
  if (report?.kind === 'failed') throw new CorralError(ErrorCode.DaemonUnavailable, `could not start the daemon: ${report.reason}; see ${paths.daemonLog}`);
  // Held by another daemon (which may still be binding its sockets), or no report: wait for an answer.
  while (Date.now() < deadline) {
    if (await socketAnswers(paths.rpcSocket, 200)) return;
    // Exit code 0 means another daemon won the lock: keep waiting for it.
    if (exitCode !== null && exitCode !== 0) break;
    await new Promise((resolve) => setTimeout(resolve, 15));
  }
  if (spawnError) throw new CorralError(ErrorCode.DaemonUnavailable, `could not run ${node} for the daemon: ${spawnError.message}`, { cause: spawnError });
  const why = exitCode !== null && exitCode !== 0 ? `it exited with code ${exitCode}` : 'it did not answer in time';
  throw new CorralError(ErrorCode.DaemonUnavailable, `could not start the daemon (${why}); ${paths.daemonLog} says:\n${tail(paths.daemonLog, 5)}`);
}

/**
 * A pm2-axon `req` socket connected to the daemon of `paths` (after the key handshake), or a
 * DaemonUnavailable error. `legacy`: a daemon from before the handshake (no key file) is talked to
 * the old way, for `update` alone, which replaces it.
 */
async function openRequestSocket(paths: HomePaths, legacy: boolean): Promise<{ socket: AxonSocket; key: string | null }> {
  const socket = reqSocket();
  socket.set('retry timeout', 0); // no silent reconnects: a lost daemon is reported, not replayed into
  socket.on('error', () => undefined);
  const key = readDaemonKey(paths.keyFile);
  const absent = new CorralError(ErrorCode.DaemonUnavailable, `no daemon is running for ${paths.home}`);
  try {
    if (key) await connectAxon(socket, paths.rpcSocket, key);
    else if (legacy) await connectLegacy(socket, paths.rpcSocket);
    else throw absent;
  } catch (error) {
    socket.close();
    if (error === absent || ['ENOENT', 'ECONNREFUSED'].includes((error as NodeJS.ErrnoException).code ?? '')) throw absent;
    throw new CorralError(ErrorCode.DaemonUnavailable, `cannot connect to ${paths.rpcSocket}: ${(error as Error).message}`);
  }
  return { socket, key };
}

function connectLegacy(socket: AxonSocket, file: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no answer within 5000 ms')), 5000);
    // pm2-axon drops connect()'s callback for unix paths; its 'connect' event is the signal.
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('close', closed);
      resolve();
    });
    const closed = (): void => {
      clearTimeout(timer);
      reject(new Error('refused'));
    };
    socket.once('close', closed);
    socket.connect(file);
  });
}

export type Listener<E extends EventName> = (payload: Events[E]) => void;

export interface EventSubscription {
  on<E extends EventName>(event: E, listener: Listener<E>): () => void;
  dispose(): void;
}

export class DaemonClient {
  private closed = false;
  private readonly disconnectListeners = new Set<() => void>();

  private constructor(
    readonly paths: HomePaths,
    private readonly socket: AxonSocket,
    private readonly rpc: RpcClient,
    public daemon: DaemonInfo,
    /** The connected daemon's key, for the subscription's handshake (null: a daemon from before handshakes). */
    private readonly key: string | null,
  ) {
    socket.on('close', () => {
      if (!this.closed) for (const listener of this.disconnectListeners) listener();
    });
  }

  static async connect(options: ConnectOptions = {}): Promise<DaemonClient> {
    const paths = homePaths(options.home ?? resolveHome());
    const tooLong = socketPathProblem(paths);
    if (tooLong) throw new CorralError(ErrorCode.BadArgument, tooLong);
    // No separate probe: the first connect tells whether a daemon answers (one connection per command).
    const legacy = options.anyProtocol === true;
    let opened = await openRequestSocket(paths, legacy).catch((error: CorralError) => error);
    if (opened instanceof Error) {
      if (options.spawn === false) throw opened;
      await spawnDaemon(paths, options);
      opened = await openRequestSocket(paths, legacy);
    }
    const { socket, key } = opened;
    const rpc = new RpcClient(socket);
    const client = new DaemonClient(paths, socket, rpc, undefined as unknown as DaemonInfo, key);
    client.daemon = await client.call('hello', { protocolVersion: PROTOCOL_VERSION }, 5000);
    if (client.daemon.protocolVersion !== PROTOCOL_VERSION && options.anyProtocol !== true) {
      const newer = client.daemon.protocolVersion < PROTOCOL_VERSION ? 'older' : 'newer';
      client.close();
      throw new CorralError(
        ErrorCode.ProtocolMismatch,
        `the running daemon (${client.daemon.version}, protocol ${client.daemon.protocolVersion}) is ${newer} than this client (protocol ${PROTOCOL_VERSION}); replace it with "corral update" (keeps your apps)`,
      );
    }
    return client;
  }

  call<M extends MethodName>(method: M, params: Params<M>, timeoutMs = DEFAULT_CALL_TIMEOUT_MS): Promise<Result<M>> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new CorralError(ErrorCode.DaemonUnavailable, 'the client is closed'));
      const onClose = (): void => finish(new CorralError(ErrorCode.DaemonUnavailable, `the daemon went away during ${method}`));
      const timer = setTimeout(() => finish(new CorralError(ErrorCode.Timeout, `${method}: no answer from the daemon within ${timeoutMs} ms`)), timeoutMs);
      const finish = (error: Error | null, reply?: Reply<Result<M>>): void => {
        clearTimeout(timer);
        this.disconnectListeners.delete(onClose);
        if (error) return reject(error);
        if (!reply || typeof reply !== 'object') return reject(new CorralError(ErrorCode.Internal, `${method}: malformed reply`));
        if (reply.ok) resolve(reply.result);
        else reject(fromWireError(reply.error));
      };
      this.disconnectListeners.add(onClose);
      this.rpc.call(method, params, (error: Error | null, reply: Reply<Result<M>>) => {
        if (error) finish(new CorralError(ErrorCode.Internal, `${method}: ${error.message}`));
        else finish(null, reply);
      });
    });
  }

  onDisconnect(listener: () => void): () => void {
    this.disconnectListeners.add(listener);
    return () => this.disconnectListeners.delete(listener);
  }

  /** Connects to pub.sock; resolves once connected, so no event after this is missed. */
  subscribe(): Promise<EventSubscription> {
    const sub: SubEmitterSocket = subEmitterSocket();
    sub.sock.set('retry timeout', 0);
    sub.sock.on('error', () => undefined);
    const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
    for (const event of EVENT_NAMES) {
      sub.on(event, (payload: unknown) => {
        for (const listener of listeners.get(event) ?? []) listener(payload);
      });
    }
    const subscription: EventSubscription = {
      on: (event, listener) => {
        let set = listeners.get(event);
        if (!set) listeners.set(event, (set = new Set()));
        set.add(listener as (payload: unknown) => void);
        return () => set.delete(listener as (payload: unknown) => void);
      },
      dispose: () => {
        listeners.clear();
        sub.close();
      },
    };
    if (this.key === null)
      return Promise.reject(new CorralError(ErrorCode.ProtocolMismatch, 'this daemon is too old for events; replace it with "corral update"'));
    return connectAxon(sub.sock, this.paths.pubSocket, this.key).then(
      // The daemon hands pm2-axon the subscriber before it answers the handshake: from here on, no event is missed.
      () => subscription,
      (error: Error) => {
        sub.close();
        throw new CorralError(ErrorCode.DaemonUnavailable, `cannot connect to ${this.paths.pubSocket}: ${error.message}`);
      },
    );
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.close();
  }
}
