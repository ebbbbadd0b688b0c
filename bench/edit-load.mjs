// Light keep-alive load for the edit loop, run as a forked child: <connections> loops of GET / on <port>, noting when
// each version string was first answered (wall clock, ms since the epoch). Messages in: 'stats', 'stop'. Out:
// { ok, failed, errors, firstSeen } (after 'stop', then exit).
import * as http from 'node:http';

const port = Number(process.argv[2]);
const connections = Number(process.argv[3] ?? 4);
const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
const clock = () => performance.timeOrigin + performance.now();
let ok = 0;
let failed = 0;
const errors = {};
const firstSeen = {};
let running = true;

function request() {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent, timeout: 5000 }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => {
        if (response.statusCode !== 200) return resolve(`status ${response.statusCode}`);
        firstSeen[body] ??= clock();
        resolve(null);
      });
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
      await new Promise((resolve) => setTimeout(resolve, 2)); // a refusing port would otherwise spin
    }
  }
}

const loops = Array.from({ length: connections }, loop);
process.on('message', async (message) => {
  if (message === 'stats') return process.send({ ok, failed, errors, firstSeen });
  if (message === 'stop') {
    running = false;
    await Promise.all(loops);
    agent.destroy();
    process.send({ ok, failed, errors, firstSeen }, () => process.exit(0));
  }
});
process.on('disconnect', () => process.exit(0));
