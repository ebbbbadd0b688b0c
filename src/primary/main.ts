/**
 * dist/primary.js: the node:cluster primary of one cluster app. The daemon starts it in a session of
 * its own (so an app signalling its process group never reaches the daemon or another app) and keeps
 * every decision: this process forks a worker (dist/container.js) when asked, reports what happens to
 * it, relays app messages both ways and runs the drain handshake, which has to happen here because
 * this is where node:cluster hands connections to workers.
 *
 * Worker output never passes through here: each worker's stdout and stderr are connections to the
 * daemon's output socket. The primary runs no app code, ignores the signals an app may send its group,
 * and when the daemon's channel closes (the daemon died, or has no worker left here) it ends its
 * workers and itself.
 */
import cluster, { type Worker } from 'node:cluster';
import * as net from 'node:net';
import {
  CONTAINER_MESSAGES,
  isContainerMessage,
  OUTPUT_ACCEPTED,
  PRIMARY_MESSAGES,
  type DaemonToPrimary,
  type ForkRequest,
  type PrimaryToDaemon,
} from '../shared/container-protocol';
import { currentPlatform } from '../shared/platform/platform';
import { deliverSignal } from '../shared/platform/stop-plan';
import { execTaskkill } from '../shared/platform/taskkill';

if (!process.send) {
  process.stderr.write('corral primary: run by the Corral daemon only\n');
  process.exit(1);
}

// node:cluster layers fork()'s env over this process's: with nothing here, a worker gets exactly its own.
for (const name of Object.keys(process.env)) delete process.env[name];
// `kill 0` or a `trap 'kill 0' EXIT` in a worker reaches this process too; only the daemon ends it.
// (SIGUSR1 handled here also keeps it from opening an inspector.)
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'] as const) process.on(signal, () => undefined);

interface Running {
  worker: Worker;
  killTimeoutMs: number;
}
const workers = new Map<number, Running>();
let ending = false;

function report(message: PrimaryToDaemon): void {
  if (process.connected) process.send?.(message);
}

/** A connection to the daemon's output socket that the daemon has accepted for `token`. */
function outputConnection(socketPath: string, token: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection(socketPath, () => socket.write(token));
    const fail = (error: Error): void => {
      socket.destroy();
      reject(error);
    };
    socket.setTimeout(5000, () => fail(new Error('the daemon did not accept the output connection')));
    socket.once('error', fail);
    socket.once('data', (answer: Buffer) => {
      socket.setTimeout(0);
      socket.pause();
      if (answer[0] === OUTPUT_ACCEPTED) resolve(socket);
      else fail(new Error('the daemon refused the output connection'));
    });
  });
}

async function fork(request: ForkRequest): Promise<void> {
  const { worker: key } = request;
  let out: net.Socket;
  let err: net.Socket;
  try {
    [out, err] = await Promise.all([outputConnection(request.outputSocket, request.outToken), outputConnection(request.outputSocket, request.errToken)]);
  } catch (error) {
    report({ type: PRIMARY_MESSAGES.spawnFailed, worker: key, error: `no output connection: ${(error as Error).message}` });
    return;
  }
  if (ending) {
    out.destroy();
    err.destroy();
    return;
  }
  let worker: Worker;
  try {
    // setupPrimary() settings are read synchronously by fork(): set them per fork, so each worker
    // gets the node_args, cwd and args of its own launch.
    // The daemon's inspector flags ask for a free port (127.0.0.1:0); node:cluster would add the
    // primary's debug port + n (9230, 9231...) after them, a port another app may hold. Settings
    // carry over between forks, so the last fork's is dropped first.
    delete cluster.settings.inspectPort;
    const freeInspectorPort = request.execArgv.some((arg) => /^--inspect(-brk)?=127\.0\.0\.1:0$/.test(arg));
    cluster.setupPrimary({
      ...(freeInspectorPort ? { inspectPort: 0 } : {}),
      exec: request.exec,
      args: request.args,
      execArgv: request.execArgv,
      cwd: request.cwd,
      // stdin is a pipe the primary holds open (as in fork mode): `corral send` writes to it.
      stdio: ['pipe', out, err, 'ipc'],
      windowsHide: true,
    });
    worker = cluster.fork(request.env);
  } catch (error) {
    report({ type: PRIMARY_MESSAGES.spawnFailed, worker: key, error: (error as Error).message });
    return;
  } finally {
    // The worker has its own copies of both connections.
    out.destroy();
    err.destroy();
  }
  worker.process.stdin?.on('error', () => undefined); // the app closed its stdin: nothing to say
  watch(key, worker, request.killTimeoutMs);
}

function watch(key: number, worker: Worker, killTimeoutMs: number): void {
  let spawned = false;
  workers.set(key, { worker, killTimeoutMs });
  worker.process.once('spawn', () => {
    spawned = true;
    report({ type: PRIMARY_MESSAGES.spawned, worker: key, pid: worker.process.pid as number });
  });
  worker.on('error', (error: Error) => {
    if (spawned) return; // a failed send or kill later on changes nothing
    workers.delete(key);
    report({ type: PRIMARY_MESSAGES.spawnFailed, worker: key, error: error.message });
  });
  worker.once('listening', () => report({ type: PRIMARY_MESSAGES.listening, worker: key }));
  worker.on('message', (message: unknown) => {
    if (!isContainerMessage(message)) {
      report({ type: PRIMARY_MESSAGES.message, worker: key, message });
      return;
    }
    if (message.type === CONTAINER_MESSAGES.closed && worker.isConnected()) worker.send({ type: CONTAINER_MESSAGES.flush });
    else if (message.type === CONTAINER_MESSAGES.drained) report({ type: PRIMARY_MESSAGES.drained, worker: key });
  });
  // node:cluster emits 'exit' after it has dropped the worker from every shared server.
  worker.once('exit', (code: number | null, signal: NodeJS.Signals | null) => {
    if (!spawned) return;
    workers.delete(key);
    report({ type: PRIMARY_MESSAGES.exited, worker: key, code, signal });
    if (ending && workers.size === 0) process.exit(0);
  });
}

const platform = currentPlatform();

/**
 * `signal` for a worker by the platform's plan (shared/platform/stop-plan.ts): on POSIX the worker
 * itself through Node's handle, which is false once the child is reaped, so it never reaches a recycled
 * pid (the daemon signals its descendants by marker); on Windows the shutdown message and taskkill /T
 * from the worker's pid, while it is this process's unreaped child.
 */
function signalWorker(worker: Worker, signal: NodeJS.Signals): void {
  deliverSignal(worker.process, signal, { platform, taskkill: execTaskkill, signalTree: (name) => worker.process.kill(name) });
}

function onDaemonMessage(message: DaemonToPrimary): void {
  if (message.type === PRIMARY_MESSAGES.fork) {
    void fork(message);
    return;
  }
  const running = workers.get(message.worker)?.worker;
  if (message.type === PRIMARY_MESSAGES.drain) {
    if (running?.isConnected()) running.send({ type: CONTAINER_MESSAGES.drain });
    else report({ type: PRIMARY_MESSAGES.drained, worker: message.worker });
  } else if (message.type === PRIMARY_MESSAGES.send) {
    if (running?.isConnected()) running.send(message.message as never, () => undefined);
  } else if (message.type === PRIMARY_MESSAGES.stdin) {
    const stdin = running?.process.stdin;
    if (stdin && !stdin.destroyed) stdin.write(message.data);
  } else if (message.type === PRIMARY_MESSAGES.signal) {
    if (running) signalWorker(running, message.signal);
  }
}

/** The daemon's channel closed: SIGINT to every worker, SIGKILL after its kill_timeout, then exit (signalWorker: on Windows, their counterparts). */
function end(): void {
  if (ending) return;
  ending = true;
  if (workers.size === 0) process.exit(0);
  for (const { worker, killTimeoutMs } of workers.values()) {
    signalWorker(worker, 'SIGINT');
    setTimeout(() => signalWorker(worker, 'SIGKILL'), killTimeoutMs).unref();
  }
}

process.on('message', (message: unknown) => {
  if (isContainerMessage(message)) onDaemonMessage(message as unknown as DaemonToPrimary);
});
process.on('disconnect', end);
