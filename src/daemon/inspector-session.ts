/**
 * Just enough of a Chrome DevTools Protocol client to talk to a Node inspector for a moment: a
 * WebSocket (RFC 6455) over node:http's upgrade, text frames, calls matched to replies by id.
 * Node 20 (our floor) has no WebSocket client without a flag, and the daemon takes no dependency
 * for one request; this needs no extensions, fragments only what it must, and caps what it buffers.
 */
import { createHash, randomBytes } from 'node:crypto';
import * as http from 'node:http';
import type { Socket } from 'node:net';
import { CorralError, ErrorCode } from '../shared/errors';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** Replies to our calls are small; anything bigger is not what we asked for. */
const MAX_MESSAGE_BYTES = 1024 * 1024;
const OPCODE = { continuation: 0x0, text: 0x1, close: 0x8, ping: 0x9, pong: 0xa } as const;

function frame(opcode: number, payload: Buffer): Buffer {
  // Client frames are always masked (RFC 6455 5.3).
  const mask = randomBytes(4);
  const length = payload.length;
  const header = length < 126 ? Buffer.alloc(2) : length < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
  header[0] = 0x80 | opcode;
  if (length < 126) header[1] = 0x80 | length;
  else if (length < 65536) {
    header[1] = 0x80 | 126;
    header.writeUInt16BE(length, 2);
  } else {
    header[1] = 0x80 | 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  const masked = Buffer.alloc(length);
  for (let i = 0; i < length; i++) masked[i] = payload[i] ^ mask[i % 4];
  return Buffer.concat([header, mask, masked]);
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export class InspectorSession {
  private buffer: Buffer = Buffer.alloc(0);
  private fragments: Buffer[] = [];
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private ended = false;
  /** Resolves when the connection is gone, whoever closed it. */
  readonly closed: Promise<void>;

  private constructor(private readonly socket: Socket, head: Buffer) {
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('close', () => this.end(new CorralError(ErrorCode.DaemonUnavailable, 'the inspector closed the connection')));
    socket.on('error', () => undefined); // 'close' follows
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    if (head.length > 0) this.receive(head);
  }

  /** Opens a session on an inspector's ws:// URL (as printed after "Debugger listening on"). */
  static connect(url: string, timeoutMs = 3000): Promise<InspectorSession> {
    const { hostname, port, pathname, protocol } = new URL(url);
    if (protocol !== 'ws:') return Promise.reject(new CorralError(ErrorCode.BadArgument, `not an inspector URL: ${url}`));
    const key = randomBytes(16).toString('base64');
    return new Promise((resolve, reject) => {
      const request = http.get({
        host: hostname.replace(/^\[|\]$/g, ''),
        port: Number(port),
        path: pathname,
        agent: false,
        timeout: timeoutMs,
        headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': key },
      });
      request.on('upgrade', (response, socket, head) => {
        const expected = createHash('sha1').update(key + GUID).digest('base64');
        if (response.headers['sec-websocket-accept'] !== expected) {
          socket.destroy();
          reject(new CorralError(ErrorCode.Internal, 'the inspector answered the WebSocket handshake wrongly'));
          return;
        }
        resolve(new InspectorSession(socket, head));
      });
      request.on('response', (response) => {
        response.resume();
        reject(new CorralError(ErrorCode.Internal, `the inspector refused the session (HTTP ${response.statusCode})`));
      });
      request.on('timeout', () => request.destroy(new CorralError(ErrorCode.Timeout, 'the inspector did not answer')));
      request.on('error', reject);
    });
  }

  /** One CDP call; resolves with its result, rejects with its error or when the session ends first. */
  call(method: string, params: Record<string, unknown> = {}, timeoutMs = 3000): Promise<unknown> {
    if (this.ended) return Promise.reject(new CorralError(ErrorCode.DaemonUnavailable, 'the inspector session is closed'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new CorralError(ErrorCode.Timeout, `the inspector did not answer ${method}`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.socket.write(frame(OPCODE.text, Buffer.from(JSON.stringify({ id, method, params }))));
    });
  }

  /** Closes the session (a close frame, then the socket). Idempotent. */
  close(): Promise<void> {
    if (!this.socket.destroyed) {
      this.socket.end(frame(OPCODE.close, Buffer.alloc(0)));
      // The inspector answers with its own close; a socket left half open is ended for good.
      setTimeout(() => this.socket.destroy(), 1000).unref();
    }
    return this.closed;
  }

  private end(error: Error): void {
    if (this.ended) return;
    this.ended = true;
    for (const { reject, timer } of this.pending.values()) {
      clearTimeout(timer);
      reject(error);
    }
    this.pending.clear();
  }

  private receive(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    for (;;) {
      if (this.buffer.length < 2) return;
      const opcode = this.buffer[0] & 0x0f;
      const fin = (this.buffer[0] & 0x80) !== 0;
      const masked = (this.buffer[1] & 0x80) !== 0;
      let length = this.buffer[1] & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (this.buffer.length < 4) return;
        length = this.buffer.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (this.buffer.length < 10) return;
        const long = this.buffer.readBigUInt64BE(2);
        length = long > BigInt(MAX_MESSAGE_BYTES) ? MAX_MESSAGE_BYTES + 1 : Number(long);
        offset = 10;
      }
      if (length > MAX_MESSAGE_BYTES) {
        this.socket.destroy();
        return;
      }
      const maskOffset = offset;
      if (masked) offset += 4;
      if (this.buffer.length < offset + length) return;
      const payload = Buffer.from(this.buffer.subarray(offset, offset + length));
      if (masked) for (let i = 0; i < payload.length; i++) payload[i] ^= this.buffer[maskOffset + (i % 4)];
      this.buffer = this.buffer.subarray(offset + length);
      this.onFrame(opcode, fin, payload);
    }
  }

  private onFrame(opcode: number, fin: boolean, payload: Buffer): void {
    if (opcode === OPCODE.ping) return void this.socket.write(frame(OPCODE.pong, payload));
    if (opcode === OPCODE.close) return void this.close();
    if (opcode !== OPCODE.text && opcode !== OPCODE.continuation) return;
    this.fragments.push(payload);
    if (this.fragments.reduce((total, part) => total + part.length, 0) > MAX_MESSAGE_BYTES) return void this.socket.destroy();
    if (!fin) return;
    const text = Buffer.concat(this.fragments).toString('utf8');
    this.fragments = [];
    let message: { id?: number; result?: unknown; error?: { message?: string } };
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    const pending = typeof message.id === 'number' ? this.pending.get(message.id) : undefined;
    if (!pending) return; // an event: we enable no domain, so none is expected
    this.pending.delete(message.id as number);
    clearTimeout(pending.timer);
    if (message.error) pending.reject(new CorralError(ErrorCode.Internal, `inspector: ${String(message.error.message ?? 'error')}`));
    else pending.resolve(message.result);
  }
}
