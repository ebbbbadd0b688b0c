/**
 * `corral startup` off Linux: the text of a recipe that brings the saved list back at logon, printed
 * for the user to install. Corral runs none of it.
 */
import { isWindows, type Platform } from './platform';

export type StartupSystem = 'systemd' | 'launchd' | 'schtasks';

/** The startup system `corral startup` uses when none is named. */
export function defaultStartupSystem(platform: Platform): StartupSystem {
  if (isWindows(platform)) return 'schtasks';
  if (platform === 'darwin') return 'launchd';
  return 'systemd';
}

export interface StartupRecipeOptions {
  nodePath: string;
  cliScript: string;
  home: string;
  /** The task's or the agent's name. */
  name: string;
  /** True when the home is not the default one, so the recipe must name it. */
  customHome: boolean;
}

/** A string inside schtasks' /TR "...": embedded quotes are written \" there. */
function quoteInsideTaskRun(text: string): string {
  return `\\"${text}\\"`;
}

/**
 * Task Scheduler, at this user's logon, without elevation: `corral resurrect` spawns the daemon
 * (detached, no console window) and restores the saved list. A task cannot set environment
 * variables, so a custom home becomes the user's CORRAL_HOME with setx.
 */
export function schtasksRecipe(options: StartupRecipeOptions): string {
  const run = `${quoteInsideTaskRun(options.nodePath)} ${quoteInsideTaskRun(options.cliScript)} resurrect`;
  return [
    ':: Run in cmd.exe to restore the saved Corral list at logon (Task Scheduler). Corral does not run this.',
    ...(options.customHome ? [`setx CORRAL_HOME "${options.home}"`] : []),
    `schtasks /Create /F /TN "${options.name}" /SC ONLOGON /RL LIMITED /TR "${run}"`,
    `:: to remove it: schtasks /Delete /F /TN "${options.name}"`,
    '',
  ].join('\n');
}

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function launchdLabel(name: string): string {
  return `io.corral.${name}`;
}

/**
 * A launchd user agent for ~/Library/LaunchAgents: at load (logon) it runs `corral resurrect`, which
 * starts the daemon and restores the list. launchd ends what is left in a job's process group when
 * the job exits; the daemon has a session of its own, and AbandonProcessGroup says so explicitly.
 */
export function launchdPlist(options: StartupRecipeOptions): string {
  const string = (text: string): string => `    <string>${xml(text)}</string>`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
    '<dict>',
    '  <key>Label</key>',
    `  <string>${xml(launchdLabel(options.name))}</string>`,
    '  <key>ProgramArguments</key>',
    '  <array>',
    string(options.nodePath),
    string(options.cliScript),
    string('resurrect'),
    '  </array>',
    '  <key>EnvironmentVariables</key>',
    '  <dict>',
    '    <key>CORRAL_HOME</key>',
    string(options.home),
    '  </dict>',
    '  <key>RunAtLoad</key>',
    '  <true/>',
    '  <key>AbandonProcessGroup</key>',
    '  <true/>',
    '</dict>',
    '</plist>',
    '',
  ].join('\n');
}

/** Where the agent goes, and how to load and unload it. */
export function launchdInstructions(plistFile: string): string {
  return [
    `(save this as ${plistFile}, then: launchctl bootstrap gui/$(id -u) ${plistFile})`,
    `(to remove it: launchctl bootout gui/$(id -u) ${plistFile} && rm ${plistFile})`,
  ].join('\n');
}
