/** `dist/daemon.js`: the detached daemon that `corral` and the extension start. */
import * as fs from 'node:fs';
import { EXIT_HOME_REFUSED, formatStartReport, START_REPORT_FD, START_REPORT_FD_ENV, type StartReport } from '../shared/daemon-start';
import { CorralError, ErrorCode } from '../shared/errors';
import { resolveHome } from '../shared/paths';
import { startDaemon } from './daemon';

/** The client's start-report pipe (see shared/daemon-start.ts): written once, then closed. */
function startReporter(): (report: StartReport) => void {
  const wanted = process.env[START_REPORT_FD_ENV] === String(START_REPORT_FD);
  delete process.env[START_REPORT_FD_ENV]; // apps inherit this env: they must never see it
  let open = wanted;
  return (report) => {
    if (!open) return;
    open = false;
    try {
      fs.writeSync(START_REPORT_FD, formatStartReport(report));
    } catch {
      /* the client is gone: nobody to tell */
    }
    try {
      fs.closeSync(START_REPORT_FD);
    } catch {
      /* already closed */
    }
  };
}

const report = startReporter();

async function main(): Promise<void> {
  const daemon = await startDaemon({ home: resolveHome(), report });
  if (!daemon) process.exit(0); // another daemon serves this home
  // Signals are not a clean end: after a reboot or a service stop the list comes back.
  process.on('SIGTERM', () => void daemon.shutdown('SIGTERM', false));
  process.on('SIGINT', () => void daemon.shutdown('SIGINT', false));
  process.on('SIGHUP', () => undefined);
  process.on('SIGUSR2', () => daemon.log(`SIGUSR2: reopened ${daemon.reopenLogs()} log files`));
}

main().catch((error: unknown) => {
  if (error instanceof CorralError && error.code === ErrorCode.UnsafeHome) {
    // One line that says how to fix it; nothing was written in the home.
    report({ kind: 'refused', reason: error.message });
    process.stderr.write(`corral: ${error.message}\n`);
    process.exit(EXIT_HOME_REFUSED);
  }
  report({ kind: 'failed', reason: (error as Error)?.message ?? String(error) });
  process.stderr.write(`corral daemon failed to start: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
