/**
 * Running health probes: one check (an HTTP GET, a TCP connect, or a command run without a shell),
 * the daemon-wide bound on checks at once, and the loop of one probe, which lives on a launch's
 * Lifetime: its one timer and any check in flight end with it, so nothing outlives a stop or delete.
 * Each check has its own timeout, so a slow one never holds up the others for longer than that.
 */
import { execFile } from 'node:child_process';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import type { ProbeConfig, ProbePort } from '../shared/config';
import { printable } from '../shared/printable';
import type { ProbeResult } from '../shared/protocol';
import type { Lifetime } from './lifetime';
import { ProbeCounter, type ProbeVerdict } from './probe-counter';

/** What a check runs against: the process's environment (for env-named ports and exec) and cwd. */
export interface ProbeTarget {
  env: Record<string, string>;
  cwd: string;
}

/** Checks running at once, daemon-wide: the rest wait for a slot (each check is bounded by its timeout_ms). */
export const PROBE_CONCURRENCY = 8;
/** What an exec probe may print before it is cut off (its output is only shown, never parsed). */
const EXEC_OUTPUT_BYTES = 64 * 1024;

export class ProbeSlots {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit = PROBE_CONCURRENCY) {}

  /** Runs `task` in a slot; null when `signal` aborts before one is free. */
  async run<T>(task: () => Promise<T>, signal: AbortSignal): Promise<T | null> {
    if (this.running >= this.limit) {
      const got = await new Promise<boolean>((resolve) => {
        const start = (): void => {
          signal.removeEventListener('abort', cancel);
          resolve(true);
        };
        const cancel = (): void => {
          const index = this.waiting.indexOf(start);
          if (index >= 0) this.waiting.splice(index, 1);
          resolve(false);
        };
        this.waiting.push(start);
        signal.addEventListener('abort', cancel, { once: true });
      });
      if (!got) return null;
    } else this.running++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

/** An env-named port read from the process's env at the time of the check. */
function resolvePort(port: ProbePort, env: Record<string, string>): number | string {
  if (typeof port === 'number') return port;
  const value = env[port];
  if (value === undefined) return `env ${port} is not set`;
  const number = Number(value);
  return /^\d+$/.test(value.trim()) && number >= 1 && number <= 65535 ? number : `env ${port} is not a port (${printable(value, 40)})`;
}

/** One check, bounded by timeout_ms and by `signal`. Never rejects. */
export function checkOnce(probe: ProbeConfig, target: ProbeTarget, signal: AbortSignal): Promise<Omit<ProbeResult, 'probe'>> {
  const started = Date.now();
  const done = (ok: boolean, detail: string): Omit<ProbeResult, 'probe'> => ({
    ok,
    detail: printable(detail, 200),
    at: started,
    duration_ms: Date.now() - started,
  });
  if ('exec' in probe) return execCheck(probe.exec.command, probe.timeout_ms, target, signal).then(({ ok, detail }) => done(ok, detail));
  const { port: given, host } = 'http_get' in probe ? probe.http_get : probe.tcp_socket;
  const port = resolvePort(given, target.env);
  if (typeof port === 'string') return Promise.resolve(done(false, port));
  const check = 'http_get' in probe ? httpCheck({ ...probe.http_get, port }, probe.timeout_ms, signal) : tcpCheck(host, port, probe.timeout_ms, signal);
  return check.then(({ ok, detail }) => done(ok, detail));
}

interface Outcome {
  ok: boolean;
  detail: string;
}

/** Settles once; the timer and the abort listener go with the first outcome. */
function bounded(timeoutMs: number, signal: AbortSignal, start: (settle: (outcome: Outcome) => void) => () => void): Promise<Outcome> {
  return new Promise((resolve) => {
    let cleanup: () => void = () => undefined;
    let settled = false;
    const settle = (outcome: Outcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      cleanup();
      resolve(outcome);
    };
    const onAbort = (): void => settle({ ok: false, detail: 'cancelled' });
    const timer = setTimeout(() => settle({ ok: false, detail: `no answer within timeout_ms (${timeoutMs} ms)` }), timeoutMs);
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) return onAbort();
    cleanup = start(settle);
  });
}

function httpCheck(get: { scheme: 'http' | 'https'; host: string; port: number; path: string }, timeoutMs: number, signal: AbortSignal): Promise<Outcome> {
  return bounded(timeoutMs, signal, (settle) => {
    const options = { host: get.host, port: get.port, path: get.path, agent: false as const, headers: { 'user-agent': 'corral-probe' } };
    // Kubernetes does not verify the certificate of an https probe either: it checks liveness, not identity.
    const request = get.scheme === 'https' ? https.get({ ...options, rejectUnauthorized: false }, answered) : http.get(options, answered);
    function answered(response: http.IncomingMessage): void {
      response.resume(); // the body is not read
      const status = response.statusCode ?? 0;
      settle({ ok: status >= 200 && status < 400, detail: `HTTP ${status}` });
    }
    request.on('error', (error: NodeJS.ErrnoException) => settle({ ok: false, detail: error.code ?? error.message }));
    return () => request.destroy();
  });
}

function tcpCheck(host: string, port: number, timeoutMs: number, signal: AbortSignal): Promise<Outcome> {
  return bounded(timeoutMs, signal, (settle) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => settle({ ok: true, detail: `connected to ${host}:${port}` }));
    socket.once('error', (error: NodeJS.ErrnoException) => settle({ ok: false, detail: error.code ?? error.message }));
    return () => socket.destroy();
  });
}

function execCheck(command: string[], timeoutMs: number, target: ProbeTarget, signal: AbortSignal): Promise<Outcome> {
  return bounded(timeoutMs, signal, (settle) => {
    const [file, ...args] = command;
    // No shell: the argv as given. SIGKILL on the timeout or the end of the launch.
    const child = execFile(
      file,
      args,
      { cwd: target.cwd, env: target.env, maxBuffer: EXEC_OUTPUT_BYTES, killSignal: 'SIGKILL', windowsHide: true },
      (error, stdout, stderr) => {
        if (!error) return settle({ ok: true, detail: 'exit code 0' });
        const errno = error as NodeJS.ErrnoException & { code?: string | number };
        if (errno.code === 'ENOENT') return settle({ ok: false, detail: `${file}: command not found` });
        const said = `${stderr}`.trim().split('\n')[0] || `${stdout}`.trim().split('\n')[0] || '';
        const how = typeof errno.code === 'number' ? `exit code ${errno.code}` : error.message.split('\n')[0];
        settle({ ok: false, detail: said ? `${how}: ${said}` : how });
      },
    );
    child.on('error', () => undefined);
    return () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
  });
}

export interface ProbeLoop {
  kind: ProbeResult['probe'];
  probe: ProbeConfig;
  lifetime: Lifetime;
  slots: ProbeSlots;
  target(): ProbeTarget;
  /** Each result and the verdict change it caused (null: none). Return false to stop probing. */
  onResult(result: ProbeResult, change: ProbeVerdict | null, counter: ProbeCounter): boolean;
}

/**
 * Probes every period_ms (from the start of one check to the next) after initial_delay_ms, until
 * onResult says stop or the lifetime ends. One timer at a time: the wait before the next check.
 */
export async function runProbes(loop: ProbeLoop): Promise<void> {
  const { probe, lifetime } = loop;
  const counter = new ProbeCounter(probe);
  if (!(await lifetime.sleep(probe.initial_delay_ms))) return;
  for (;;) {
    const started = Date.now();
    const result = await loop.slots.run(() => checkOnce(probe, loop.target(), lifetime.signal), lifetime.signal);
    if (result === null || lifetime.ended) return;
    if (!loop.onResult({ probe: loop.kind, ...result }, counter.record(result.ok), counter)) return;
    if (!(await lifetime.sleep(Math.max(0, probe.period_ms - (Date.now() - started))))) return;
  }
}
