/** `corral --help`, made from the command table: every command it lists dispatches, and every command is listed. */
import { VERSION } from '../shared/version';
import type { CommandEntry } from './command';

export interface CommandGroup {
  title: string;
  commands: readonly CommandEntry[];
}

/** Where summaries start; a longer head gets a line of its own. */
const COLUMN = 32;

const TARGETS = 'Targets: a name, id, namespace, all, an ecosystem file, a script path or a /regex/ over names.';

const START_OPTIONS = `Start options (PM2's names):
  -n, --name <name>            -i, --instances <n|max|-n>   --namespace <ns>
  --interpreter <cmd|none>     --node-args, --interpreter-args "<args>"   --cwd <dir>
  --env <name>                 -w, --watch [paths]            --ignore-watch <path>
  --max-memory-restart <size>  --cron-restart, -c, --cron "<cron>"   --no-autorestart
  --restart-delay <ms>         --exp-backoff-restart-delay <ms>
  --max-restarts <n>           --min-uptime <ms>              --max-restarts-window <ms>
  -k, --kill-timeout <ms>      --no-autostart (registered stopped)
  --filter-env [prefixes]      (none, or not these, of this shell's env)   --uid/--gid (must be yours)
  --attach (stream the logs after start/restart/reload)   --watch-delay <s|Nms>
  --wait-ready                 --listen-timeout <ms>          --shutdown-with-message
  --stop-exit-codes <codes>    --merge-logs  --time  --log-date-format <fmt>
  -o, --output <file>          -e, --error <file>             -p, --pid <file>
  -l, --log [file]  (out and err in one more file; default <name>.log)   --log-type json
  --disable-logs (no log files)
  --log-max-size <size|0>      --log-retain <n>               --log-compress
  --monitor-tree               --only <a,b> (ecosystem)       -f, --force (another copy of a running script)
  --instance-var <name> (default NODE_APP_INSTANCE)           --increment-var <name> (+1 per instance)
  --no-vizion (no git metadata); accepted with a note, no effect: --source-map-support,
  --disable-source-map-support, -x/--execute-command, --no-pmx, --no-automation, --no-treekill,
  --trace, --disable-trace, --v8, --event-loop-inspector, --deep-monitoring, --parallel <n>;
  --no-daemon: use corral-runtime`;

const GENERAL_OPTIONS = `General options:
  -h, --help                   this text                      -v, -V, --version   the version
  -s, --silent                 no list and no ✓ lines after an action   --no-color`;

/** `names|names, alias, alias usage`: how a row of the table reads in --help. */
export function helpHead(entry: CommandEntry): string {
  const words = [entry.names.join('|'), ...(entry.aliases ?? [])].join(', ');
  return entry.usage ? `${words} ${entry.usage}` : words;
}

function helpRow(entry: CommandEntry): string[] {
  const head = helpHead(entry);
  const indent = ' '.repeat(COLUMN + 3);
  const first = head.length <= COLUMN ? [`  ${head.padEnd(COLUMN)} ${entry.summary}`] : [`  ${head}`, `${indent}${entry.summary}`];
  return [...first, ...(entry.details ?? []).map((line) => `${indent}${line}`)];
}

export function renderHelp(groups: readonly CommandGroup[]): string {
  const sections = groups.map((group) => [`${group.title}:`, ...group.commands.flatMap(helpRow)].join('\n'));
  return [
    `corral ${VERSION}: a Node.js process manager`,
    'Usage: corral <command> [options]',
    ...sections,
    TARGETS,
    START_OPTIONS,
    GENERAL_OPTIONS,
    'Environment: CORRAL_HOME (default ~/.corral)',
  ].join('\n\n');
}
