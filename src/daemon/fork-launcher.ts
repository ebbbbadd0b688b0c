/** Fork mode: one child process per instance, in its own process group, output piped. */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import type { AppConfig } from '../shared/config';
import { isNodeInterpreter, jsRuntimeOf, runtimeArgs } from '../shared/config';
import { CorralError, ErrorCode } from '../shared/errors';
import { resolveSpawn } from '../shared/platform/commands';
import { currentPlatform, type Platform } from '../shared/platform/platform';
import { deliverSignal } from '../shared/platform/stop-plan';
import { execTaskkill, type TaskkillRunner } from '../shared/platform/taskkill';
import { STDIN_BACKLOG_BYTES, watchChild, type ChildHandle } from './child-handle';
import { InstanceProcesses } from './platform/processes';

export interface LaunchSpec {
  app: AppConfig;
  /** Includes INSTANCE_VARIABLE=`marker`. */
  env: Record<string, string>;
  /** This launch's marker: `<pm_id>:<nonce>`. */
  marker: string;
  /** The Node binary for interpreter 'node': the daemon's own. */
  nodePath: string;
}

export function commandFor(spec: LaunchSpec): { command: string; args: string[]; ipc: boolean } {
  const { app } = spec;
  if (app.interpreter === 'none') return { command: app.script, args: [...app.args], ipc: false };
  const runtime = jsRuntimeOf(app.interpreter);
  // Bun and Deno: their own argv, and no Node IPC channel (runtimes.ts).
  if (runtime) return { command: app.interpreter, args: runtimeArgs(runtime, app.node_args, app.script, app.args), ipc: false };
  const node = isNodeInterpreter(app.interpreter);
  const command = app.interpreter === 'node' ? spec.nodePath : app.interpreter;
  return { command, args: [...app.node_args, app.script, ...app.args], ipc: node };
}

/** How a launcher delivers signals: the platform whose stop plan it follows, and what runs taskkill there. Seams for tests. */
export interface SignalOptions {
  platform: Platform;
  taskkill: TaskkillRunner;
}

export const defaultSignalOptions = (): SignalOptions => ({ platform: currentPlatform(), taskkill: execTaskkill });

export function launchFork(spec: LaunchSpec, signals: SignalOptions = defaultSignalOptions()): ChildHandle {
  const { command, args, ipc } = commandFor(spec);
  // As given off Windows; there, `npm` is npm.cmd, run through cmd.exe with quoted arguments (no shell string).
  const plan = resolveSpawn(command, args, { platform: currentPlatform(), env: spec.env, cwd: spec.app.cwd, isFile }) ?? { command, args };
  // Before the spawn: its start floor is then no later than the child's start (platform/processes.ts).
  const processes = new InstanceProcesses(spec.marker, true);
  const child = spawn(plan.command, plan.args, {
    windowsVerbatimArguments: plan.windowsVerbatimArguments,
    cwd: spec.app.cwd,
    env: spec.env,
    // detached: a new session and process group, so stop reaches the app's own children (kill(-pid)).
    detached: true,
    // stdin: a pipe held open, as PM2 does (`corral send`); an app reading it waits instead of
    // seeing end-of-file (tools such as `esbuild --watch` exit on it).
    stdio: ipc ? ['pipe', 'pipe', 'pipe', 'ipc'] : ['pipe', 'pipe', 'pipe'],
    windowsHide: true,
  });
  const { spawned, exited, drained, clock } = watchChild(
    child,
    (error) =>
      new CorralError(ErrorCode.ScriptNotFound, error.code === 'ENOENT' ? `${command}: not found (check the script or interpreter)` : error.message, {
        cause: error,
      }),
  );
  child.stdin?.on('error', () => undefined); // the app closed its stdin: a later write just fails
  if (child.pid !== undefined) {
    processes.rooted(child.pid, true);
    child.once('exit', () => processes.reaped());
  }

  const signal = (name: NodeJS.Signals): void =>
    deliverSignal(child, name, {
      ...signals,
      // Until Node has reaped the child its pid and group id are its own.
      signalTree: (posixSignal, rootAlive) => processes.signal(posixSignal, rootAlive),
    });

  return {
    get pid() {
      return child.pid ?? -1;
    },
    stdout: child.stdout,
    stderr: child.stderr,
    spawned,
    exited,
    drained,
    onMessage: (listener) => {
      child.on('message', listener);
    },
    send: (message) => {
      if (!child.connected) return false;
      try {
        return child.send(message as never, (error) => void error);
      } catch {
        return false;
      }
    },
    hasIpc: () => child.connected,
    writeStdin: (data) => {
      const stdin = child.stdin;
      if (!stdin || stdin.destroyed || !stdin.writable || stdin.writableLength > STDIN_BACKLOG_BYTES) return false;
      stdin.write(data);
      return true;
    },
    signal,
    forceKill: () => {
      clock.forcing();
      signal('SIGKILL');
    },
  };
}

function isFile(file: string): boolean {
  return fs.statSync(file, { throwIfNoEntry: false })?.isFile() === true;
}
