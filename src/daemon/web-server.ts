/**
 * The HTTP API for remote monitoring: GET / (the machine), /processes (jlist), /metrics (Prometheus).
 * Loopback by default, answering only requests addressed to a loopback name (web-access.ts); any
 * other address needs the bearer token kept in CORRAL_HOME/web.token (0600).
 * Env values never appear: the process list carries none.
 */
import * as http from 'node:http';
import * as os from 'node:os';
import { CorralError, ErrorCode } from '../shared/errors';
import type { ProcessInfo } from '../shared/protocol';
import { VERSION } from '../shared/version';
import { isLoopback, isLoopbackHostHeader, readOrCreateToken, sameSecret } from './web-access';

export { isLoopback } from './web-access';
export const DEFAULT_WEB_PORT = 9615;

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** The Prometheus text exposition (format 0.0.4) of the process list. */
export function prometheusText(processes: ProcessInfo[]): string {
  const metrics: Array<[string, string, 'gauge' | 'counter', (process: ProcessInfo) => number]> = [
    ['corral_process_cpu_percent', 'CPU use, percent of one core, at the last sample.', 'gauge', (p) => (p.pid === null ? 0 : p.cpu)],
    ['corral_process_memory_bytes', 'Resident memory at the last sample.', 'gauge', (p) => (p.pid === null ? 0 : p.memory)],
    ['corral_process_restarts_total', 'Restarts of the process.', 'counter', (p) => p.restarts],
    ['corral_process_uptime_seconds', 'Seconds since the process went online (0 when not online).', 'gauge', (p) => Math.round(p.uptime / 1000)],
  ];
  const labels = (process: ProcessInfo, extra = ''): string =>
    `{name="${escapeLabel(process.name)}",id="${process.id}",namespace="${escapeLabel(process.namespace)}"${extra}}`;
  const lines: string[] = [];
  for (const [name, help, type, value] of metrics) {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const process of processes) lines.push(`${name}${labels(process)} ${value(process)}`);
  }
  lines.push('# HELP corral_process_status 1 for the status the process is in.', '# TYPE corral_process_status gauge');
  for (const process of processes) lines.push(`corral_process_status${labels(process, `,status="${process.status}"`)} 1`);
  // Only processes with probes: 1 healthy, 0 unhealthy or not ready (not running: no sample).
  const probed = processes.filter((process) => process.health !== null && process.health !== undefined);
  if (probed.length > 0) {
    lines.push(
      '# HELP corral_process_healthy 1 when the probes pass, 0 when not ready or unhealthy (processes with probes).',
      '# TYPE corral_process_healthy gauge',
    );
    for (const process of probed) lines.push(`corral_process_healthy${labels(process)} ${process.health === 'healthy' ? 1 : 0}`);
  }
  return `${lines.join('\n')}\n`;
}

export class WebServer {
  private server: http.Server | null = null;
  private url: string | null = null;

  constructor(
    private readonly tokenFile: string,
    private readonly list: () => ProcessInfo[],
    private readonly log: (message: string) => void,
  ) {}

  private token(): string {
    try {
      return readOrCreateToken(this.tokenFile, this.log);
    } catch (error) {
      throw new CorralError(
        ErrorCode.Io,
        `web: cannot write a token to ${this.tokenFile} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      );
    }
  }

  async start(host: string, port: number): Promise<{ url: string; tokenFile: string | null }> {
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CorralError(ErrorCode.BadArgument, `web: port must be 0-65535, got ${port}`);
    await this.stop();
    const token = isLoopback(host) ? null : this.token();
    // Host is checked here, not by Node (which would answer a missing one with a 400 of its own).
    const server = http.createServer({ requireHostHeader: false }, (request, response) => this.handle(request, response, token));
    server.headersTimeout = 10_000;
    server.requestTimeout = 10_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(new CorralError(ErrorCode.Io, `web: cannot listen on ${host}:${port} (${error.code ?? error.message})`)),
      );
      server.listen(port, host, () => resolve());
    });
    const address = server.address() as { port: number };
    this.server = server;
    this.url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
    this.log(`web API on ${this.url}${token ? ' (bearer token required)' : ''}`);
    return { url: this.url, tokenFile: token ? this.tokenFile : null };
  }

  private handle(request: http.IncomingMessage, response: http.ServerResponse, token: string | null): void {
    const send = (status: number, type: string, body: string, headers: Record<string, string> = {}): void => {
      response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...headers });
      response.end(body);
    };
    if (!token && !isLoopbackHostHeader(request.headers.host, request.httpVersion)) {
      // Without a token, the loopback bind is the only protection, and a page the browser loaded from
      // another name (DNS rebinding) would pass it: such requests get nothing.
      return send(421, 'text/plain; charset=utf-8', 'misdirected request: this API answers only to localhost\n', { connection: 'close' });
    }
    if (token) {
      const given = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
      if (!sameSecret(given, token)) {
        return send(401, 'application/json', '{"error":"a bearer token is required"}\n', { 'www-authenticate': 'Bearer' });
      }
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') return send(405, 'application/json', '{"error":"GET only"}\n', { allow: 'GET, HEAD' });
    const pathname = (request.url ?? '/').split('?')[0];
    if (pathname === '/') {
      return send(
        200,
        'application/json',
        `${JSON.stringify({
          corral: VERSION,
          hostname: os.hostname(),
          uptime: os.uptime(),
          load: os.loadavg(),
          memory: { total: os.totalmem(), free: os.freemem() },
          cpus: os.cpus().length,
          processes: this.list().length,
        })}\n`,
      );
    }
    if (pathname === '/processes') return send(200, 'application/json', `${JSON.stringify(this.list())}\n`);
    if (pathname === '/metrics') return send(200, 'text/plain; version=0.0.4; charset=utf-8', prometheusText(this.list()));
    send(404, 'application/json', '{"error":"not found: try /, /processes or /metrics"}\n');
  }

  async stop(): Promise<boolean> {
    const server = this.server;
    if (!server) return false;
    this.server = null;
    this.url = null;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    return true;
  }
}
