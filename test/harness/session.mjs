// The lifetime of one harness run: cleanups registered with defer() always run, newest first, whether the
// body returns, throws, or the harness gets SIGINT/SIGTERM/SIGHUP. Maps the outcome to an exit code.
import * as os from 'node:os';
import { EXIT_INFRASTRUCTURE, InfrastructureError } from './outcome.mjs';
import { stopStartedGroups } from './processes.mjs';

export async function runHarness(name, body) {
  const started = Date.now();
  let stopping = false;
  const say = (message) => console.log(`[${name}] ${message}`);
  // Once a signal arrives the body keeps running until exit, seeing its processes vanish: mute it.
  const log = (message) => stopping || say(message);
  const cleanups = [];
  const defer = (label, cleanup) => cleanups.push({ label, cleanup });
  // Runs last: catches any process group whose owner had no cleanup of its own yet.
  defer('started process groups', stopStartedGroups);
  let cleaning;
  const cleanUp = () =>
    (cleaning ??= (async () => {
      for (const { label, cleanup } of cleanups.reverse()) {
        try {
          await cleanup();
        } catch (error) {
          say(`cleanup "${label}" failed: ${error.message}`);
        }
      }
    })());

  // 128 + signal number, as a shell reports a process killed by that signal.
  let signalExitCode;
  const onSignal = (signal) => {
    stopping = true;
    signalExitCode = 128 + os.constants.signals[signal];
    say(`${signal}: stopping everything this run started`);
    void cleanUp().finally(() => process.exit(signalExitCode));
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.once(signal, onSignal);

  let exitCode;
  try {
    exitCode = await body({ log, defer });
  } catch (error) {
    exitCode = EXIT_INFRASTRUCTURE;
    if (!stopping) report(name, error);
  }
  await cleanUp();
  if (stopping) exitCode = signalExitCode;
  say(`finished in ${((Date.now() - started) / 1000).toFixed(1)} s, exit code ${exitCode}`);
  // Exit explicitly: a library handle (playwright's connection, a stray timer) must not keep us alive.
  process.exit(exitCode);
}

function report(name, error) {
  const kind = error instanceof InfrastructureError ? 'infrastructure failure' : 'harness error';
  console.error(`[${name}] ${kind}: ${error.message}`);
  for (let cause = error.cause; cause; cause = cause.cause) console.error(`[${name}]   caused by: ${cause.message ?? cause}`);
  if (!(error instanceof InfrastructureError)) console.error(error.stack);
}
