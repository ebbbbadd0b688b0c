// The bundled example: `npm start` runs this under Corral. PM2's option names throughout.
module.exports = {
  apps: [
    {
      name: 'api',
      script: './app/api.js',
      env: { PORT: 3100, GREETING: 'world' },
      env_production: { GREETING: 'production' },
      max_memory_restart: '200M',
      time: true,
    },
    {
      name: 'worker',
      script: './app/worker.js',
      restart_delay: 500,
      kill_timeout: 3000,
    },
  ],
};
