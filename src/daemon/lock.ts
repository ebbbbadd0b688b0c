/**
 * The single-daemon lock of a home: one mechanism for every POSIX system. No abstract socket (any
 * local user could take its name first), no /proc, no flock (Node has none).
 *
 * `<home>/lock` is a folder holding at most one entry, named after its holder's listening unix
 * socket `<home>/<entry>`:
 * - Take: listen on a socket of our own first, then rename() a private folder that holds our entry
 *   onto `lock`. rename() onto a folder succeeds only while that folder is empty or absent, and
 *   atomically, so exactly one contender wins, by whatever path (a symlink) it reached the home.
 * - Live or dead: connect to the entry's socket. A holder listens before its entry appears and until
 *   it dies, so a refused connection means the holder is gone (asked twice: a full backlog on macOS
 *   refuses too). Anything we cannot prove dead (slow, busy) counts as alive.
 * - Take over a dead entry: unlink it by name, then compete again. Names are random, so one
 *   contender removes a given dead entry and none removes a live one. A dead holder's socket is
 *   removed only after its entry, and a name is used only by whoever could bind its socket, so a
 *   name cannot come back while its stale entry exists; a newcomer drawing the very name a slow
 *   contender is about to unlink is a 1 in 36^7 coincidence, the one assumption here.
 * Only the owner can write in the home (src/shared/home.ts checks that first), so only the owner can
 * take or touch the lock. Every step is crash-safe: a SIGKILLed holder leaves a dead entry (taken
 * over as above); a contender killed mid-way leaves a private folder and socket no one looks at.
 *
 * Windows has no unix sockets to name in a folder, but its named pipes behave as Linux's abstract
 * sockets do: a name exists only while a live process listens on it, and a second listener on a
 * name in use fails. takePipeLock is that lock (its mechanism runs on Linux too, on an abstract name,
 * in the tests). Anyone may create a pipe, so another local user who took the name first would keep
 * our daemon from starting (it says which pid answers); they could not talk to it (handshake.ts).
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { LOCK_ENTRY_MAX_BYTES, type HomePaths } from '../shared/paths';
import { printable } from '../shared/printable';
import { lockPipeAddress } from '../shared/platform/addresses';
import { currentPlatform, isWindows } from '../shared/platform/platform';
import { listenOwnerOnly } from './daemon-sockets';

const NAME_CHARS = '0123456789abcdefghijklmnopqrstuvwxyz';
/** "." and random characters: hidden in the home, and within the socket path budget of paths.ts. */
const ENTRY = new RegExp(`^\\.[0-9a-z]{${LOCK_ENTRY_MAX_BYTES - 1}}$`);
const TAKE_TIMEOUT_MS = 10_000;

export interface HomeLock {
  /** Removes our entry and socket. Also runs on process exit; idempotent. */
  release(): void;
}

export type LockOutcome = { held: true; lock: HomeLock } | { held: false; holderPid: number | null };

function randomEntry(): string {
  return `.${[...randomBytes(LOCK_ENTRY_MAX_BYTES - 1)].map((byte) => NAME_CHARS[byte % NAME_CHARS.length]).join('')}`;
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException)?.code;
}

/** Listens on a fresh `<home>/<entry>` socket that answers every connection with our pid. */
async function listenOnOwnSocket(home: string): Promise<{ entry: string; server: net.Server }> {
  for (let attempt = 0; ; attempt++) {
    const entry = randomEntry();
    const server = net.createServer((socket) => {
      socket.on('error', () => undefined);
      socket.end(`${process.pid}\n`);
    });
    try {
      await listenOwnerOnly(server, path.join(home, entry), { replaceStale: false });
      server.on('error', () => undefined); // a listening lock has nothing to report; its clients' errors are theirs
      server.unref(); // the lock never keeps a process alive on its own
      return { entry, server };
    } catch (error) {
      // A name in use (a live contender's, or a dead one's socket not yet cleared): draw another.
      if (errorCode(error) !== 'EADDRINUSE' || attempt >= 5) throw error;
    }
  }
}

type Knock = { live: true; pid: number | null } | { live: false };

/** Connects to a holder's socket: its pid if it answers, dead only on proof (refused, missing). */
function knock(socketFile: string): Promise<Knock & { refused?: boolean }> {
  return new Promise((resolve) => {
    let answer = '';
    let settled = false;
    const socket = net.createConnection(socketFile);
    const finish = (result: Knock & { refused?: boolean }): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const said = (): Knock => ({ live: true, pid: /^\d{1,10}\n?$/.test(answer) ? Number(answer.trim()) : null });
    const timer = setTimeout(() => finish({ live: true, pid: null }), 1000);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      answer += chunk;
      if (answer.length > 16) finish({ live: true, pid: null });
    });
    socket.on('close', () => finish(said()));
    socket.on('error', (error) => {
      const code = errorCode(error);
      if (code === 'ECONNREFUSED' || code === 'ENOTSOCK') finish({ live: false, refused: true });
      else if (code === 'ENOENT') finish({ live: false });
      else finish({ live: true, pid: null }); // reset after connecting, EAGAIN, EACCES: not proof of death
    });
  });
}

async function knockTwice(socketFile: string): Promise<Knock> {
  const first = await knock(socketFile);
  if (first.live || !first.refused) return first;
  await new Promise((resolve) => setTimeout(resolve, 50));
  return knock(socketFile);
}

/**
 * Looks at the current entry: the holder when it is alive; otherwise takes the dead entry out (and
 * anything in `lock` that Corral does not make) and returns null, so the caller competes again.
 */
async function liveHolder(paths: HomePaths, log: (message: string) => void): Promise<Knock | null> {
  let entries: string[];
  try {
    entries = fs.readdirSync(paths.lockDir);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return null; // let go meanwhile
    throw error;
  }
  for (const entry of entries) {
    const where = path.join(paths.lockDir, entry);
    if (!ENTRY.test(entry)) {
      log(`removing ${printable(where)}: not a lock entry Corral makes`);
      fs.rmSync(where, { recursive: true, force: true });
      continue;
    }
    const holder = await knockTwice(path.join(paths.home, entry));
    if (holder.live) return holder;
    try {
      fs.unlinkSync(where);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') continue; // another contender took it over first, or its holder let go
      throw error;
    }
    // Its entry is gone, so no one else refers to this dead socket any more.
    fs.rmSync(path.join(paths.home, entry), { force: true });
    log(`took over the lock of a daemon that is gone (${entry})`);
  }
  return null;
}

function closeServer(server: net.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Takes the home's lock, or names the live holder. The home must have passed prepareHome. */
export async function takeLock(paths: HomePaths, log: (message: string) => void): Promise<LockOutcome> {
  if (isWindows(currentPlatform())) return takePipeLock(lockPipeAddress(paths.home));

  const { entry, server } = await listenOnOwnSocket(paths.home);
  const ownSocket = path.join(paths.home, entry);
  const staging = path.join(paths.home, `.lock-${entry.slice(1)}`);
  const abandon = async (): Promise<void> => {
    fs.rmSync(staging, { recursive: true, force: true });
    await closeServer(server);
    fs.rmSync(ownSocket, { force: true });
  };
  try {
    fs.mkdirSync(staging, { mode: 0o700 });
    fs.writeFileSync(path.join(staging, entry), '', { mode: 0o600, flag: 'wx' });
    const deadline = Date.now() + TAKE_TIMEOUT_MS;
    while (Date.now() < deadline) {
      try {
        fs.renameSync(staging, paths.lockDir);
        return { held: true, lock: holding(paths, entry, server) };
      } catch (error) {
        const code = errorCode(error);
        if (code === 'ENOTDIR') throw new Error(`${paths.lockDir} is not a folder: remove it (no daemon uses it)`);
        if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
      }
      const holder = await liveHolder(paths, log);
      if (holder?.live) {
        await abandon();
        return { held: false, holderPid: holder.pid };
      }
      // The entry was dead or just let go: compete again, after a breath so a spin cannot starve the winner.
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    throw new Error(`could not take the lock in ${paths.lockDir} within ${TAKE_TIMEOUT_MS / 1000} s`);
  } catch (error) {
    await abandon();
    throw error;
  }
}

/**
 * Listens on `address` (a named pipe; an abstract socket on Linux): held while we live. A name in use
 * is someone's who answers with their pid; one that vanished before we asked is tried again.
 */
export async function takePipeLock(address: string): Promise<LockOutcome> {
  for (let attempt = 0; ; attempt++) {
    const server = net.createServer((socket) => {
      socket.on('error', () => undefined);
      socket.end(`${process.pid}\n`);
    });
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(address, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      if (errorCode(error) !== 'EADDRINUSE') throw error;
      const holder = await knockTwice(address);
      if (holder.live) return { held: false, holderPid: holder.pid };
      if (attempt >= 20) throw new Error(`${address} is in use, but nothing answers on it`);
      continue;
    }
    server.on('error', () => undefined);
    server.unref();
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      process.off('exit', release);
      server.close();
    };
    process.once('exit', release);
    return { held: true, lock: { release } };
  }
}

function holding(paths: HomePaths, entry: string, server: net.Server): HomeLock {
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    process.off('exit', release);
    // The entry first: a socket without an entry is never looked at, an entry without a socket is dead.
    for (const file of [path.join(paths.lockDir, entry), path.join(paths.home, entry)]) fs.rmSync(file, { force: true });
    server.close();
  };
  process.once('exit', release);
  return { release };
}
