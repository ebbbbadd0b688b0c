/** A bounded HTTP keep-alive load on 127.0.0.1 for reload tests: N loops, each one request at a time. */
import * as http from 'node:http';

export interface LoadReport {
  ok: number;
  failed: number;
  errors: string[];
  /** Response bodies (the fixture answers with its pid) and how many each. */
  bodies: Map<string, number>;
}

export class Load {
  private running = true;
  private readonly agent: http.Agent;
  private readonly loops: Promise<void>[] = [];
  private readonly report: LoadReport = { ok: 0, failed: 0, errors: [], bodies: new Map() };
  private readonly deadline: number;

  constructor(
    private readonly port: number,
    connections = 50,
    maxMs = 60_000,
  ) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets: connections });
    this.deadline = Date.now() + maxMs;
    for (let i = 0; i < connections; i++) this.loops.push(this.loop());
  }

  private request(): Promise<void> {
    return new Promise((resolve) => {
      const request = http.get({ host: '127.0.0.1', port: this.port, path: '/', agent: this.agent }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => {
          if (response.statusCode === 200) {
            this.report.ok++;
            this.report.bodies.set(body, (this.report.bodies.get(body) ?? 0) + 1);
          } else {
            this.report.failed++;
            this.report.errors.push(`status ${response.statusCode}`);
          }
          resolve();
        });
        response.on('error', (error) => {
          this.report.failed++;
          this.report.errors.push(`response: ${error.message}`);
          resolve();
        });
      });
      request.setTimeout(10_000, () => request.destroy(new Error('timeout')));
      request.on('error', (error) => {
        this.report.failed++;
        this.report.errors.push(error.message);
        resolve();
      });
    });
  }

  private async loop(): Promise<void> {
    while (this.running && Date.now() < this.deadline) await this.request();
  }

  /** Resolves once at least `count` more requests have succeeded (a sign the load is flowing). */
  async flowing(count = 200): Promise<void> {
    const target = this.report.ok + count;
    const until = Date.now() + 10_000;
    while (this.report.ok < target) {
      if (Date.now() > until)
        throw new Error(`load is not flowing: ${this.report.ok} ok, ${this.report.failed} failed (${this.report.errors.slice(0, 3).join('; ')})`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  async stop(): Promise<LoadReport> {
    this.running = false;
    await Promise.all(this.loops);
    this.agent.destroy();
    return this.report;
  }
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = http.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}
