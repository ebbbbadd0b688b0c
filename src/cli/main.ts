/**
 * `corral`: PM2's commands and flags over the daemon client. Parses the line, dispatches through the
 * command table (commands/index.ts) and turns errors into one line each on stderr and exit 1. The only
 * place that calls process.exit.
 */
import { parseCommandLine } from '../client/argv';
import { ConfigError } from '../shared/config';
import { CorralError, ErrorCode } from '../shared/errors';
import { safeOutput } from '../shared/terminal-text';
import { VERSION } from '../shared/version';
import { findCommand, helpText } from './commands';
import { note, type Context } from './context';

async function run(argv: string[]): Promise<void> {
  const parsed = parseCommandLine(argv);
  const ctx: Context = {
    ...parsed,
    style: { color: process.stdout.isTTY === true && !process.env.NO_COLOR && parsed.values['no-color'] !== true },
    out: (text) => process.stdout.write(`${safeOutput(text)}\n`),
    err: (text) => process.stderr.write(`${safeOutput(text)}\n`),
    outRaw: (text) => process.stdout.write(`${text}\n`),
  };
  const [command, ...rest] = parsed.positionals;
  ctx.positionals = rest;
  if ((ctx.values.version || ctx.values.V) && !command) return ctx.out(VERSION);
  if (ctx.values['no-daemon']) {
    throw new CorralError(
      ErrorCode.BadArgument,
      '--no-daemon: run the apps in the foreground with corral-runtime instead (corral-runtime start ecosystem.config.js), as pm2-runtime does',
    );
  }
  if (ctx.values.write && command === 'start') {
    throw new CorralError(
      ErrorCode.BadArgument,
      '--write: Corral does not write <name>-pm2.json; corral ecosystem writes a sample file, and an ecosystem file is the saved form of an app',
    );
  }
  if (ctx.values.parallel !== undefined && !/^\d+$/.test(String(ctx.values.parallel))) {
    throw new CorralError(ErrorCode.BadArgument, `--parallel: expected a number, got ${JSON.stringify(ctx.values.parallel)}`);
  }
  if (ctx.values.parallel !== undefined)
    note(ctx, "--parallel: accepted, no effect (Corral restarts every app named at once; a cluster app's reload goes one worker at a time)");
  if (ctx.values.help || !command) return ctx.out(helpText());
  const entry = findCommand(command);
  if (!entry) throw new CorralError(ErrorCode.BadArgument, `unknown command "${command}" (see corral --help)`);
  return entry.run(ctx, command);
}

process.noDeprecation = true; // a dependency's deprecation warning is not the user's business
/** Exit once stdout and stderr are flushed: on a pipe, process.exit() would cut a long jlist short. */
function exitWhenFlushed(code: number): void {
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

run(process.argv.slice(2)).then(
  () => exitWhenFlushed(0),
  (error: unknown) => {
    const message = error instanceof ConfigError ? error.problems.join('\n') : error instanceof Error ? error.message : String(error);
    // Messages carry names, paths and the daemon's words: shown, never obeyed by the terminal.
    process.stderr.write(
      `${safeOutput(message)
        .split('\n')
        .map((line) => `corral: ${line}`)
        .join('\n')}\n`,
    );
    exitWhenFlushed(1);
  },
);
