/**
 * Runs inside a cluster worker: loads the user's entry as the main module (CommonJS or ESM, with
 * the app's node_args already applied to this process), and drains HTTP servers on request so a
 * reload never drops a request.
 *
 * argv: [node, container.js, <entry>, ...app args]  ->  the app sees [node, <entry>, ...app args]
 */
import * as http from 'node:http';
import * as https from 'node:https';
import Module from 'node:module';
import * as net from 'node:net';
import { CONTAINER_MESSAGES, isContainerMessage } from '../shared/container-protocol';

const entry = process.argv[2];
if (!entry) {
  process.stderr.write('corral container: no entry given\n');
  process.exit(1);
}

// Every server the app listens on, and every HTTP connection, so a drain can wait for them.
const servers = new Set<net.Server>();
const connections = new Set<net.Socket>();
const busy = new WeakSet<net.Socket>();
let draining = false;

const originalListen = net.Server.prototype.listen;
net.Server.prototype.listen = function (this: net.Server, ...args: unknown[]) {
  servers.add(this);
  if (this instanceof http.Server || this instanceof https.Server) trackHttp(this);
  return (originalListen as (...a: unknown[]) => net.Server).apply(this, args);
} as typeof net.Server.prototype.listen;

const tracked = new WeakSet<net.Server>();
function trackHttp(server: http.Server): void {
  if (tracked.has(server)) return;
  tracked.add(server);
  server.on('connection', (socket: net.Socket) => {
    connections.add(socket);
    socket.once('close', () => {
      connections.delete(socket);
      if (draining) checkDrained();
    });
  });
  // Prepended: this runs before the app's handler, which may answer synchronously.
  server.prependListener('request', (request: http.IncomingMessage, response: http.ServerResponse) => {
    const socket = request.socket;
    busy.add(socket);
    // While draining, every response closes its connection, so keep-alive clients move on cleanly.
    if (draining) response.setHeader('Connection', 'close');
    response.once('finish', () => {
      busy.delete(socket);
      if (draining) closeIfIdle(socket);
    });
  });
}

/**
 * An idle keep-alive socket is closed only after this long without a request: a client that reuses it
 * sooner gets its answer (with Connection: close). Closing sooner races clients sending on it.
 */
const IDLE_GRACE_MS = 1000;
const lastActive = new WeakMap<net.Socket, number>();
function closeIfIdle(socket: net.Socket): void {
  lastActive.set(socket, Date.now());
  setTimeout(() => {
    if (!busy.has(socket) && Date.now() - (lastActive.get(socket) ?? 0) >= IDLE_GRACE_MS) socket.end();
  }, IDLE_GRACE_MS).unref();
}

let flushed = false;
let drainedSent = false;
function checkDrained(): void {
  if (drainedSent || !flushed || connections.size > 0) return;
  drainedSent = true;
  process.send?.({ type: CONTAINER_MESSAGES.drained });
}

function drain(): void {
  if (draining) return;
  draining = true;
  // net.Server's close, not http.Server's: the latter also drops idle keep-alive sockets at once,
  // racing clients that are sending their next request on them. Idle ones get a grace period instead.
  for (const server of servers) net.Server.prototype.close.call(server);
  for (const socket of connections) if (!busy.has(socket)) closeIfIdle(socket);
  // Connections the primary handed over before it saw the close may still be on their way here.
  process.send?.({ type: CONTAINER_MESSAGES.closed });
}

process.on('message', (message: unknown) => {
  if (!isContainerMessage(message)) return;
  if (message.type === CONTAINER_MESSAGES.drain) drain();
  else if (message.type === CONTAINER_MESSAGES.flush) {
    flushed = true;
    checkDrained();
  }
});

// The app sees itself as the main module, with its own argv.
process.argv.splice(1, 1);
(Module as unknown as { runMain(main?: string): void }).runMain(entry);
