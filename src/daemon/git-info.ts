/**
 * Version-control facts about an app's code, PM2's "versioning": read with the git binary (no shell),
 * off the start path, cached briefly per repository so 16 instances cost one look.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Versioning } from '../shared/protocol';

const CACHE_MS = 2000;
const cache = new Map<string, { at: number; value: Promise<Versioning | null> }>();

/** The folder holding `.git`, searching upward from `start`; null outside a repository. */
export function repositoryRoot(start: string): string | null {
  let dir = start;
  for (;;) {
    if (fs.existsSync(path.join(dir, '.git'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/** Removes user:password@ (and a lone token@) from a remote URL. */
export function stripCredentials(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1');
}

function git(cwd: string, args: string[]): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(
      'git',
      ['-C', cwd, ...args],
      { timeout: 5000, windowsHide: true, env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' } },
      (error, stdout) => {
        resolve(error ? null : stdout.trim());
      },
    );
  });
}

async function read(root: string): Promise<Versioning | null> {
  const [branch, log, remote, status] = await Promise.all([
    git(root, ['rev-parse', '--abbrev-ref', 'HEAD']),
    git(root, ['log', '-1', '--format=%H%x00%s%x00%ct']),
    git(root, ['remote', 'get-url', 'origin']),
    git(root, ['status', '--porcelain', '--untracked-files=no']),
  ]);
  if (branch === null) return null;
  const [revision = null, subject = null, time = null] = log ? log.split('\0') : [];
  return {
    type: 'git',
    repo_path: root,
    branch,
    revision,
    comment: subject,
    commit_time: time ? Number(time) * 1000 : null,
    url: remote ? stripCredentials(remote) : null,
    unstaged: status === null ? null : status.length > 0,
  };
}

export function versioningOf(script: string, cwd: string): Promise<Versioning | null> {
  const root = repositoryRoot(path.isAbsolute(script) ? path.dirname(script) : cwd);
  if (!root) return Promise.resolve(null);
  const hit = cache.get(root);
  if (hit && Date.now() - hit.at < CACHE_MS) return hit.value;
  const value = read(root).catch(() => null);
  cache.set(root, { at: Date.now(), value });
  return value;
}
