/**
 * Every `corral.*` command id, once. Registration (commands.ts) is a handler table keyed by these ids, so
 * an id without a handler does not compile; package.json's contributions must list exactly these
 * (test/unit/extension/command-ids.test.ts). No vscode import: that test runs outside VS Code.
 */
export const COMMANDS = {
  start: 'corral.start',
  startEcosystem: 'corral.startEcosystem',
  startFile: 'corral.startFile',
  stop: 'corral.stop',
  restart: 'corral.restart',
  reload: 'corral.reload',
  delete: 'corral.delete',
  showLogs: 'corral.showLogs',
  scale: 'corral.scale',
  flushLogs: 'corral.flushLogs',
  save: 'corral.save',
  resurrect: 'corral.resurrect',
  killDaemon: 'corral.killDaemon',
  startDaemon: 'corral.startDaemon',
  restartDaemon: 'corral.restartDaemon',
  refresh: 'corral.refresh',
  stopAll: 'corral.stopAll',
  openScript: 'corral.openScript',
  openLogFile: 'corral.openLogFile',
  toggleWatch: 'corral.toggleWatch',
  copyPid: 'corral.copyPid',
  showVersion: 'corral.showVersion',
  debug: 'corral.debug',
  debugFromStart: 'corral.debugFromStart',
  monitor: 'corral.monitor',
  // Tree-item variants ("Stop" rather than "Stop…" in menus): each runs the command above with the item.
  itemStart: 'corral.item.start',
  itemStop: 'corral.item.stop',
  itemRestart: 'corral.item.restart',
  itemReload: 'corral.item.reload',
  itemDelete: 'corral.item.delete',
  itemShowLogs: 'corral.item.showLogs',
  itemDebug: 'corral.item.debug',
  itemDebugFromStart: 'corral.item.debugFromStart',
} as const satisfies Record<string, `corral.${string}`>;

export type CommandId = (typeof COMMANDS)[keyof typeof COMMANDS];

/** The process view (package.json `views`). */
export const PROCESSES_VIEW = 'corral.processes';
/** VS Code's own command for every view, not one of ours: focuses the process view. */
export const FOCUS_PROCESSES_VIEW = `${PROCESSES_VIEW}.focus`;
