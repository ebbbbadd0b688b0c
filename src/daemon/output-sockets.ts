/**
 * The daemon end of cluster workers' stdout and stderr: a unix socket in the owner-only home (a pipe
 * of an unguessable name on Windows). A
 * primary connects once per stream, sends the one-time token the daemon gave it with the fork
 * request, waits for the daemon's one-byte answer, then hands the connection to the worker as its
 * stdout or stderr. The worker's output then reaches the daemon without another copy, per instance
 * and per stream, and a daemon that stops reading (a full log disk) blocks the worker's writes as a
 * pipe would.
 */
import { randomBytes } from 'node:crypto';
import * as net from 'node:net';
import { PassThrough, type Readable } from 'node:stream';
import { listenOwnerOnly } from './daemon-sockets';
import { OUTPUT_ACCEPTED, OUTPUT_TOKEN_LENGTH } from '../shared/container-protocol';

/** A connection that has not named a token by then is closed. */
const TOKEN_WAIT_MS = 5000;

export interface ExpectedOutput {
  token: string;
  /** What the connection that presents the token carries; ends with it. */
  stream: Readable;
  /** No connection will come (the worker never started): end the stream if it has none yet. */
  cancel(): void;
}

export class OutputSockets {
  private readonly pending = new Map<string, PassThrough>();
  private readonly server = net.createServer((socket) => this.accept(socket));

  constructor(readonly file: string) {
    this.server.on('error', () => undefined);
  }

  listen(): Promise<void> {
    return listenOwnerOnly(this.server, this.file);
  }

  expect(): ExpectedOutput {
    const token = randomBytes(OUTPUT_TOKEN_LENGTH / 2).toString('hex');
    const stream = new PassThrough();
    this.pending.set(token, stream);
    return {
      token,
      stream,
      cancel: () => {
        if (this.pending.delete(token)) stream.end();
      },
    };
  }

  private accept(socket: net.Socket): void {
    socket.on('error', () => undefined);
    socket.setTimeout(TOKEN_WAIT_MS, () => socket.destroy());
    const onReadable = (): void => {
      const token = socket.read(OUTPUT_TOKEN_LENGTH) as Buffer | null;
      if (token === null) return;
      socket.off('readable', onReadable);
      socket.setTimeout(0);
      const key = token.toString('latin1');
      const stream = this.pending.get(key);
      if (!stream) {
        socket.destroy();
        return;
      }
      this.pending.delete(key);
      socket.write(Buffer.from([OUTPUT_ACCEPTED]));
      // pipe() carries backpressure: a paused reader pauses the socket, and the worker's writes wait.
      socket.pipe(stream);
      socket.once('close', () => stream.end()); // also after a reset, which pipe() does not pass on
    };
    socket.on('readable', onReadable);
  }

  /** Stops accepting; connections already carrying output stay until their workers end. */
  close(): void {
    for (const stream of this.pending.values()) stream.end();
    this.pending.clear();
    this.server.close();
  }
}
