/** What `corral ecosystem` writes: a commented sample with PM2's option names. */
export const ECOSYSTEM_TEMPLATE = `// Corral ecosystem file. Start with: corral start ecosystem.config.js [--env production]
// Option names are PM2's, so an existing PM2 ecosystem file works as it is.
module.exports = {
  apps: [
    {
      name: 'api', // shown in corral list; used by stop/restart/logs
      script: './server.js', // the entry file, relative to this file (or to cwd)
      args: [], // arguments for the script
      instances: 1, // a number, "max" (one per CPU) or -1 (all CPUs but one)
      exec_mode: 'fork',
      watch: false, // true, or a list of paths: restart when files change
      max_memory_restart: '300M', // restart when resident memory goes above this
      autorestart: true, // restart when it exits
      max_restarts: 16, // give up after this many restarts younger than min_uptime
      min_uptime: 1000, // ms a run must last to count as stable
      restart_delay: 0, // ms to wait before a restart
      kill_timeout: 1600, // ms between SIGINT and SIGKILL on stop
      time: false, // prefix log lines with a timestamp
      env: {
        NODE_ENV: 'development',
      },
      env_production: {
        // used with --env production
        NODE_ENV: 'production',
      },
    },
  ],
};
`;
