/**
 * pm2-axon's socket types, each loaded on its own: the package's index loads all eight of them, and a
 * CLI call that needs one `req` socket should not pay for the rest at every start.
 */
import { Socket, createConnection } from 'node:net';
import type { AxonSocket, SubEmitterSocket } from 'pm2-axon';
import { HANDSHAKE_TIMEOUT_MS, offerHandshake } from './handshake';

/* eslint-disable @typescript-eslint/no-require-imports */
export const reqSocket = (): AxonSocket => new (require('pm2-axon/lib/sockets/req') as new () => AxonSocket)();
export const repSocket = (): AxonSocket => new (require('pm2-axon/lib/sockets/rep') as new () => AxonSocket)();
export const pubSocket = (): AxonSocket => new (require('pm2-axon/lib/sockets/pub') as new () => AxonSocket)();
export const subEmitterSocket = (): SubEmitterSocket => new (require('pm2-axon/lib/sockets/sub-emitter') as new () => SubEmitterSocket)();
/* eslint-enable @typescript-eslint/no-require-imports */

interface AxonClientSide {
  type: string;
  connected: boolean;
  addSocket(connection: Socket): void;
  removeSocket(connection: Socket): void;
  handleErrors(connection: Socket): void;
  emit(event: string): boolean;
}

/**
 * Connects `socket` (req or sub) to the daemon at `address` and hands it the connection once the
 * daemon has proved it knows `key` (handshake.ts): nothing is sent to a peer that has not. Never
 * reconnects: a lost daemon is reported (`close`), not silently replaced.
 */
export function connectAxon(socket: AxonSocket, address: string, key: string, timeoutMs = HANDSHAKE_TIMEOUT_MS): Promise<void> {
  return new Promise((resolve, reject) => {
    const connection = createConnection(address);
    const fail = (error: Error): void => {
      clearTimeout(timer);
      connection.destroy();
      reject(error);
    };
    const timer = setTimeout(() => fail(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    connection.once('error', fail);
    connection.once('connect', () => {
      offerHandshake(connection, key, timeoutMs).then(() => {
        clearTimeout(timer);
        connection.off('error', fail);
        const axon = socket as unknown as AxonClientSide;
        axon.type = 'client';
        axon.handleErrors(connection);
        connection.on('close', () => {
          axon.connected = false;
          axon.removeSocket(connection);
          axon.emit('close');
        });
        axon.connected = true;
        axon.addSocket(connection);
        axon.emit('connect');
        resolve();
      }, fail);
    });
  });
}
