/**
 * A folder only its user can use, on Windows: what mode 0700 is elsewhere. A new folder inherits its
 * parent's access list, and outside the user's profile (`C:\corral`, a shared drive) that usually lets
 * every local user read it, which would give them the daemon key and the dump. So a home Corral
 * creates there gets an explicit list instead: inheritance removed, full control for the user and for
 * SYSTEM (which runs the machine's services; administrators can take any folder anyway). Its files and
 * folders inherit that. Run as `icacls` with an argument list, never a command line.
 */
import type * as ChildProcesses from 'node:child_process';
import { isWindows, type Platform } from './platform';

/** SYSTEM's well-known SID: the same on every Windows in every language. */
const LOCAL_SYSTEM = '*S-1-5-18';

/** `DOMAIN\user` when Windows says which domain (or machine) the account belongs to, else `user`. */
export function windowsAccount(env: NodeJS.ProcessEnv, username: string): string {
  const domain = env.USERDOMAIN?.trim();
  return domain ? `${domain}\\${username}` : username;
}

/** icacls arguments that leave `folder` to `account` and SYSTEM alone, for it and everything in it. */
export function ownerOnlyAclArgs(folder: string, account: string): string[] {
  if (!account || /[:*?"<>|]/.test(account)) throw new RangeError(`not an account name: ${JSON.stringify(account)}`);
  return [folder, '/inheritance:r', '/grant:r', `${account}:(OI)(CI)F`, '/grant:r', `${LOCAL_SYSTEM}:(OI)(CI)F`, '/q'];
}

/**
 * Closes a folder Corral has just created to everyone but its user. Elsewhere the mode it was created
 * with does this, and nothing runs. Throws, naming the folder, when Windows refuses.
 */
export function makeOwnerOnly(folder: string, platform: Platform, env: NodeJS.ProcessEnv, username: string): void {
  if (!isWindows(platform)) return;
  // Loaded here: every CLI start reads home.ts, and only Windows ever runs this.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { execFileSync } = require('node:child_process') as typeof ChildProcesses;
  try {
    execFileSync('icacls', ownerOnlyAclArgs(folder, windowsAccount(env, username)), { windowsHide: true, stdio: 'pipe', timeout: 10_000 });
  } catch (error) {
    const said = (error as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(`cannot make ${folder} private to you (icacls: ${said || (error as Error).message})`);
  }
}
