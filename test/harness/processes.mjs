// Process bookkeeping for the harness: spawn into a fresh process group, stop a group (SIGTERM, then
// SIGKILL after a grace period), and find every process a run started by the tag in its environment.
// Everything is addressed by pid; nothing here matches processes by name.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** The environment variable that marks every process started by one harness run (children inherit it). */
export const SESSION_TAG = 'CORRAL_TEST_SESSION';

const HAS_PROC = existsSync('/proc/self/stat');

/** Every group spawnGroup() started in this process, for stopStartedGroups(). */
const startedGroups = new Set();

/** Starts a command as the leader of a new process group so stopGroup() reaches its children too. */
export function spawnGroup(command, args, options) {
  const child = spawn(command, args, { ...options, detached: true });
  if (child.pid) startedGroups.add(child.pid);
  return child;
}

/** Stops whatever is left of every group this process started (an interrupted npm install, say). */
export async function stopStartedGroups() {
  await Promise.all([...startedGroups].map((pid) => stopGroup(pid)));
}

/** Runs a command to completion in its own group; rejects with its output tail on a non-zero exit. */
export function runToCompletion(command, args, { timeoutMs, ...options }) {
  return new Promise((resolve, reject) => {
    const child = spawnGroup(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk) => {
      output = (output + chunk).slice(-20_000);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setTimeout(() => {
      void stopGroup(child.pid, { graceMs: 2_000 });
      reject(new Error(`${command} ${args.join(' ')} timed out after ${timeoutMs} ms\n${output}`));
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code ?? signal}\n${output}`));
    });
  });
}

/** Processes visible in /proc (Linux); an empty list elsewhere. */
function listProcesses() {
  let entries;
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
  const processes = [];
  for (const name of entries) {
    try {
      // "pid (comm) state ppid pgrp ..." — comm may contain spaces and parentheses, so split after the last ')'.
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      processes.push({ pid: Number(name), state, pgrp: Number(pgrp) });
    } catch {
      // The process ended while we looked.
    }
  }
  return processes;
}

export function isLive(pid) {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if (error.code !== 'EPERM') return false;
  }
  // A zombie still answers kill(0) but is already gone for our purposes.
  return !listProcesses().some((p) => p.pid === pid && p.state === 'Z');
}

function groupIsLive(pgid) {
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    if (error.code !== 'EPERM') return false;
  }
  // Without /proc we cannot tell zombies apart; trust kill(0).
  return !HAS_PROC || listProcesses().some((p) => p.pgrp === pgid && p.state !== 'Z');
}

function signal(target, name) {
  try {
    process.kill(target, name);
  } catch {
    // Already gone.
  }
}

async function waitUntil(condition, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await sleep(100);
  }
  return condition();
}

/** SIGTERM to the process group led by pid, SIGKILL to what is left after graceMs. */
export async function stopGroup(pid, { graceMs = 5_000 } = {}) {
  if (!pid || !groupIsLive(pid)) return;
  signal(-pid, 'SIGTERM');
  if (await waitUntil(() => !groupIsLive(pid), graceMs)) return;
  signal(-pid, 'SIGKILL');
  await waitUntil(() => !groupIsLive(pid), 2_000);
}

/** SIGTERM to one process (and its group if it leads one), SIGKILL after graceMs. */
export async function stopProcess(pid, { graceMs = 5_000 } = {}) {
  if (!pid || pid === process.pid || !isLive(pid)) return;
  const leadsGroup = listProcesses().some((p) => p.pid === pid && p.pgrp === pid);
  signal(leadsGroup ? -pid : pid, 'SIGTERM');
  if (await waitUntil(() => !isLive(pid), graceMs)) return;
  signal(leadsGroup ? -pid : pid, 'SIGKILL');
  await waitUntil(() => !isLive(pid), 2_000);
}

/** Whether pid's environment carries SESSION_TAG=tag. Without /proc (not Linux) nobody can tell: true. */
export function carriesTag(pid, tag) {
  if (!HAS_PROC) return true;
  try {
    return `\0${readFileSync(`/proc/${pid}/environ`, 'latin1')}`.includes(`\0${SESSION_TAG}=${tag}\0`);
  } catch {
    return false;
  }
}

/** Pids of live processes whose environment carries SESSION_TAG=tag (Linux only), excluding this one. */
export function taggedProcesses(tag) {
  if (!HAS_PROC) return [];
  return listProcesses()
    .filter((p) => p.pid !== process.pid && p.state !== 'Z' && carriesTag(p.pid, tag))
    .map((p) => p.pid);
}

/** Stops every process still carrying the run's tag: the safety net behind the orderly shutdowns. */
export async function reapTagged(tag, { graceMs = 3_000 } = {}) {
  const pids = taggedProcesses(tag);
  for (const pid of pids) signal(pid, 'SIGTERM');
  if (pids.length > 0) await waitUntil(() => pids.every((pid) => !isLive(pid)), graceMs);
  for (const pid of pids.filter(isLive)) signal(pid, 'SIGKILL');
  return pids;
}
