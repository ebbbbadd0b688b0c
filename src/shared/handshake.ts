/**
 * Both ends of a connection to the daemon prove they know the daemon's key before a single frame
 * crosses (rpc and pub). On POSIX the sockets are 0600 in an owner-only home, so this only adds a
 * second wall. On Windows it is the wall: a named pipe made through Node gets the default security
 * descriptor, which lets Everyone open it for reading (a reader would get every event and log line
 * the daemon publishes), and pipe names live in one machine-wide namespace, so another user can
 * create ours before our daemon does (a client would then send it start requests, env included).
 * Neither can happen to a peer that has to answer with the key: a read-only opener cannot send its
 * proof, and a squatter cannot compute the daemon's. The key is in `<home>/daemon.key`, new for every
 * daemon, readable by the owner alone (the home is).
 *
 * Client: `corral-auth 1 <nonce> <HMAC(key, "client " + nonce)>\n`. Daemon: `ok <HMAC(key, "server " +
 * nonce)>\n`, else it closes. A fresh nonce per connection, so neither answer can be replayed into
 * another; the peers read each other's bytes only (a unix socket, one pipe instance per client).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Socket } from 'node:net';

const CLIENT_PREFIX = 'corral-auth 1 ';
/** Longer than any hello a client sends: more bytes without a newline is not one of ours. */
const MAX_LINE_BYTES = 256;
export const HANDSHAKE_TIMEOUT_MS = 5000;

const mac = (key: string, role: 'client' | 'server', nonce: string): string => createHmac('sha256', key).update(`${role} ${nonce}`).digest('hex');

function sameHex(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

/**
 * Reads one line from `socket`, then gives back whatever followed it (the peer's first frame may come
 * in the same chunk) and leaves the socket paused, for the reader that takes over.
 */
function readLine(socket: Socket, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const done = (error: Error | null, line?: string): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.off('error', onClose);
      if (error) reject(error);
      else resolve(line as string);
    };
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf(0x0a);
      if (end < 0) {
        if (buffered.length > MAX_LINE_BYTES) done(new Error('sent no handshake'));
        return;
      }
      socket.pause();
      const rest = buffered.subarray(end + 1);
      if (rest.length > 0) socket.unshift(rest);
      done(null, buffered.subarray(0, end).toString('latin1'));
    };
    const onClose = (): void => done(new Error('closed during the handshake'));
    const timer = setTimeout(() => done(new Error(`sent no handshake within ${timeoutMs} ms`)), timeoutMs);
    socket.on('data', onData);
    socket.once('close', onClose);
    socket.once('error', onClose);
  });
}

/**
 * The daemon's side: once the peer has proved it knows `key`, `admit` takes the socket over and then
 * our proof goes out, in the same turn (so a subscriber that has our answer misses no event); rejects,
 * saying why, otherwise.
 */
export async function acceptHandshake(socket: Socket, key: string, admit: () => void, timeoutMs = HANDSHAKE_TIMEOUT_MS): Promise<void> {
  const line = await readLine(socket, timeoutMs);
  const [nonce, proof] = line.startsWith(CLIENT_PREFIX) ? line.slice(CLIENT_PREFIX.length).split(' ') : [];
  if (!nonce || !/^[0-9a-f]{32}$/.test(nonce) || !proof || !sameHex(proof, mac(key, 'client', nonce))) {
    throw new Error('did not prove it knows the daemon key');
  }
  if (socket.destroyed) throw new Error('closed during the handshake');
  admit();
  socket.write(`ok ${mac(key, 'server', nonce)}\n`);
}

/** The client's side, on a connected socket: resolves once the daemon has proved it knows `key`. */
export async function offerHandshake(socket: Socket, key: string, timeoutMs = HANDSHAKE_TIMEOUT_MS): Promise<void> {
  const nonce = randomBytes(16).toString('hex');
  socket.write(`${CLIENT_PREFIX}${nonce} ${mac(key, 'client', nonce)}\n`);
  const line = await readLine(socket, timeoutMs);
  if (!line.startsWith('ok ') || !sameHex(line.slice(3), mac(key, 'server', nonce))) {
    throw new Error('the other end did not prove it is this home\u2019s daemon (it answered without the daemon key)');
  }
}

/** A new key for a daemon's lifetime. */
export function newDaemonKey(): string {
  return randomBytes(32).toString('hex');
}
