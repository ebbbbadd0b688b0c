/** A debugger for tests: a Chrome DevTools Protocol session over an inspector's WebSocket (ws). */
import WebSocket from 'ws';

export class CdpSession {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  /** Events (Debugger.paused, ...) kept until a test asks for them, in order. */
  private readonly events: Array<{ method: string; params: unknown }> = [];
  private eventWaiters: Array<{ method: string; resolve: (params: unknown) => void }> = [];

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as { id?: number; method?: string; params?: unknown; result?: unknown; error?: { message: string } };
      if (message.id === undefined && message.method) {
        const waiter = this.eventWaiters.find((candidate) => candidate.method === message.method);
        if (waiter) {
          this.eventWaiters = this.eventWaiters.filter((candidate) => candidate !== waiter);
          waiter.resolve(message.params);
        } else this.events.push({ method: message.method, params: message.params });
        return;
      }
      const waiter = message.id === undefined ? undefined : this.pending.get(message.id);
      if (!waiter) return;
      this.pending.delete(message.id as number);
      if (message.error) waiter.reject(new Error(message.error.message));
      else waiter.resolve(message.result);
    });
    socket.on('close', () => {
      for (const waiter of this.pending.values()) waiter.reject(new Error('the inspector closed the connection'));
      this.pending.clear();
    });
  }

  static connect(url: string): Promise<CdpSession> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: 5000 });
      socket.once('open', () => resolve(new CdpSession(socket)));
      socket.once('error', reject);
    });
  }

  call(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.socket.send(JSON.stringify({ id, method, params }));
    });
  }

  /** The next `method` event not taken yet (one that came already, or the next to come); rejects after `timeoutMs`. */
  event<T = unknown>(method: string, timeoutMs = 20_000): Promise<T> {
    const index = this.events.findIndex((event) => event.method === method);
    if (index >= 0) return Promise.resolve(this.events.splice(index, 1)[0].params as T);
    return new Promise<T>((resolve, reject) => {
      const waiter = {
        method,
        resolve: (params: unknown) => {
          clearTimeout(timer);
          resolve(params as T);
        },
      };
      const timer = setTimeout(() => {
        this.eventWaiters = this.eventWaiters.filter((candidate) => candidate !== waiter);
        reject(new Error(`no ${method} event within ${timeoutMs} ms`));
      }, timeoutMs);
      this.eventWaiters.push(waiter);
    });
  }

  /** Every `method` event kept so far (none a test took with event()). */
  received<T = unknown>(method: string): T[] {
    return this.events.filter((event) => event.method === method).map((event) => event.params as T);
  }

  close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.close();
    });
  }
}
