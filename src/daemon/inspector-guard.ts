/**
 * An inspector that `corral inspect` opened lets any local user run code in the app, so it stays
 * open only while it is used: it is closed once the debugger detaches, or when no debugger has been
 * attached for a bound (10 minutes unless asked otherwise).
 *
 * What tells: Node (18 to 24) prints "Debugger attached." on stderr for every session, and
 * "Debugger ending on ws://..." once the last one has gone. How it closes: the daemon opens a session
 * of its own and evaluates `inspector.close()` in the app (the module from process.getBuiltinModule,
 * or the console command-line API's `require`, which CommonJS and ESM apps alike have); the inspector
 * stops listening and drops every session. Should that not work (the app replaced inspector.close,
 * or never runs the call), the caller restarts the instance without the inspector.
 */
import * as http from 'node:http';
import WebSocket from 'ws';

export const DEFAULT_INSPECT_CLOSE_AFTER_MS = 10 * 60_000;
export const MAX_INSPECT_CLOSE_AFTER_MS = 24 * 3_600_000;
/** A debugger that reconnects (a restarted debug session) does so within this. */
const DETACH_GRACE_MS = 1000;
const SESSION_LINES = /Debugger attached\.|Debugger ending on /g;
/**
 * process.getBuiltinModule (Node 20.16+) is used first because an app (or its bundler) may define a
 * global `require` of its own, which shadows the console's; older Node falls back to that one.
 */
const CLOSE_EXPRESSION = "(typeof process.getBuiltinModule === 'function' ? process.getBuiltinModule('node:inspector') : require('node:inspector')).close()";

/** Times the inspector's life from what the app prints; calls `close` once, then is done. */
export class InspectorGuard {
  private timer: NodeJS.Timeout | null = null;
  private attached = false;
  private done = false;

  constructor(
    private idleMs: number,
    private readonly close: (why: string) => void,
    private readonly graceMs = DETACH_GRACE_MS,
  ) {
    this.arm(this.idleMs, `no debugger attached within ${describeMs(this.idleMs)}`);
  }

  /** Another `inspect` for the same inspector: the bound starts again, with the new length. */
  extend(idleMs: number): void {
    this.idleMs = idleMs;
    if (!this.attached) this.arm(idleMs, `no debugger attached within ${describeMs(idleMs)}`);
  }

  /** Feeds the app's stderr (only text that mentions "Debugger"). */
  noteOutput(text: string): void {
    for (const [line] of text.matchAll(SESSION_LINES)) {
      if (this.done) return;
      if (line.startsWith('Debugger attached')) {
        this.attached = true;
        this.disarm();
      } else {
        this.attached = false;
        this.arm(this.graceMs, 'the debugger detached');
      }
    }
  }

  dispose(): void {
    this.done = true;
    this.disarm();
  }

  private arm(ms: number, why: string): void {
    if (this.done) return;
    this.disarm();
    this.timer = setTimeout(() => {
      this.dispose();
      this.close(why);
    }, ms);
    this.timer.unref();
  }

  private disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

function describeMs(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/**
 * Whether the inspector at `url` is still there: listed by the inspector on its port. The port alone
 * says nothing, because another app's inspector may take it (9229, the SIGUSR1 default) right after.
 */
export function inspectorListed(url: string, timeoutMs = 2000): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const request = http.get(
      { host: hostname.replace(/^\[|\]$/g, ''), port: Number(port), path: '/json/list', agent: false, timeout: timeoutMs },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          body += chunk;
          if (body.length > 1024 * 1024) request.destroy(); // not an inspector's answer
        });
        response.on('end', () => {
          try {
            const targets = JSON.parse(body) as Array<{ webSocketDebuggerUrl?: string }>;
            resolve(Array.isArray(targets) && targets.some((target) => target?.webSocketDebuggerUrl === url));
          } catch {
            resolve(false);
          }
        });
        response.on('error', () => resolve(false));
      },
    );
    // No answer in time: it may still be there, so it counts as open (and the caller restarts the app).
    request.on('timeout', () => (resolve(true), request.destroy()));
    // Refused or reset: nothing serves that inspector any more.
    request.on('error', () => resolve(false));
  });
}

/**
 * Closes the inspector at `url` from outside the app; true once it no longer listens. One session of
 * our own (ws, the well-kept WebSocket client: Node 20 has none without a flag), one call.
 */
export async function closeInspector(url: string, timeoutMs = 3000): Promise<boolean> {
  await new Promise<void>((resolve) => {
    const socket = new WebSocket(url, { handshakeTimeout: timeoutMs, maxPayload: 1024 * 1024, perMessageDeflate: false });
    const timer = setTimeout(() => socket.terminate(), timeoutMs);
    timer.unref();
    socket.on('open', () => {
      // An app started with --inspect-brk that no debugger took yet waits for one: let it run first
      // (a no-op for any other app), or it would wait on with its inspector gone.
      socket.send(JSON.stringify({ id: 1, method: 'Runtime.runIfWaitingForDebugger' }));
      // close() drops every session, ours too, usually before its reply is sent: the end of the
      // connection is the answer that counts.
      socket.send(JSON.stringify({ id: 2, method: 'Runtime.evaluate', params: { expression: CLOSE_EXPRESSION, includeCommandLineAPI: true } }));
    });
    socket.on('message', (data) => {
      if (String(data).includes('"id":2')) socket.close();
    });
    socket.on('error', () => undefined); // 'close' follows
    socket.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  return !(await inspectorListed(url));
}
