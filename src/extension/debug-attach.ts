/**
 * "Debug": opens a running Node process's inspector through the daemon (SIGUSR1, or a restart of that one
 * instance with --inspect) and starts a VS Code `node` attach session to it.
 * "Debug from Start": the daemon restarts that instance with --inspect-brk (it waits for the debugger
 * before its first line); the same attach session sets its breakpoints, then lets it run
 * (continueOnAttach), so a crash during start-up stops where the user asked.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CorralError, ErrorCode } from '../shared/errors';
import type { ProcessInfo } from '../shared/protocol';
import type { DaemonConnection } from './connection';

/** The attach configuration for a process whose inspector listens on host:port. */
export function attachConfiguration(process: ProcessInfo, host: string, port: number): vscode.DebugConfiguration {
  return {
    type: 'node',
    request: 'attach',
    name: `Corral: ${process.name} [${process.id}]`,
    address: host,
    port,
    cwd: process.cwd,
    skipFiles: ['<node_internals>/**'],
    // A cluster worker runs the daemon's container first; the app's own files are what matter.
    continueOnAttach: true,
  };
}

/** `fromStart`: Debug from Start, for a process in any state (stopped, crashed: it is restarted). */
export async function attachDebugger(connection: DaemonConnection, process: ProcessInfo, options: { fromStart?: boolean } = {}): Promise<vscode.DebugSession> {
  const { fromStart = false } = options;
  if (!fromStart && (process.pid === null || process.status !== 'online'))
    throw new CorralError(ErrorCode.BadArgument, `${process.name} #${process.id} is not running`);
  const { host, port } = await connection.call('inspect', { id: process.id, ...(fromStart ? { fromStart } : {}) }, 30_000);
  const configuration = attachConfiguration(process, host, port);
  const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(path.isAbsolute(process.script) ? process.script : process.cwd));
  let listener: vscode.Disposable | undefined;
  const started = new Promise<vscode.DebugSession>((resolve) => {
    listener = vscode.debug.onDidStartDebugSession((session) => {
      if (session.name === configuration.name) resolve(session);
    });
  });
  try {
    const ok = await vscode.debug.startDebugging(folder, configuration);
    if (!ok)
      throw new CorralError(
        ErrorCode.Internal,
        `could not attach a debugger to ${process.name} #${process.id} on ${host}:${port} (is the JavaScript debugger extension enabled?)`,
      );
    // The session has started by now; should a debugger rename it, the active session is ours.
    const fallback = new Promise<vscode.DebugSession>((resolve, reject) =>
      setTimeout(
        () =>
          vscode.debug.activeDebugSession
            ? resolve(vscode.debug.activeDebugSession)
            : reject(new CorralError(ErrorCode.Internal, 'the debug session did not start')),
        5000,
      ),
    );
    return await Promise.race([started, fallback]);
  } finally {
    listener?.dispose();
  }
}
