/** Running the saved list elsewhere: startup/unstartup (systemd, launchd, Task Scheduler) and export (orchestrator files). */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { loadEcosystem } from '../../client/ecosystem';
import { splitList } from '../../client/start-request';
import { CorralError, ErrorCode } from '../../shared/errors';
import { resolveHome } from '../../shared/paths';
import { currentPlatform } from '../../shared/platform/platform';
import { defaultStartupSystem, launchdInstructions, launchdLabel, launchdPlist, schtasksRecipe } from '../../shared/platform/startup';
import type { CommandEntry } from '../command';
import { printWarnings, type Context } from '../context';
import { exportCompose, exportKubernetes, exportSystemdUnits, startupUnit } from '../exports';

/**
 * `startup launchd` (macOS's default) and `startup schtasks` (Windows'): a recipe that runs
 * `corral resurrect` at logon, printed for the user to install; Corral installs neither itself.
 */
function startupRecipeCommand(ctx: Context, system: 'launchd' | 'schtasks', install: boolean): void {
  const service = typeof ctx.values['service-name'] === 'string' ? ctx.values['service-name'] : 'corral';
  if (!/^[A-Za-z0-9_.@-]{1,200}$/.test(service))
    throw new CorralError(ErrorCode.BadArgument, `--service-name: expected letters, digits, "_", ".", "@" or "-", got ${JSON.stringify(service)}`);
  if (ctx.values.write === true || ctx.values.watch === true || ctx.values.user !== undefined || ctx.values.hp !== undefined)
    throw new CorralError(ErrorCode.BadArgument, `startup ${system}: the recipe is printed only (no --write, -u or --hp): install it as it says`);
  const home = resolveHome();
  const options = {
    nodePath: process.execPath,
    cliScript: __filename,
    home,
    name: service,
    customHome: process.env.CORRAL_HOME !== undefined && process.env.CORRAL_HOME !== '',
  };
  if (system === 'schtasks') {
    if (!install) return ctx.out(`schtasks /Delete /F /TN "${service}"`);
    return ctx.out(schtasksRecipe(options).trimEnd());
  }
  const plistFile = join(homedir(), 'Library', 'LaunchAgents', `${launchdLabel(service)}.plist`);
  if (!install) return ctx.out(`launchctl bootout gui/$(id -u) ${plistFile} && rm ${plistFile}`);
  ctx.out(launchdPlist(options).trimEnd());
  ctx.err(launchdInstructions(plistFile));
}

/**
 * `startup systemd [--write]`: a user unit for this user's home. With PM2's `-u <user> --hp <home>`
 * (and `--service-name`), a system unit that runs the daemon as that user for <home>/.corral, which
 * only root can install. Without a name, the platform's own system (platform/startup.ts).
 */
function startupCommand(ctx: Context, install: boolean): void {
  const verb = install ? 'startup' : 'unstartup';
  const [system = defaultStartupSystem(currentPlatform()), ...extra] = ctx.positionals;
  if (extra.length === 0 && (system === 'launchd' || system === 'schtasks')) return startupRecipeCommand(ctx, system, install);
  if (system !== 'systemd' || extra.length > 0)
    throw new CorralError(ErrorCode.BadArgument, `${verb}: expected "systemd", "launchd" or "schtasks" (got ${JSON.stringify([system, ...extra].join(' '))})`);
  const user = typeof ctx.values.user === 'string' ? ctx.values.user : undefined;
  const userHome = typeof ctx.values.hp === 'string' ? ctx.values.hp : undefined;
  const service = typeof ctx.values['service-name'] === 'string' ? ctx.values['service-name'] : 'corral';
  if (!/^[A-Za-z0-9_.@-]{1,200}$/.test(service))
    throw new CorralError(ErrorCode.BadArgument, `--service-name: expected letters, digits, "_", ".", "@" or "-", got ${JSON.stringify(service)}`);
  if (user !== undefined && !/^[A-Za-z_][A-Za-z0-9_.-]{0,31}\$?$/.test(user))
    throw new CorralError(ErrorCode.BadArgument, `-u/--user: not a user name: ${JSON.stringify(user)}`);
  if (userHome !== undefined && !isAbsolute(userHome))
    throw new CorralError(ErrorCode.BadArgument, `--hp: expected an absolute path, got ${JSON.stringify(userHome)}`);
  const systemWide = user !== undefined || userHome !== undefined;
  if (systemWide && (user === undefined || userHome === undefined))
    throw new CorralError(ErrorCode.BadArgument, `${verb}: give both -u <user> and --hp <home> for a system unit (or neither for your own user unit)`);
  const unitDir = systemWide ? '/etc/systemd/system' : join(process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'systemd', 'user');
  const unitFile = join(unitDir, `${service}.service`);
  const systemctl = systemWide ? 'systemctl' : 'systemctl --user';
  if (!install) {
    const existed = existsSync(unitFile);
    rmSync(unitFile, { force: true });
    ctx.out(existed ? `removed ${unitFile}; run: ${systemctl} disable ${service}` : `no unit at ${unitFile}`);
    return;
  }
  const unit = startupUnit({
    nodePath: process.execPath,
    daemonScript: join(__dirname, 'daemon.js'),
    cliScript: __filename,
    home: userHome ? join(userHome, '.corral') : resolveHome(),
    user: !systemWide,
    runAs: user,
    waitIp: ctx.values['wait-ip'] === true,
  });
  // PM2's -w is --write; Corral's is --watch (a documented difference), but `startup -w` installs as in PM2.
  if (ctx.values.write !== true && ctx.values.watch !== true) {
    ctx.out(unit);
    ctx.err(`(the same command with --write installs this as ${unitFile}${systemWide ? ', as root' : ''})`);
    return;
  }
  if (systemWide && process.getuid?.() !== 0) throw new CorralError(ErrorCode.BadArgument, `startup: ${unitDir} needs root: run the same command with sudo`);
  mkdirSync(unitDir, { recursive: true });
  writeFileSync(unitFile, unit);
  ctx.out(
    systemWide
      ? `wrote ${unitFile}\nnow run: systemctl daemon-reload && systemctl enable --now ${service}`
      : `wrote ${unitFile}\nnow run: systemctl --user daemon-reload && systemctl --user enable --now ${service}\n(to start at boot without a login: loginctl enable-linger $USER)`,
  );
}

/** `export kubernetes|systemd|compose <ecosystem> [-o file|dir]`. */
async function exportCommand(ctx: Context): Promise<void> {
  const [kind, file, ...extra] = ctx.positionals;
  if (!kind || !file || extra.length > 0 || !['kubernetes', 'k8s', 'systemd', 'compose'].includes(kind)) {
    throw new CorralError(ErrorCode.BadArgument, 'export: usage: corral export <kubernetes|systemd|compose> <ecosystem file> [-o file]');
  }
  // Only the env the file itself sets: the shell's environment is not part of an app's definition.
  const envName = typeof ctx.values.env === 'string' ? ctx.values.env : undefined;
  const { apps, warnings } = await loadEcosystem(file, { envName, only: splitList(ctx.values.only), baseEnv: {} });
  printWarnings(ctx, warnings);
  const output = typeof ctx.values.output === 'string' ? ctx.values.output : undefined;
  if (kind === 'systemd') {
    const units = exportSystemdUnits(apps, process.execPath);
    if (!output) return ctx.out(units.map((unit) => `# ${unit.file}\n${unit.text}`).join('\n'));
    mkdirSync(output, { recursive: true });
    for (const unit of units) writeFileSync(join(output, unit.file), unit.text);
    return ctx.out(`wrote ${units.map((unit) => join(output, unit.file)).join(', ')}`);
  }
  const text = kind === 'compose' ? exportCompose(apps) : exportKubernetes(apps);
  if (!output) return ctx.out(text.trimEnd());
  writeFileSync(output, text);
  ctx.out(`wrote ${output}`);
}

export const startupExportCommands: CommandEntry[] = [
  {
    names: ['startup'],
    usage: '[systemd [--write] [-u/--user user --hp home] [--wait-ip] | launchd | schtasks] [--service-name n]',
    summary: 'a systemd unit (printed; --write installs it), a launchd agent or a Task Scheduler task (printed) that restores the saved list',
    run: (ctx) => startupCommand(ctx, true),
  },
  {
    names: ['unstartup'],
    usage: '[systemd [-u/--user user --hp home] | launchd | schtasks] [--service-name n]',
    summary: 'remove that unit (or print how to remove the agent or task)',
    run: (ctx) => startupCommand(ctx, false),
  },
  {
    names: ['export'],
    usage: '<kubernetes|k8s|systemd|compose> <ecosystem> [-o file]',
    summary: 'the apps for an orchestrator',
    run: exportCommand,
  },
];
