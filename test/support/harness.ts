/**
 * Integration-test harness: a private CORRAL_HOME per test, the real CLI and daemon, typed events,
 * and a cleanup that ends every process the test caused (daemon and apps, by pid) even on failure.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { DaemonClient, type EventSubscription } from '../../src/client/client';
import { processAlive } from '../../src/client/process-alive';
import type { ProcessEvent, ProcessInfo } from '../../src/shared/protocol';

/** The repository root, found from the bundled test's location (dist/test/<suite>/x.test.js). */
export const ROOT = (() => {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
})();
export const CLI = path.join(ROOT, 'dist', 'cli.js');
export const fixture = (...parts: string[]): string => path.join(ROOT, 'test', 'fixtures', ...parts);

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: Record<string, string>;
  cwd?: string;
  timeoutMs?: number;
  /** Written to the CLI's stdin, which is then closed (closed at once without it, as in a script). */
  input?: string;
}

/** The built CLI for `home` (CORRAL_HOME), no colours; `ms` is how long it took. */
export function runCli(home: string, args: string[], options: CliOptions = {}): Promise<CliResult & { ms: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, ...options.env, CORRAL_HOME: home, NO_COLOR: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    // A CLI that exits before reading its stdin (a bad option) closes the pipe first: no EPIPE crash here.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    const timeoutMs = options.timeoutMs ?? 20_000;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`corral ${args.join(' ')} did not finish in ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr, ms: Date.now() - started });
    });
  });
}

export class TestHome {
  readonly home: string;
  private readonly pids = new Set<number>();
  private readonly clients: DaemonClient[] = [];
  private readonly subscriptions: EventSubscription[] = [];

  /** `home`: a directory to use (and remove at cleanup) instead of a fresh one, e.g. on a small disk. */
  constructor(home?: string) {
    // Short path: unix socket paths are limited to ~107 bytes.
    this.home = home ?? fs.mkdtempSync(path.join(os.tmpdir(), 'corral-t-'));
  }

  cli(args: string[], options: CliOptions = {}): Promise<CliResult> {
    return runCli(this.home, args, options).finally(() => this.rememberDaemon());
  }

  /** Runs the CLI and fails the test unless it exits 0. */
  async ok(args: string[], options?: CliOptions): Promise<CliResult> {
    const result = await this.cli(args, options);
    if (result.code !== 0) throw new Error(`corral ${args.join(' ')} exited ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
    return result;
  }

  async jlist(): Promise<ProcessInfo[]> {
    const list = JSON.parse((await this.ok(['jlist'])).stdout) as ProcessInfo[];
    for (const process of list) if (process.pid) this.pids.add(process.pid);
    return list;
  }

  async connect(): Promise<DaemonClient> {
    const client = await DaemonClient.connect({ home: this.home, daemonScript: path.join(ROOT, 'dist', 'daemon.js') });
    this.clients.push(client);
    this.pids.add(client.daemon.pid);
    return client;
  }

  /** Subscribes to the daemon's events (starting it if needed) and records every pid it sees. */
  async events(): Promise<EventWatcher> {
    const client = await this.connect();
    const subscription = await client.subscribe();
    this.subscriptions.push(subscription);
    const watcher = new EventWatcher(subscription);
    subscription.on('process:event', (event) => {
      if (event.pid) this.pids.add(event.pid);
    });
    return watcher;
  }

  track(pid: number): void {
    this.pids.add(pid);
  }

  daemonPid(): number | null {
    try {
      return Number(fs.readFileSync(path.join(this.home, 'daemon.pid'), 'utf8'));
    } catch {
      return null;
    }
  }

  private rememberDaemon(): void {
    const pid = this.daemonPid();
    if (pid) this.pids.add(pid);
  }

  /** Ends everything this test started: a polite kill, then SIGKILL for anything still alive. */
  async cleanup(): Promise<void> {
    for (const subscription of this.subscriptions) subscription.dispose();
    for (const client of this.clients) client.close();
    this.rememberDaemon();
    try {
      const list = fs.existsSync(path.join(this.home, 'rpc.sock')) ? await this.jlist().catch(() => []) : [];
      void list;
      await this.cli(['kill'], { timeoutMs: 15_000 }).catch(() => undefined);
    } finally {
      for (const pid of this.pids) {
        if (!processAlive(pid)) continue;
        for (const target of [-pid, pid]) {
          try {
            process.kill(target, 'SIGKILL');
          } catch {
            /* gone */
          }
        }
      }
      fs.rmSync(this.home, { recursive: true, force: true });
    }
  }
}

export class EventWatcher {
  readonly seen: ProcessEvent[] = [];
  private waiters: Array<{ predicate: (event: ProcessEvent) => boolean; resolve: (event: ProcessEvent) => void }> = [];

  constructor(subscription: EventSubscription) {
    subscription.on('process:event', (event) => {
      this.seen.push(event);
      this.waiters = this.waiters.filter((waiter) => {
        if (!waiter.predicate(event)) return true;
        waiter.resolve(event);
        return false;
      });
    });
  }

  /** The next event (from now on) that matches, or a rejection naming what was awaited. */
  next(predicate: (event: ProcessEvent) => boolean, what: string, timeoutMs = 10_000): Promise<ProcessEvent> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((waiter) => waiter.resolve !== done);
        reject(new Error(`timed out waiting for ${what}; events seen: ${this.seen.map((e) => `${e.name}:${e.status}(${e.reason})`).join(', ')}`));
      }, timeoutMs);
      const done = (event: ProcessEvent): void => {
        clearTimeout(timer);
        resolve(event);
      };
      this.waiters.push({ predicate, resolve: done });
    });
  }

  /** Like next(), but also satisfied by an event already seen. */
  some(predicate: (event: ProcessEvent) => boolean, what: string, timeoutMs = 10_000): Promise<ProcessEvent> {
    const found = this.seen.find(predicate);
    return found ? Promise.resolve(found) : this.next(predicate, what, timeoutMs);
  }

  status(name: string, status: ProcessEvent['status'], timeoutMs?: number): Promise<ProcessEvent> {
    return this.next((event) => event.name === name && event.status === status, `${name} to be ${status}`, timeoutMs);
  }
}

/** Polls a condition that has no event (a file's content, a process's end), with a deadline. */
export async function until<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** One GET on a fresh connection (no keep-alive), so round-robin reaches every worker. */
export function httpGet(port: number, pathname = '/'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path: pathname, agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      response.on('error', reject);
    });
    request.setTimeout(5000, () => request.destroy(new Error('timeout')));
    request.on('error', reject);
  });
}

/** Every worker has run the app's code far enough to print "listening <pid>" (the cluster fixtures do). */
export async function workersListening(workers: ProcessInfo[]): Promise<void> {
  for (const worker of workers) {
    await until(
      () => fs.existsSync(worker.out_log) && fs.readFileSync(worker.out_log, 'utf8').includes(`listening ${worker.pid}`),
      `worker ${worker.pid} to listen`,
    );
  }
}

export { processAlive };
