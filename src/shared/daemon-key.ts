/**
 * `<home>/daemon.key`: the secret a daemon and its clients prove to each other (handshake.ts). The
 * daemon writes a new one after taking the lock and before it listens, so a client that reads the key
 * of a daemon that has since been replaced fails its handshake instead of trusting the newcomer.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { newDaemonKey } from './handshake';

const KEY = /^[0-9a-f]{64}$/;

/** Writes a new key, owner-only from its first byte and in one piece (a reader sees the old or the new one). */
export function writeDaemonKey(file: string): string {
  const key = newDaemonKey();
  const temporary = `${file}.${process.pid}.tmp`;
  rmSync(temporary, { force: true });
  writeFileSync(temporary, `${key}\n`, { mode: 0o600, flag: 'wx' });
  renameSync(temporary, file);
  return key;
}

/** The current daemon's key; null when there is none (no daemon has run here, or it left). */
export function readDaemonKey(file: string): string | null {
  let text: string;
  try {
    text = readFileSync(file, 'latin1').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  return KEY.test(text) ? text : null;
}
