/** PM2 commands with no counterpart here: module settings, and PM2.io's hosted monitoring. */
import { CorralError, ErrorCode } from '../../shared/errors';
import type { CommandEntry } from '../command';
import { note, type Context } from '../context';

/**
 * PM2's module settings (`pm2 set pm2-logrotate:max_size 10M`, `pm2 install pm2-logrotate`): what
 * pm2-logrotate does is built in (per app: log_max_size, log_retain, log_compress), so its keys are
 * accepted with a note and exit 0, and a deploy script written for PM2 goes on. Anything else has no
 * counterpart: exit 1, saying so.
 */
function moduleCommand(ctx: Context, command: string): void {
  const [key] = ctx.positionals;
  if (command === 'logrotate' || (key && /^pm2-logrotate(:|$)/.test(key))) {
    note(
      ctx,
      `${[command, key].filter(Boolean).join(' ')}: log rotation is built into Corral; set log_max_size, log_retain and log_compress per app (ecosystem file or --log-max-size)`,
    );
    return;
  }
  throw new CorralError(
    ErrorCode.BadArgument,
    `${command}: Corral has no modules or settings store${key ? ` (${key})` : ''}; app options go in the ecosystem file, daemon settings are CORRAL_* environment variables`,
  );
}

const MODULE_SUMMARY = "PM2 modules and settings: pm2-logrotate's are built in (a note, exit 0), others exit 1";

export const moduleCommands: CommandEntry[] = [
  { names: ['set', 'get', 'unset', 'multiset', 'conf', 'config'], usage: '[key] [value]', summary: MODULE_SUMMARY, run: moduleCommand },
  { names: ['install', 'uninstall', 'logrotate', 'publish', 'package'], usage: '[module]', summary: MODULE_SUMMARY, run: moduleCommand },
  {
    names: ['module:install', 'module:uninstall', 'module:update', 'module:generate', 'module:publish'],
    usage: '[module]',
    summary: MODULE_SUMMARY,
    run: moduleCommand,
  },
  {
    names: ['monitor', 'unmonitor'],
    usage: '[name]',
    summary: 'PM2.io monitoring only: a note, exit 0 (corral monit shows live figures)',
    // PM2.io's per-app switch: nothing to turn on or off here, and a script calling it goes on.
    run: (ctx, command) => note(ctx, `${command}: PM2.io monitoring only; nothing to do in Corral (corral monit shows live figures)`),
  },
  {
    names: ['link', 'unlink', 'plus', 'register', 'login', 'logout', 'open'],
    summary: 'PM2.io (PM2 Plus) only: exit 1, Corral has no hosted service',
    run: (_ctx, command) => {
      throw new CorralError(
        ErrorCode.Unsupported,
        `${command}: PM2.io (PM2 Plus) only; Corral has no hosted service (corral web serves the HTTP API and Prometheus metrics)`,
      );
    },
  },
];
