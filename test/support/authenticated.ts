/** A raw connection to one of the daemon's sockets that has passed the key handshake, as a client's would. */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { offerHandshake } from '../../src/shared/handshake';

export function daemonKey(home: string): string {
  return fs.readFileSync(path.join(home, 'daemon.key'), 'latin1').trim();
}

export async function authenticatedConnection(home: string, socket: 'rpc.sock' | 'pub.sock'): Promise<net.Socket> {
  const connection = net.createConnection(path.join(home, socket));
  await new Promise<void>((resolve, reject) => {
    connection.once('connect', resolve);
    connection.once('error', reject);
  });
  await offerHandshake(connection, daemonKey(home));
  connection.resume();
  return connection;
}
