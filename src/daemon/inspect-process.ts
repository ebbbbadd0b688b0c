/**
 * Opening a running Node app's inspector for a debugger, and closing it again once unused: SIGUSR1
 * (Node opens it on its debug port), or when that does not work (the app handles SIGUSR1, the port
 * is taken) a restart of that instance alone with --inspect on a free loopback port. Either way it is
 * closed once the debugger detaches, or after `closeAfterMs` with no debugger attached
 * (inspector-guard.ts). An inspector the app opened itself (its node_args) is reported as it is and
 * left alone.
 */
import { CorralError, ErrorCode } from '../shared/errors';
import type { InspectResult } from '../shared/protocol';
import { closeInspector, InspectorGuard } from './inspector-guard';
import type { ManagedProcess } from './managed-process';

function resultOf(url: string, restarted: boolean, closesAfterMs: number | null): InspectResult {
  const { hostname, port } = new URL(url);
  return { url, host: hostname.replace(/^\[|\]$/g, ''), port: Number(port), restarted, closesAfterMs };
}

/** Node flags that open an inspector (or pick its port) in an app's own node_args or NODE_OPTIONS. */
const INSPECTOR_FLAG = /^--(inspect(-brk|-wait|-port)?|debug-port)(=|$)/;

/** The app's own inspector flag, when it has one: Debug from Start would fight it for the port and the break. */
function ownInspector(app: ManagedProcess['app']): string | null {
  const options = (app.env.NODE_OPTIONS ?? '').split(/\s+/);
  const flag = [...app.node_args, ...options].find((arg) => INSPECTOR_FLAG.test(arg));
  return flag ? flag.replace(/=.*$/, '') : null;
}

export class Inspectors {
  /** Inspectors being closed right now, by process id: one is closed first, then opened anew. */
  private readonly closing = new Map<number, Promise<void>>();

  constructor(private readonly log: (message: string) => void) {}

  async open(process: ManagedProcess, closeAfterMs: number): Promise<InspectResult> {
    await this.closing.get(process.id);
    if (process.pid === null) throw new CorralError(ErrorCode.BadArgument, `${process.app.name} (id ${process.id}) is not running`);
    const { output } = process;
    if (output.inspectorUrl) {
      if (!output.inspectorGuard) return resultOf(output.inspectorUrl, false, null);
      output.inspectorGuard.extend(closeAfterMs);
      return resultOf(output.inspectorUrl, false, closeAfterMs);
    }
    // Signalling is synchronous (it proves the pids first, with `ps` where there is no /proc), and no
    // output is read meanwhile: the 2 s for Node to open its inspector start once the signal is sent.
    process.signal('SIGUSR1');
    const url = await output.waitForInspector(2000);
    if (url) {
      this.guard(process, url, closeAfterMs);
      return resultOf(url, false, closeAfterMs);
    }
    const relaunched = output.waitForInspector(10_000);
    await process.restart({ reason: 'user', detail: 'restarted with the inspector open' }, { nodeArgs: ['--inspect=127.0.0.1:0'] });
    const again = await relaunched;
    if (!again) throw new CorralError(ErrorCode.Timeout, `${process.app.name} (id ${process.id}): the inspector did not open`);
    this.guard(process, again, closeAfterMs);
    return resultOf(again, true, closeAfterMs);
  }

  /**
   * Debug from Start: that one instance restarted with --inspect-brk (whatever it was doing, even
   * stopped or waiting to restart after a crash), answered as soon as its inspector listens: the app
   * then waits for a debugger, and a paused app never gets ready, so this does not wait for that.
   * The launch is held (launch.ts) until the inspector closes; the next launch is a plain one.
   */
  async openFromStart(process: ManagedProcess, closeAfterMs: number): Promise<InspectResult> {
    await this.closing.get(process.id);
    const label = `${process.app.name} (id ${process.id})`;
    const own = ownInspector(process.app);
    if (own)
      throw new CorralError(
        ErrorCode.Unsupported,
        `Debug from Start: ${label} opens an inspector of its own (${own}); remove it from its config, or use Debug to attach to it`,
      );
    const opened = process.output.waitForInspector(15_000, { next: true });
    const restarted = process.restart(
      { reason: 'user', detail: 'restarted to debug from start (--inspect-brk)' },
      { nodeArgs: ['--inspect-brk=127.0.0.1:0'], holdForDebugger: true },
    );
    // The restart settles once the app is ready, which it is not until the debugger lets it run.
    restarted.catch((error: Error) => this.log(`${process.app.name}[${process.id}] ${error.message}`));
    const failed = restarted.then(
      () => (process.pid === null ? { problem: `${label} did not start (${process.status})` } : new Promise<never>(() => undefined)),
      (error: Error) => ({ problem: error.message }),
    );
    const outcome = await Promise.race([opened.then((url) => (url ? { url } : { problem: `${label}: the inspector did not open` })), failed]);
    const { url, problem } = outcome as { url?: string; problem?: string };
    if (!url) {
      process.releaseDebugger();
      throw new CorralError(ErrorCode.Timeout, problem ?? `${label}: the inspector did not open`);
    }
    this.guard(process, url, closeAfterMs);
    return resultOf(url, true, closeAfterMs);
  }

  private guard(process: ManagedProcess, url: string, closeAfterMs: number): void {
    const pid = process.pid;
    process.output.inspectorGuard?.dispose();
    process.output.inspectorGuard = new InspectorGuard(closeAfterMs, (why) => {
      // The same child, the same inspector: otherwise it went away with its process.
      if (process.pid !== pid || process.output.inspectorUrl !== url) return;
      const closing = this.close(process, url, why).finally(() => this.closing.delete(process.id));
      this.closing.set(process.id, closing);
    });
  }

  private async close(process: ManagedProcess, url: string, why: string): Promise<void> {
    process.output.inspectorGuard = null;
    const label = `${process.app.name}[${process.id}]`;
    if (await closeInspector(url)) {
      if (process.output.inspectorUrl === url) process.output.inspectorUrl = null;
      this.log(`${label} inspector closed (${why})`);
      process.releaseDebugger(); // Debug from Start: the app's own clock runs from here
      return;
    }
    if (process.output.inspectorUrl !== url) return; // restarted meanwhile: that inspector is gone anyway
    this.log(`${label} inspector did not close from outside (${why}); restarting the instance without it`);
    await process
      .restart({ reason: 'user', detail: 'restarted to close its inspector' })
      .catch((error: Error) => this.log(`${label} restart to close the inspector failed: ${error.message}`));
  }
}
