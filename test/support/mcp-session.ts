/**
 * A Model Context Protocol client by hand, for tests: spawns a server, writes newline-delimited JSON-RPC
 * to its stdin and matches the answers on stdout by id. No SDK on this side, so the tests check the
 * wire itself. `close()` ends stdin, waits for the exit, and SIGKILLs a server that does not go.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

export interface JsonRpcAnswer {
  jsonrpc: '2.0';
  id: number;
  result?: Record<string, unknown>;
  error?: { code: number; message: string };
}

export interface ToolAnswer {
  content: Array<{ type: string; text: string }>;
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}

export class McpSession {
  readonly child: ChildProcessWithoutNullStreams;
  stderr = '';
  /** Every line the server wrote to stdout: each must be a JSON-RPC message. */
  readonly lines: string[] = [];
  private buffer = '';
  private nextId = 1;
  private readonly pending = new Map<number, (answer: JsonRpcAnswer) => void>();
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}) {
    this.child = spawn(command, args, { env: options.env, cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdin.on('error', () => undefined);
    this.child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk));
    this.child.stdout.on('data', (chunk: Buffer) => {
      this.buffer += chunk.toString('utf8');
      for (let end = this.buffer.indexOf('\n'); end >= 0; end = this.buffer.indexOf('\n')) {
        const line = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 1);
        this.lines.push(line);
        const message = JSON.parse(line) as JsonRpcAnswer;
        this.pending.get(message.id)?.(message);
        this.pending.delete(message.id);
      }
    });
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve({ code, signal })));
  }

  /** Sends a line as it is (for malformed input). */
  writeLine(line: string): void {
    this.child.stdin.write(`${line}\n`);
  }

  notify(method: string, params?: Record<string, unknown>): void {
    this.writeLine(JSON.stringify({ jsonrpc: '2.0', method, ...(params ? { params } : {}) }));
  }

  request(method: string, params?: Record<string, unknown>, timeoutMs = 60_000): Promise<JsonRpcAnswer> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`no answer to ${method} (id ${id}) within ${timeoutMs} ms; stderr: ${this.stderr}`));
      }, timeoutMs);
      this.pending.set(id, (answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
      this.exited.then(() => reject(new Error(`the server exited before answering ${method}; stderr: ${this.stderr}`)));
      this.writeLine(JSON.stringify({ jsonrpc: '2.0', id, method, ...(params ? { params } : {}) }));
    });
  }

  async initialize(): Promise<JsonRpcAnswer> {
    const answer = await this.request('initialize', { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'corral-test', version: '1' } });
    this.notify('notifications/initialized');
    return answer;
  }

  /** tools/call; the JSON-RPC error (unknown tool) or the tool's result. */
  async callTool(name: string, args?: unknown): Promise<{ error?: JsonRpcAnswer['error']; result?: ToolAnswer }> {
    const answer = await this.request('tools/call', { name, ...(args === undefined ? {} : { arguments: args }) });
    return answer.error ? { error: answer.error } : { result: answer.result as unknown as ToolAnswer };
  }

  /** The text of a tool result that must not be an error. */
  async toolText(name: string, args?: unknown): Promise<{ text: string; structured: Record<string, unknown> }> {
    const { error, result } = await this.callTool(name, args);
    if (error || !result || result.isError) throw new Error(`${name} failed: ${JSON.stringify(error ?? result)}`);
    return { text: result.content.map((part) => part.text).join('\n'), structured: result.structuredContent ?? {} };
  }

  async close(): Promise<void> {
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(timer);
  }
}
