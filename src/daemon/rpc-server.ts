/**
 * The RPC surface: one handler per protocol method, each checking its own params. Every reply is a
 * Reply envelope, so an error's code reaches the client (pm2-axon-rpc itself keeps only a message).
 */
import { Server } from 'pm2-axon-rpc';
import type { Socket as NetSocket } from 'node:net';
import type { AxonSocket } from 'pm2-axon';
import { CorralError, ErrorCode, toWireError } from '../shared/errors';
import { METHOD_NAMES, type MethodName, type Params, type Reply, type Result } from '../shared/protocol';

export type Handlers = { [M in MethodName]: (params: Params<M>) => Promise<Result<M>> | Result<M> };

/**
 * A frame that does not decode (garbage, truncated JSON, args that are not a list) must cost its
 * sender the connection, not the daemon an uncaught exception: pm2-axon decodes inside a stream
 * callback, so the guard goes around its per-connection message handler.
 */
function guardFrames(socket: AxonSocket, log: (message: string) => void): void {
  const guarded = socket as unknown as { onmessage(sock: NetSocket): (buffer: Buffer) => void };
  const original = guarded.onmessage.bind(socket);
  let reported = 0;
  guarded.onmessage = (sock: NetSocket) => {
    const handle = original(sock);
    return (buffer: Buffer) => {
      try {
        handle(buffer);
      } catch (error) {
        // A hostile client could send thousands: log the first few, drop every such connection.
        if (reported++ < 5) log(`rpc: dropped a connection that sent an undecodable frame (${(error as Error).message})`);
        sock.destroy();
      }
    };
  };
}

export function serveRpc(socket: AxonSocket, handlers: Handlers, log: (message: string) => void): void {
  guardFrames(socket, log);
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
      if (params === null || typeof params !== 'object' || Array.isArray(params)) {
        respond({ ok: false, error: toWireError(new CorralError(ErrorCode.BadArgument, `${method}: expected an object of parameters`)) });
        return;
      }
      const handler = handlers[method] as (params: unknown) => unknown;
      Promise.resolve()
        .then(() => handler(params))
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
