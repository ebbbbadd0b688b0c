/** The daemon and its saved list: save, resurrect, cleardump, update, kill. */
import { DaemonClient, socketAnswers } from '../../client/client';
import { endDaemon, replaceDaemon } from '../../client/replace-daemon';
import { DUMP_VERSION, writeDump } from '../../shared/dump';
import { CorralError, ErrorCode } from '../../shared/errors';
import { prepareHome } from '../../shared/home';
import { homePaths, resolveHome } from '../../shared/paths';
import { safeText } from '../../shared/terminal-text';
import { VERSION } from '../../shared/version';
import type { CommandEntry } from '../command';
import { done, LONG_CALL_MS, printWarnings, withClient, type Context } from '../context';
import { showList } from './info';

async function killCommand(ctx: Context): Promise<void> {
  const paths = homePaths(resolveHome());
  if (!(await socketAnswers(paths.rpcSocket))) {
    ctx.out('No daemon is running.');
    return;
  }
  const { pid, stopped, problems } = await endDaemon(await DaemonClient.connect({ spawn: false }));
  // Everything stopped, so the kill did its job; what could not be saved is said, not fatal.
  printWarnings(ctx, problems);
  done(ctx, `stopped ${stopped} process${stopped === 1 ? '' : 'es'} and the daemon (pid ${pid})`);
}

/**
 * PM2's `update`: the running daemon (of any version: it is asked only to save and to end) is
 * replaced by this installation's, and the saved list comes back with its restart counts. Apps are
 * down in between, as in PM2. Nothing is stopped when the list cannot be saved first.
 */
async function updateCommand(ctx: Context): Promise<void> {
  const paths = homePaths(resolveHome());
  if (!(await socketAnswers(paths.rpcSocket))) {
    ctx.out(`No daemon is running: the next command starts Corral ${VERSION}.`);
    return;
  }
  const { before, client, processes, warnings } = await replaceDaemon({}).catch((error: Error) => {
    throw error instanceof CorralError && error.code === ErrorCode.Io ? new CorralError(ErrorCode.Io, `update: ${error.message}`, { cause: error }) : error;
  });
  printWarnings(ctx, warnings);
  const after = client.daemon;
  client.close();
  done(
    ctx,
    `updated the daemon: ${safeText(before.version)} (pid ${before.pid}) -> ${after.version} (pid ${after.pid}), ${processes} process${processes === 1 ? '' : 'es'} back`,
  );
  if (!ctx.values.silent) await showList(ctx);
}

/** PM2's `cleardump`: the saved list becomes empty, through the daemon when one runs. */
async function clearDumpCommand(ctx: Context): Promise<void> {
  const paths = homePaths(resolveHome());
  let file = paths.dump;
  if (await socketAnswers(paths.rpcSocket)) ({ file } = await withClient((client) => client.call('clearDump', {})));
  else {
    prepareHome(paths, false);
    writeDump(file, { version: DUMP_VERSION, savedAt: Date.now(), apps: [] });
  }
  done(ctx, `emptied ${safeText(file)} (the list before is in ${safeText(file)}.bak; autosave writes the live list again at the next change)`);
}

export const persistenceCommands: CommandEntry[] = [
  {
    names: ['save'],
    aliases: ['dump'],
    summary: 'write the process list to dump.json (autosave keeps it current)',
    run: async (ctx) => {
      const { file, apps } = await withClient((client) => client.call('save', {}));
      return done(ctx, `saved ${apps} app${apps === 1 ? '' : 's'} to ${file}`);
    },
  },
  {
    names: ['resurrect'],
    summary: 'start every saved app that is not running',
    run: async (ctx) => {
      const { processes, warnings } = await withClient((client) => client.call('resurrect', {}, LONG_CALL_MS));
      printWarnings(ctx, warnings);
      if (!ctx.values.silent) done(ctx, `resurrected ${processes.length} process${processes.length === 1 ? '' : 'es'}`);
      if (!ctx.values.silent) await showList(ctx);
    },
  },
  { names: ['cleardump'], summary: 'empty dump.json (the list before stays in dump.json.bak)', run: clearDumpCommand },
  { names: ['update'], aliases: ['updatePM2'], summary: "replace the running daemon with this version's, apps and restart counts kept", run: updateCommand },
  { names: ['kill'], summary: 'stop every app and the daemon', run: killCommand },
];
