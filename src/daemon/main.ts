/** `dist/daemon.js`: the detached daemon that `corral` and the extension start. */
import { resolveHome } from '../shared/paths';
import { startDaemon } from './daemon';

async function main(): Promise<void> {
  const daemon = await startDaemon({ home: resolveHome() });
  if (!daemon) process.exit(0); // another daemon serves this home
  // Signals are not a clean end: after a reboot or a service stop the list comes back.
  process.on('SIGTERM', () => void daemon.shutdown('SIGTERM', false));
  process.on('SIGINT', () => void daemon.shutdown('SIGINT', false));
  process.on('SIGHUP', () => undefined);
  process.on('SIGUSR2', () => daemon.log(`SIGUSR2: reopened ${daemon.reopenLogs()} log files`));
}

main().catch((error: unknown) => {
  process.stderr.write(`corral daemon failed to start: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
