/**
 * Cluster mode: the daemon is the node:cluster primary; each instance is a worker running
 * dist/container.js, which loads the app's entry. Workers are forked silent, so their output
 * comes through pipes exactly like fork mode; the handle has the same shape.
 */
import cluster, { type Worker } from 'node:cluster';
import * as path from 'node:path';
import { CONTAINER_MESSAGES, isContainerMessage } from '../shared/container-protocol';
import { CorralError, ErrorCode } from '../shared/errors';
import { watchChild, type ChildHandle } from './child-handle';
import type { LaunchSpec } from './fork-launcher';
import { descendants } from './process-tree';

export function launchCluster(spec: LaunchSpec, containerScript: string): ChildHandle {
  const { app } = spec;
  // setupPrimary() settings are read synchronously by fork(): set them per fork, so node_args, cwd
  // and args of one app never leak into another.
  cluster.setupPrimary({
    exec: containerScript,
    args: [app.script, ...app.args],
    execArgv: [...app.node_args],
    cwd: app.cwd,
    silent: true,
    windowsHide: true,
  });
  // The worker's env: exactly the app's (cluster.fork layers it over the daemon's own env).
  const worker: Worker = cluster.fork(spec.env);
  const child = worker.process;

  const { spawned, exited, drained } = watchChild(child, (error) => new CorralError(ErrorCode.Internal, `cannot start a cluster worker: ${error.message}`, { cause: error }));
  let listeningResolve!: () => void;
  const listening = new Promise<void>((resolve) => (listeningResolve = resolve));
  worker.once('listening', () => listeningResolve());

  const userListeners: Array<(message: unknown) => void> = [];
  let drainedResolve: (() => void) | null = null;
  worker.on('message', (message: unknown) => {
    if (isContainerMessage(message)) {
      if (message.type === CONTAINER_MESSAGES.closed && worker.isConnected()) worker.send({ type: CONTAINER_MESSAGES.flush } as never);
      else if (message.type === CONTAINER_MESSAGES.drained) drainedResolve?.();
      return;
    }
    for (const listener of userListeners) listener(message);
  });
  worker.on('error', () => undefined);

  const pid = child.pid ?? -1;
  const known = new Set<number>();
  return {
    pid,
    stdout: child.stdout,
    stderr: child.stderr,
    spawned,
    exited,
    drained,
    listening,
    onMessage: (listener) => userListeners.push(listener),
    send: (message) => {
      if (!worker.isConnected()) return false;
      try {
        return worker.send(message as never);
      } catch {
        return false;
      }
    },
    hasIpc: () => worker.isConnected(),
    // A worker shares the daemon's process group, so its own children are found through /proc while
    // it lives, and remembered: once it has exited they are orphans nobody else can name.
    signalGroup: (signal) => {
      const alive = child.exitCode === null && child.signalCode === null;
      if (alive) for (const found of descendants(pid)) known.add(found);
      for (const target of [...known, ...(alive ? [pid] : [])]) {
        try {
          process.kill(target, signal);
        } catch {
          known.delete(target);
        }
      }
    },
    drain: (timeoutMs) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        const done = (): void => {
          clearTimeout(timer);
          resolve();
        };
        drainedResolve = done;
        void exited.then(done);
        if (!worker.isConnected() || !worker.send({ type: CONTAINER_MESSAGES.drain } as never)) done();
      }),
  };
}

export const defaultContainerScript = (): string => path.join(__dirname, 'container.js');
