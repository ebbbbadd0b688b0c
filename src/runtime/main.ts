/**
 * `corral-runtime <ecosystem | script>`: the daemon in the foreground, for containers. Starts the
 * apps, prints their output on its own stdout/stderr (prefixed, --raw or --json), stops every app
 * gracefully on SIGTERM/SIGINT and exits 0, exits 1 once every app has ended and any of them errored.
 * The CLI still talks to it through CORRAL_HOME (`docker exec … corral list`).
 * bin/corral-runtime wraps this so that, as PID 1, a shell reaps orphaned zombies.
 */
import { parseCommandLine } from '../client/argv';
import { buildStartRequest } from '../client/start-request';
import { startDaemon } from '../daemon/daemon';
import { ConfigError } from '../shared/config';
import { resolveHome } from '../shared/paths';
import type { ProcessStatus } from '../shared/protocol';
import { VERSION } from '../shared/version';

const USAGE = `corral-runtime ${VERSION}: run apps in the foreground (containers)

Usage: corral-runtime <ecosystem file | script> [start options] [--raw | --json] [-- app args]
  --raw    app output as is, no prefix        --json   one JSON object per line
Start options are corral's (corral --help). SIGTERM/SIGINT stop every app gracefully.`;

type Mode = 'prefixed' | 'raw' | 'json';

function write(stream: NodeJS.WriteStream, text: string): void {
  stream.write(`${text}\n`);
}

async function main(): Promise<number | null> {
  const line = parseCommandLine(process.argv.slice(2));
  if (line.values.help) {
    write(process.stdout, USAGE);
    return 0;
  }
  if (line.values.version) {
    write(process.stdout, VERSION);
    return 0;
  }
  const [target, ...extra] = line.positionals;
  if (!target || extra.length > 0) {
    write(process.stderr, `corral-runtime: ${target ? `unexpected argument "${extra[0]}"` : 'give an ecosystem file or a script'}\n\n${USAGE}`);
    return 2;
  }
  const mode: Mode = line.values.json ? 'json' : line.values.raw ? 'raw' : 'prefixed';
  const request = await buildStartRequest(target, line);
  if (request.kind !== 'apps') {
    write(process.stderr, `corral-runtime: ${target}: no such file`);
    return 1;
  }
  for (const warning of request.warnings) write(process.stderr, `corral-runtime: warning ${warning}`);

  const home = resolveHome();
  const note = (message: string): void => {
    if (mode === 'json') write(process.stdout, JSON.stringify({ type: 'daemon', time: new Date().toISOString(), message }));
    else if (mode === 'prefixed') write(process.stderr, `[corral] ${message}`);
  };
  const daemon = await startDaemon({ home, resurrect: false, echo: note, exit: (code) => process.exit(code) });
  if (!daemon) {
    write(process.stderr, `corral-runtime: a Corral daemon already serves ${home}; use corral there, or set another CORRAL_HOME`);
    return 1;
  }

  const statuses = new Map<number, ProcessStatus>();
  const finishIfAllEnded = (): void => {
    const all = [...statuses.values()];
    if (all.length === 0 || !all.every((status) => status === 'stopped' || status === 'errored')) return;
    const errored = all.some((status) => status === 'errored');
    note(errored ? 'every app has ended, some errored: exiting with 1' : 'every app has ended: exiting');
    void daemon.shutdown('all apps ended', true, errored ? 1 : 0);
  };
  daemon.bus.onLocal((event, payload) => {
    if (event === 'log:out' || event === 'log:err') {
      const { id, name, lines, at } = payload as { id: number; name: string; lines: string[]; at: number };
      const stream = event === 'log:out' ? process.stdout : process.stderr;
      for (const text of lines) {
        if (mode === 'raw') write(stream, text);
        else if (mode === 'json')
          write(
            process.stdout,
            JSON.stringify({ type: 'log', app: name, id, stream: event === 'log:out' ? 'out' : 'err', time: new Date(at).toISOString(), message: text }),
          );
        else write(stream, `${id}|${name} | ${text}`);
      }
    } else if (event === 'process:event') {
      const { id, status } = payload as { id: number; status: ProcessStatus };
      statuses.set(id, status);
      finishIfAllEnded();
    } else if (event === 'process:deleted') {
      statuses.delete((payload as { id: number }).id);
    }
  });

  // A container stop is deliberate: a clean end, and 0 once every app is down.
  process.on('SIGTERM', () => void daemon.shutdown('SIGTERM', true, 0));
  process.on('SIGINT', () => void daemon.shutdown('SIGINT', true, 0));
  process.on('SIGUSR2', () => daemon.log(`SIGUSR2: reopened ${daemon.reopenLogs()} log files`));
  try {
    await daemon.supervisor.start(request.apps, true);
  } catch (error) {
    write(process.stderr, `corral-runtime: ${(error as Error).message}`);
    void daemon.shutdown('start failed', true, 1);
  }
  return null; // keep running until a signal or the apps' end
}

main().then(
  (code) => {
    if (code !== null) process.exitCode = code;
  },
  (error: unknown) => {
    const message = error instanceof ConfigError ? error.problems.join('\n') : error instanceof Error ? error.message : String(error);
    process.stderr.write(
      `${message
        .split('\n')
        .map((text) => `corral-runtime: ${text}`)
        .join('\n')}\n`,
    );
    process.exitCode = 1;
  },
);
