// Keep-alive HTTP load for the reload scenario, run as a forked child so the bench's own event loop stays free.
// argv: <port> <connections>. Messages in: 'stats', 'stop'. Messages out: { ok, failed, errors } (after 'stop', then exit).
import * as http from 'node:http';

const port = Number(process.argv[2]);
const connections = Number(process.argv[3] ?? 50);
const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
let ok = 0;
let failed = 0;
const errors = {};
let running = true;

function request() {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent, timeout: 5000 }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode === 200 ? null : `status ${response.statusCode}`));
      response.on('error', (error) => resolve(error.code ?? error.message));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (error) => resolve(error.code ?? error.message));
  });
}

async function loop() {
  while (running) {
    const error = await request();
    if (error === null) ok++;
    else {
      failed++;
      errors[error] = (errors[error] ?? 0) + 1;
      await new Promise((resolve) => setTimeout(resolve, 5)); // a failing port would otherwise spin
    }
  }
}

const loops = Array.from({ length: connections }, loop);
process.on('message', async (message) => {
  if (message === 'stats') return process.send({ ok, failed, errors });
  if (message === 'stop') {
    running = false;
    await Promise.all(loops);
    agent.destroy();
    process.send({ ok, failed, errors }, () => process.exit(0));
  }
});
process.on('disconnect', () => process.exit(0));
