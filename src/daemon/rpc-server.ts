/**
 * The RPC surface: one handler per protocol method, called only with params that passed the
 * method's schema (wire-params.ts). Every reply is a Reply envelope, so an error's code reaches the
 * client (pm2-axon-rpc itself keeps only a message).
 */
import { Server } from 'pm2-axon-rpc';
import type { Socket as NetSocket } from 'node:net';
import type { AxonSocket } from 'pm2-axon';
import { CorralError, toWireError } from '../shared/errors';
import { checkParams } from './wire-params';
import { METHOD_NAMES, type MethodName, type Params, type Reply, type Result } from '../shared/protocol';

export type Handlers = { [M in MethodName]: (params: Params<M>) => Promise<Result<M>> | Result<M> };

/**
 * The largest frame a client may send: a `start` of 1,000 apps with their env fits many times over.
 * pm2-axon buffers a frame until it is complete, so without a cap one 100 MB frame would cost the
 * daemon its memory for good.
 */
export const MAX_FRAME_BYTES = 32 * 1024 * 1024;

/**
 * Follows amp's framing (pm2-axon's wire format: a meta byte whose low nibble is the number of
 * arguments, then per argument a 32-bit big-endian length and the bytes) just far enough to know
 * each frame's size from its length fields, before the bytes arrive. Returns false once a frame
 * declares more than `maxBytes`.
 */
export function frameSizeGuard(maxBytes: number): (chunk: Buffer) => boolean {
  let args = 0; // arguments left in the current frame; 0: the next byte is a meta byte
  let lengthBytes = 0; // bytes of the current length field read so far
  let length = 0;
  let remaining = 0; // bytes of the current argument still to come
  let frameBytes = 0;
  return (chunk) => {
    let i = 0;
    while (i < chunk.length) {
      if (remaining > 0) {
        const take = Math.min(remaining, chunk.length - i);
        remaining -= take;
        i += take;
        if (remaining === 0) args--;
      } else if (args === 0) {
        args = chunk[i++] & 0xf;
        frameBytes = 0;
      } else {
        length = lengthBytes === 0 ? chunk[i++] : length * 256 + chunk[i++];
        if (++lengthBytes < 4) continue;
        lengthBytes = 0;
        frameBytes += length;
        if (frameBytes > maxBytes) return false;
        remaining = length;
        if (remaining === 0) args--;
      }
    }
    return true;
  };
}

/**
 * Limits what one connection can make the daemon do, on any pm2-axon server socket (rpc and pub):
 * a frame that does not decode (garbage, truncated JSON, args that are not a list) costs its sender
 * the connection, not the daemon an uncaught exception (pm2-axon decodes inside a stream callback,
 * so the guard goes around its per-connection message handler), and so does a frame that declares
 * more than `maxFrameBytes` (dropped as soon as its length field arrives, before it is buffered).
 */
export function guardConnections(socket: AxonSocket, log: (message: string) => void, maxFrameBytes = MAX_FRAME_BYTES): void {
  const guarded = socket as unknown as { onmessage(sock: NetSocket): (...args: unknown[]) => void; addSocket(sock: NetSocket): void };
  let reported = 0;
  // A hostile client could send thousands: log the first few, drop every such connection.
  const drop = (sock: NetSocket, why: string): void => {
    if (reported++ < 5) log(`rpc: dropped a connection that ${why}`);
    sock.destroy();
  };
  const onmessage = guarded.onmessage.bind(socket);
  guarded.onmessage = (sock: NetSocket) => {
    const handle = onmessage(sock);
    return (...args: unknown[]) => {
      try {
        handle(...args);
      } catch (error) {
        drop(sock, `sent an undecodable frame (${(error as Error).message})`);
      }
    };
  };
  const addSocket = guarded.addSocket.bind(socket);
  guarded.addSocket = (sock: NetSocket) => {
    const withinLimit = frameSizeGuard(maxFrameBytes);
    // Ahead of pm2-axon's reader: the chunk that declares too large a frame is the last one it gets.
    sock.prependListener('data', (chunk: Buffer) => {
      if (!sock.destroyed && !withinLimit(chunk)) drop(sock, `sent a frame of more than ${maxFrameBytes} bytes`);
    });
    addSocket(sock);
  };
}

export function serveRpc(socket: AxonSocket, handlers: Handlers, log: (message: string) => void): void {
  guardConnections(socket, log);
  const server = new Server(socket);
  for (const method of METHOD_NAMES) {
    server.expose(method, (...args: unknown[]) => {
      const reply = args[args.length - 1];
      if (typeof reply !== 'function') return;
      const params = args.length > 1 ? args[0] : {};
      const respond = (envelope: Reply<unknown>): void => {
        try {
          reply(null, envelope);
        } catch (error) {
          log(`rpc ${method}: cannot send reply: ${(error as Error).message}`);
        }
      };
      const handler = handlers[method] as (params: unknown) => unknown;
      Promise.resolve()
        .then(() => handler(checkParams(method, params)))
        .then(
          (result) => respond({ ok: true, result }),
          (error: unknown) => {
            if (!(error instanceof CorralError)) log(`rpc ${method} failed: ${(error as Error)?.stack ?? String(error)}`);
            respond({ ok: false, error: toWireError(error) });
          },
        );
    });
  }
}
