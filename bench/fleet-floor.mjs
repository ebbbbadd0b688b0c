// The floor of the 1,000-app fleet: a bare Node script spawning the same N `sleep` processes the managers start,
// with piped stdout/stderr as a manager has them, and nothing else. argv: <count> <seconds>.
// Prints one JSON line { ms, spawned } (first spawn() call to the last 'spawn' event), then waits for a line on
// stdin (or its end). The line "end": SIGINT to every child, then one JSON line { endMs } once every child has
// exited and its pipes closed (the floor of `delete all`), then exit. Anything else: SIGKILL to every child by pid.
import { spawn } from 'node:child_process';

const count = Number(process.argv[2]);
const seconds = process.argv[3] ?? '600';
if (!Number.isInteger(count) || count <= 0) throw new Error(`count: expected a whole number, got ${process.argv[2]}`);

const children = [];
const t0 = performance.now();
let spawned = 0;
await new Promise((resolve, reject) => {
  for (let i = 0; i < count; i++) {
    const child = spawn('sleep', [seconds], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.resume();
    child.stderr.resume();
    child.once('error', reject);
    child.once('spawn', () => {
      if (++spawned === count) resolve();
    });
    children.push(child);
  }
});
process.stdout.write(`${JSON.stringify({ ms: performance.now() - t0, spawned })}\n`);

let ending = false;
const stop = () => {
  if (ending) return;
  for (const child of children) child.kill('SIGKILL');
  process.exit(0);
};
const end = async () => {
  ending = true;
  const e0 = performance.now();
  const closed = children.map(
    (child) => new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('close', resolve))),
  );
  for (const child of children) child.kill('SIGINT');
  await Promise.all(closed);
  process.stdout.write(`${JSON.stringify({ endMs: performance.now() - e0 })}\n`, () => process.exit(0));
};
process.stdin.setEncoding('utf8').once('data', (line) => (line.trim() === 'end' ? void end() : stop()));
process.stdin.on('end', stop);
