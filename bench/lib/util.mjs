// Small helpers for the benchmark: timing, bounded waits, HTTP probes, child processes, /proc readings.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';

export const now = () => performance.now();
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns a truthy value; throws after `timeoutMs`. Every wait in the bench goes through here. */
export async function waitFor(label, probe, { timeoutMs = 20_000, intervalMs = 10 } = {}) {
  const deadline = now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${label}`);
    await sleep(intervalMs);
  }
}

export function median(values) {
  const sorted = values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** One GET on a fresh connection; resolves the status code, or 0 on any error or timeout. */
export function httpStatus(port, path = '/', timeoutMs = 1000) {
  return new Promise((resolve) => {
    const request = http.get({ host: '127.0.0.1', port, path, agent: false, timeout: timeoutMs }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode));
      response.on('error', () => resolve(0));
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(0));
  });
}

/** Resolves the time (performance.now) of the first 200 from the port; tries every `intervalMs`. */
export async function waitForHttp200(port, { timeoutMs = 20_000, intervalMs = 3 } = {}) {
  const deadline = now() + timeoutMs;
  for (;;) {
    if ((await httpStatus(port)) === 200) return now();
    if (now() > deadline) throw new Error(`port ${port} did not answer 200 within ${timeoutMs} ms`);
    await sleep(intervalMs);
  }
}

/** Pids of children we started and that may still run; the cleanup kills them. */
export const liveChildren = new Set();

/** Set when the run is being torn down: from then on only the cleanup's own commands may start. */
export const teardown = { started: false };

/**
 * Runs a command and resolves { code, signal, stdout, stderr, ms }, `ms` measured from spawn to exit.
 * Output is collected until the pipes close (a detached daemon holding them is not waited for past 300 ms).
 */
export function run(command, args, { env, cwd, timeoutMs = 60_000, duringTeardown = false } = {}) {
  return new Promise((resolve, reject) => {
    if (teardown.started && !duringTeardown) return reject(new Error('the run is being torn down'));
    const started = now();
    const child = spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    liveChildren.add(child.pid);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      liveChildren.delete(child.pid);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      const ms = now() - started;
      clearTimeout(timer);
      liveChildren.delete(child.pid);
      let settled = false;
      const finish = () => {
        if (settled) return;
        settled = true;
        if (timedOut) reject(new Error(`${[command, ...args].join(' ')}: killed after ${timeoutMs} ms\n${stderr.slice(-2000)}`));
        else resolve({ code, signal, stdout, stderr, ms });
      };
      child.once('close', finish);
      setTimeout(finish, 300).unref();
    });
  });
}

export function processAlive(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    return error.code === 'EPERM';
  }
  // A zombie still answers kill(0); it is gone for our purposes.
  try {
    return !/^\S+ \(.*\) Z /s.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

export function readPidFile(file) {
  try {
    const pid = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** VmRSS of a process in bytes, or NaN. */
export function rssBytes(pid) {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** Private anonymous memory of a process in bytes (Anonymous in smaps_rollup: heap, not the shared binary), or NaN. */
export function anonymousBytes(pid) {
  try {
    const match = /^Anonymous:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return match ? Number(match[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** utime + stime of a process, in clock ticks (USER_HZ, 100 on Linux). */
export function cpuTicks(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
  return Number(fields[11]) + Number(fields[12]);
}
export const TICKS_PER_SECOND = 100;

/** Pids of every process whose initial environment holds `NAME=value` (this run's marker), except ours. */
export function pidsWithEnv(name, value) {
  const needle = Buffer.from(`\0${name}=${value}\0`);
  const found = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    try {
      if (Buffer.concat([Buffer.from('\0'), fs.readFileSync(`/proc/${pid}/environ`), Buffer.from('\0')]).includes(needle)) found.push(pid);
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}
