import * as os from 'node:os';
import * as path from 'node:path';

export interface HomePaths {
  home: string;
  rpcSocket: string;
  pubSocket: string;
  pidFile: string;
  daemonLog: string;
  logsDir: string;
  pidsDir: string;
  dump: string;
}

/** CORRAL_HOME, else ~/.corral. */
export function resolveHome(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.CORRAL_HOME;
  return path.resolve(fromEnv && fromEnv.length > 0 ? fromEnv : path.join(os.homedir(), '.corral'));
}

export function homePaths(home: string): HomePaths {
  return {
    home,
    rpcSocket: path.join(home, 'rpc.sock'),
    pubSocket: path.join(home, 'pub.sock'),
    pidFile: path.join(home, 'daemon.pid'),
    daemonLog: path.join(home, 'daemon.log'),
    logsDir: path.join(home, 'logs'),
    pidsDir: path.join(home, 'pids'),
    dump: path.join(home, 'dump.json'),
  };
}
