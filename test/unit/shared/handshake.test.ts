import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { acceptHandshake, newDaemonKey, offerHandshake } from '../../../src/shared/handshake';
import { readDaemonKey, writeDaemonKey } from '../../../src/shared/daemon-key';

/** A daemon-side end on a real unix socket: runs the handshake on each connection, then collects what follows. */
async function server(
  key: string,
): Promise<{ address: string; admitted: Array<{ socket: net.Socket; data: Promise<string> }>; refused: Error[]; close(): void }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'corral-hs-'));
  const address = path.join(dir, 's.sock');
  const admitted: Array<{ socket: net.Socket; data: Promise<string> }> = [];
  const refused: Error[] = [];
  const listener = net.createServer((socket) => {
    socket.on('error', () => undefined);
    acceptHandshake(
      socket,
      key,
      () => {
        const data = new Promise<string>((resolve) => {
          let text = '';
          socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
          socket.on('end', () => resolve(text));
        });
        socket.resume();
        admitted.push({ socket, data });
      },
      500,
    ).catch((error: Error) => {
      refused.push(error);
      socket.destroy();
    });
  });
  await new Promise<void>((resolve) => listener.listen(address, resolve));
  return {
    address,
    admitted,
    refused,
    close: () => {
      listener.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

const connect = (address: string): Promise<net.Socket> =>
  new Promise((resolve, reject) => {
    const socket = net.createConnection(address, () => resolve(socket));
    socket.once('error', reject);
  });

describe('the connection handshake', () => {
  it('admits a client with the key, and both ends keep the bytes that came with the hello', async () => {
    const key = newDaemonKey();
    const daemon = await server(key);
    try {
      const socket = await connect(daemon.address);
      await offerHandshake(socket, key);
      socket.end('first frame');
      assert.equal(daemon.admitted.length, 1);
      assert.equal(await daemon.admitted[0].data, 'first frame');
    } finally {
      daemon.close();
    }
  });

  it('a client with another key is refused before it is admitted', async () => {
    const daemon = await server(newDaemonKey());
    try {
      const socket = await connect(daemon.address);
      await assert.rejects(offerHandshake(socket, newDaemonKey(), 1000), /closed during the handshake/);
      assert.equal(daemon.admitted.length, 0);
      assert.match(daemon.refused[0].message, /did not prove it knows the daemon key/);
    } finally {
      daemon.close();
    }
  });

  it('a peer that says nothing, or too much without a newline, is dropped', async () => {
    const daemon = await server(newDaemonKey());
    try {
      const silent = await connect(daemon.address);
      const chatty = await connect(daemon.address);
      chatty.on('error', () => undefined);
      chatty.write(Buffer.alloc(300, 'x'));
      const closed = (socket: net.Socket): Promise<void> => new Promise((resolve) => socket.once('close', () => resolve()));
      await Promise.all([closed(silent), closed(chatty)]);
      assert.deepEqual(daemon.refused.map((error) => error.message).sort(), ['sent no handshake', 'sent no handshake within 500 ms']);
      assert.equal(daemon.admitted.length, 0);
    } finally {
      daemon.close();
    }
  });

  it('a server that answers without the key is not trusted, and gets nothing but the hello', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'corral-hs-'));
    const address = path.join(dir, 'squat.sock');
    let heard = '';
    const squatter = net.createServer((socket) => {
      socket.on('data', (chunk: Buffer) => {
        heard += chunk.toString();
        socket.write(`ok ${'0'.repeat(64)}\n`);
      });
    });
    await new Promise<void>((resolve) => squatter.listen(address, resolve));
    try {
      const socket = await connect(address);
      await assert.rejects(offerHandshake(socket, newDaemonKey()), /did not prove it is this home.s daemon/);
      socket.destroy();
      assert.match(heard, /^corral-auth 1 [0-9a-f]{32} [0-9a-f]{64}\n$/);
    } finally {
      squatter.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a proof is good for its own nonce only: replaying a hello seen once does not admit', async () => {
    const key = newDaemonKey();
    const daemon = await server(key);
    try {
      // Record what an honest client sends, then send its bytes again on a new connection with a flipped nonce digit.
      const honest = await connect(daemon.address);
      const sent: Buffer[] = [];
      const write = honest.write.bind(honest);
      honest.write = ((chunk: string | Buffer) => (sent.push(Buffer.from(chunk)), write(chunk))) as typeof honest.write;
      await offerHandshake(honest, key);
      honest.destroy();
      const hello = Buffer.concat(sent).toString('latin1');
      const forged = hello.replace(/^(corral-auth 1 )(.)/, (_, prefix: string, digit: string) => `${prefix}${digit === '0' ? '1' : '0'}`);
      const replay = await connect(daemon.address);
      replay.on('error', () => undefined);
      replay.write(forged);
      await new Promise((resolve) => replay.once('close', resolve));
      assert.equal(daemon.admitted.length, 1, 'only the honest client');
    } finally {
      daemon.close();
    }
  });

  it('the key file: owner-only, replaced in one piece, absent or malformed reads as none', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'corral-key-'));
    const file = path.join(dir, 'daemon.key');
    try {
      assert.equal(readDaemonKey(file), null);
      const first = writeDaemonKey(file);
      assert.equal(fs.statSync(file).mode & 0o777, 0o600);
      assert.equal(readDaemonKey(file), first);
      const second = writeDaemonKey(file);
      assert.notEqual(second, first);
      assert.equal(readDaemonKey(file), second);
      assert.deepEqual(fs.readdirSync(dir), ['daemon.key'], 'no temporary file left');
      fs.writeFileSync(file, 'not a key\n');
      assert.equal(readDaemonKey(file), null);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
