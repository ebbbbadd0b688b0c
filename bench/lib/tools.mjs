// The two process managers behind one interface: run a CLI command in the tool's own temporary home,
// read its process list, find and stop its daemon.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { processAlive, readPidFile, run, waitFor } from './util.mjs';

export const MARKER_VAR = 'CORRAL_BENCH_RUN';

/**
 * Variables removed from every environment the bench creates (CLIs, daemons, apps, the floor).
 * NODE_EXTRA_CA_CERTS makes Node 20 parse the whole bundle at start-up: on this machine it adds ~60 ms
 * to every Node process, the same for both tools, and is not set on a typical desk. `--keep-env` keeps it.
 */
export const STRIPPED_VARS = ['NODE_EXTRA_CA_CERTS'];
let keepEnv = false;
export function keepEnvironment(keep) {
  keepEnv = keep;
}

/** process.env without the stripped variables (unless --keep-env) and without either tool's home. */
export function baseEnv() {
  const env = { ...process.env };
  if (!keepEnv) for (const name of STRIPPED_VARS) delete env[name];
  delete env.CORRAL_HOME;
  delete env.PM2_HOME;
  return env;
}

export class Tool {
  /**
   * @param {object} options
   * @param {string} options.name      'Corral' or 'PM2'
   * @param {string} options.cli       path of the CLI script (run with this Node)
   * @param {string} options.homeVar   CORRAL_HOME or PM2_HOME
   * @param {string} options.pidFile   daemon pid file, relative to the home
   * @param {(entry: any) => {name: string, pid: number, status: string}} options.normalize  one jlist entry
   * @param {string} options.marker    this run's id, put in every environment so the cleanup finds what is ours
   */
  constructor({ name, cli, homeVar, pidFile, normalize, marker }) {
    Object.assign(this, { name, cliPath: cli, homeVar, pidFileName: pidFile, normalize, marker });
    this.home = null;
  }

  /** Points the tool at a (new) home directory. */
  useHome(home) {
    fs.mkdirSync(home, { recursive: true, mode: 0o700 });
    this.home = home;
  }

  get pidFile() {
    return path.join(this.home, this.pidFileName);
  }

  env(extra = {}) {
    return { ...baseEnv(), [this.homeVar]: this.home, [MARKER_VAR]: this.marker, NO_COLOR: '1', ...extra };
  }

  /** Runs `<cli> ...args`; rejects on a non-zero exit unless `check` is false. */
  async cli(args, { env = {}, timeoutMs = 120_000, check = true, cwd, duringTeardown = false } = {}) {
    const result = await run(process.execPath, [this.cliPath, ...args], { env: this.env(env), timeoutMs, cwd: cwd ?? this.home, duringTeardown });
    if (check && result.code !== 0) {
      throw new Error(`${this.name} ${args.join(' ')} exited with ${result.code ?? result.signal}:\n${(result.stderr || result.stdout).slice(-2000)}`);
    }
    return result;
  }

  /** The process list as [{ name, pid, status }]. */
  async jlist() {
    const { stdout } = await this.cli(['jlist']);
    const start = stdout.indexOf('[');
    if (start < 0) throw new Error(`${this.name} jlist printed no JSON array: ${stdout.slice(0, 300)}`);
    return JSON.parse(stdout.slice(start, stdout.lastIndexOf(']') + 1)).map(this.normalize);
  }

  /** Waits until the list has exactly `count` processes (optionally only those named by `filter`) and all are online. */
  async waitOnline(count, { filter = () => true, timeoutMs = 120_000 } = {}) {
    return waitFor(
      `${this.name}: ${count} processes online`,
      async () => {
        const list = (await this.jlist()).filter((entry) => filter(entry.name));
        return list.length === count && list.every((entry) => entry.status === 'online' && entry.pid > 0) ? list : null;
      },
      { timeoutMs, intervalMs: 50 },
    );
  }

  daemonPid() {
    const pid = readPidFile(this.pidFile);
    return pid && processAlive(pid) ? pid : null;
  }

  /** Starts the daemon if needed (untimed) and returns its pid. */
  async ensureDaemon() {
    await this.cli(['ping']);
    return waitFor(`${this.name} daemon pid file`, () => this.daemonPid(), { timeoutMs: 10_000 });
  }

  /** Stops every app and the daemon, and waits until the daemon process is gone. */
  async kill({ timeoutMs = 120_000 } = {}) {
    if (!this.home) return;
    const pid = this.daemonPid();
    if (!pid) return;
    await this.cli(['kill'], { timeoutMs, check: false, duringTeardown: true });
    await waitFor(`${this.name} daemon ${pid} to exit`, () => !processAlive(pid), { timeoutMs: 15_000, intervalMs: 20 });
  }
}

export function makeTools({ root, marker }) {
  const corral = new Tool({
    name: 'Corral',
    cli: path.join(root, 'dist/cli.js'),
    homeVar: 'CORRAL_HOME',
    pidFile: 'daemon.pid',
    normalize: (entry) => ({ name: entry.name, pid: entry.pid ?? 0, status: entry.status }),
    marker,
  });
  const pm2 = new Tool({
    name: 'PM2',
    cli: path.join(root, 'node_modules/pm2/bin/pm2'),
    homeVar: 'PM2_HOME',
    pidFile: 'pm2.pid',
    normalize: (entry) => ({ name: entry.name, pid: entry.pid ?? 0, status: entry.pm2_env?.status }),
    marker,
  });
  return [corral, pm2];
}
