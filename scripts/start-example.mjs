// `npm start`: start the bundled example under Corral (your CORRAL_HOME, default ~/.corral),
// wait until the api answers, then show the process list and what to try next.
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const cli = path.join(root, 'dist', 'cli.js');
const corral = (...args) => execFileSync(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });

corral('start', path.join(root, 'examples', 'ecosystem.config.js'), '--silent');
const deadline = Date.now() + 10_000;
let answer = null;
while (!answer && Date.now() < deadline) {
  answer = await fetch('http://127.0.0.1:3100/').then(
    (response) => response.text(),
    () => null,
  );
  if (!answer) await new Promise((resolve) => setTimeout(resolve, 100));
}
process.stdout.write(corral('list'));
console.log(
  answer ? `\nhttp://127.0.0.1:3100/ answers: ${answer}` : '\nthe api did not answer on port 3100 (is the port taken? see: node dist/cli.js logs api)',
);
console.log(`
Try:  node dist/cli.js logs            live logs of both apps (Ctrl-C to quit)
      node dist/cli.js restart api     a new pid, restarts +1
      node dist/cli.js describe worker
      node dist/cli.js kill            stop the apps and the daemon
(npm link puts \`corral\` on your PATH.)`);
