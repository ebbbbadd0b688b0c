/**
 * The daemon's listening sockets: unix sockets in the home (0600 from their first moment) or, on
 * Windows, named pipes; and pm2-axon served over them behind the key handshake (shared/handshake.ts).
 * Corral owns the net.Server and hands pm2-axon each connection once its peer has proved itself, so
 * pm2-axon never sees a byte from a stranger, and never parses an address (it would rewrite a pipe's).
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import type { AxonSocket } from 'pm2-axon';
import { acceptHandshake } from '../shared/handshake';
import { isPipeAddress } from '../shared/platform/addresses';

/**
 * Listens on `address`, a socket file 0600 from its first moment (or a pipe). A socket file left there is
 * removed first (the caller holds the home's lock, so it is stale), unless `replaceStale` is false: then
 * the name being in use is the caller's EADDRINUSE to handle.
 */
export function listenOwnerOnly(server: net.Server, address: string, { replaceStale = true } = {}): Promise<void> {
  const file = !isPipeAddress(address);
  if (file && replaceStale) fs.rmSync(address, { force: true });
  return new Promise((resolve, reject) => {
    const previous = file ? process.umask(0o077) : undefined; // the socket file is created 0600, never briefly wider
    const done = (error?: Error): void => {
      if (previous !== undefined) process.umask(previous);
      server.off('error', done);
      if (error) return reject(error);
      if (file) fs.chmodSync(address, 0o600);
      resolve();
    };
    server.once('error', done);
    server.listen(address, () => done());
  });
}

interface AxonServerSide {
  type: string;
  server?: net.Server;
  onconnect(connection: net.Socket): void;
}

/** Serves `socket` (rep or pub) on `address`; a connection reaches it only after the handshake with `key`. */
export async function serveAxon(socket: AxonSocket, address: string, key: string, log: (message: string) => void): Promise<void> {
  const axon = socket as unknown as AxonServerSide;
  let reported = 0;
  const server = net.createServer((connection) => {
    connection.on('error', () => undefined);
    acceptHandshake(connection, key, () => axon.onconnect(connection)).catch((error: Error) => {
      // A probe that connects and leaves is no news; a peer with the wrong key is (a stale client, or a stranger).
      if (error.message.startsWith('did not prove') && reported++ < 5) log(`${address}: dropped a connection that ${error.message}`);
      connection.destroy();
    });
  });
  server.on('error', (error) => log(`${address}: ${error.message}`));
  axon.type = 'server';
  axon.server = server; // pm2-axon's close() closes it
  await listenOwnerOnly(server, address);
}
