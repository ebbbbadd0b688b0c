/**
 * `jlist` in PM2's shape beside Corral's own: tools written for `pm2 jlist` (editor extensions,
 * monitoring scripts) read `pm_id`, `monit` and `pm2_env`. Only what Corral knows, never env values
 * (PM2 puts the whole env in pm2_env; Corral shows env only through `corral env <id>`). Pure.
 */
import type { ProcessInfo, ProcessStatus } from '../shared/protocol';

/** PM2's status words: Corral's "waiting-restart" is PM2's "waiting restart". */
const PM2_STATUS: Record<ProcessStatus, string> = {
  online: 'online',
  launching: 'launching',
  stopping: 'stopping',
  stopped: 'stopped',
  'waiting-restart': 'waiting restart',
  errored: 'errored',
};

export type Pm2ShapedProcess = ProcessInfo & {
  pm_id: number;
  monit: { memory: number; cpu: number };
  pm2_env: Record<string, unknown>;
};

export function withPm2Shape(process: ProcessInfo): Pm2ShapedProcess {
  const running = process.pid !== null;
  return {
    ...process,
    pm_id: process.id,
    monit: { memory: running ? process.memory : 0, cpu: running ? process.cpu : 0 },
    pm2_env: {
      name: process.name,
      namespace: process.namespace,
      pm_id: process.id,
      status: PM2_STATUS[process.status],
      exec_mode: `${process.exec_mode}_mode`,
      instances: process.instances,
      // Corral numbers instances 0..n-1 per app, as PM2's NODE_APP_INSTANCE does.
      NODE_APP_INSTANCE: process.instance,
      pm_uptime: process.started_at ?? process.created_at,
      created_at: process.created_at,
      restart_time: process.restarts,
      unstable_restarts: process.unstable_restarts,
      autorestart: process.autorestart,
      watch: process.watch !== false,
      pm_exec_path: process.script,
      pm_cwd: process.cwd,
      exec_interpreter: process.interpreter,
      node_args: process.node_args,
      args: process.args,
      pm_out_log_path: process.out_log,
      pm_err_log_path: process.err_log,
      ...(process.combined_log ? { pm_log_path: process.combined_log } : {}),
      pm_pid_path: process.pid_file,
      exit_code: process.exit_code,
      versioning: process.versioning ?? null,
      health: process.health,
      last_probe: process.last_probe,
      depends_on: process.depends_on ?? [],
      waiting: process.waiting ?? null,
    },
  };
}
