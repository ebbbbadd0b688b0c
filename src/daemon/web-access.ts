/**
 * Who may read the HTTP API: on loopback, only requests that name a loopback host (a DNS-rebinding
 * page reaches 127.0.0.1 under its own name, and that name is all that tells it apart); elsewhere,
 * the bearer token from a file nobody else can have written or read.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import * as fs from 'node:fs';

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || isLoopbackV4(host);
}

function isLoopbackV4(host: string): boolean {
  const octets = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  return octets !== null && octets.slice(1).every((octet) => Number(octet) <= 255);
}

/**
 * Whether a request's Host header names this machine's loopback: `localhost`, 127.0.0.0/8 or `[::1]`,
 * each with or without a port. A missing Host passes only on HTTP/1.0, which has none; browsers
 * always send one.
 */
export function isLoopbackHostHeader(host: string | undefined, httpVersion: string): boolean {
  if (host === undefined || host === '') return httpVersion === '1.0' && host === undefined;
  const match = /^(\[::1\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(host.toLowerCase());
  if (!match) return false;
  if (match[2] !== undefined && Number(match[2]) > 65535) return false;
  const name = match[1];
  return name === '[::1]' || name === 'localhost' || isLoopbackV4(name);
}

/** Compares two secrets in time that depends on neither their content nor their lengths. */
export function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string): Buffer => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** Why an existing token file cannot be trusted as it is, or null when it can. */
function looseness(stat: fs.Stats): string | null {
  if (!stat.isFile()) return 'is not a regular file';
  if (typeof process.getuid === 'function' && stat.uid !== process.getuid()) return `is owned by uid ${stat.uid}, not by this user`;
  if ((stat.mode & 0o077) !== 0) return `has mode ${(stat.mode & 0o777).toString(8).padStart(4, '0')} (readable or writable by others)`;
  return null;
}

/**
 * The token in `file`, made fresh (0600) when there is none or when the file there could have been
 * read or planted by someone else: a symlink, another owner, or group/other permissions. A token
 * that others could read is no secret, so it is replaced rather than repaired.
 */
export function readOrCreateToken(file: string, log: (message: string) => void): string {
  let fd: number | null = null;
  try {
    // O_NOFOLLOW: a symlink fails here (ELOOP) instead of being read through.
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
    const problem = looseness(fs.fstatSync(fd));
    if (problem) log(`web: not trusting ${file}: it ${problem}; writing a new token`);
    else {
      const existing = fs.readFileSync(fd, 'utf8').trim();
      if (/^\S{32,}$/.test(existing)) return existing;
      log(`web: ${file} holds no token; writing a new one`);
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') log(`web: not trusting ${file}: it is a symlink; writing a new token`);
    else if (code !== 'ENOENT') log(`web: cannot read ${file} (${code ?? (error as Error).message}); writing a new token`);
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
  const token = randomBytes(32).toString('hex');
  // Removed, then created exclusively: the new file is ours, 0600, and never a link to elsewhere.
  fs.rmSync(file, { force: true });
  const out = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o600);
  try {
    fs.fchmodSync(out, 0o600);
    fs.writeFileSync(out, `${token}\n`);
    fs.fsyncSync(out);
  } finally {
    fs.closeSync(out);
  }
  return token;
}
