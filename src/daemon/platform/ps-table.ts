/**
 * The process table from `ps` (macOS and the BSDs; Linux with CORRAL_PORTABLE=1): no file is read,
 * `ps` is run with execFile (no shell), a fixed environment (C locale, UTC) and bounded output.
 *
 * - table: `ps -A -o pid= -o ppid= -o pgid= -o stat= -o lstart=` (same columns in procps and BSD ps;
 *   one `-o` per column because a `=` header runs to the end of its argument). `lstart` is the start
 *   time to the second, "Wed Dec  2 02:04:24 2026" in both with LC_ALL=C; with TZ=UTC it is read as UTC.
 * - environments: the command line with and without its environment, `ps -ww -o pid= -o lstart= -o args= -p <pids>`
 *   plus `e` (procps) or `-E` (BSD, macOS; there `-e` means every process). The environment is what follows
 *   the plain command line; a line whose pid, start time or command line do not match is not trusted.
 * - memory: `ps -o pid= -o rss= -p <pids>` (kB in both).
 * A line that does not parse is dropped: a process we cannot read is one we do not signal.
 */
import { execFileSync } from 'node:child_process';
import type { PsFlavour } from '../../shared/platform/process-table-source';
import type { ProcessEntry, ProcessTable } from './process-table';

const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;
const TIMEOUT_MS = 10_000;
/** Pids per `ps -p` call (argument length, output size). */
const PIDS_PER_CALL = 200;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const LSTART = String.raw`[A-Z][a-z]{2} ([A-Z][a-z]{2}) +(\d{1,2}) (\d\d):(\d\d):(\d\d) (\d{4})`;
const TABLE_LINE = new RegExp(String.raw`^ *(\d+) +(\d+) +(\d+) +(\S+) +${LSTART} *$`);
const COMMAND_LINE = new RegExp(String.raw`^ *(\d+) +${LSTART} (.*)$`);

/** Seconds since the epoch from lstart's fields, or null when they are not a date. */
function startSeconds(fields: string[]): number | null {
  const [month, day, hours, minutes, seconds, year] = fields;
  const monthIndex = MONTHS.indexOf(month);
  if (monthIndex < 0) return null;
  return Date.UTC(Number(year), monthIndex, Number(day), Number(hours), Number(minutes), Number(seconds)) / 1000;
}

/** `ps -o pid= -o ppid= -o pgid= -o stat= -o lstart=` output → entries (zombies and unparsed lines left out). */
export function parseTable(output: string): ProcessEntry[] {
  const entries: ProcessEntry[] = [];
  for (const line of output.split('\n')) {
    const match = TABLE_LINE.exec(line);
    if (!match || match[4].startsWith('Z')) continue;
    const startTime = startSeconds(match.slice(5, 11));
    if (startTime === null) continue;
    entries.push({ pid: Number(match[1]), ppid: Number(match[2]), pgid: Number(match[3]), startTime });
  }
  return entries;
}

/** `ps -o pid= -o lstart= -o args=` output → pid → {start time, the rest of the line}. */
export function parseCommands(output: string): Map<number, { startTime: number; text: string }> {
  const found = new Map<number, { startTime: number; text: string }>();
  for (const line of output.split('\n')) {
    const match = COMMAND_LINE.exec(line);
    if (!match) continue;
    const startTime = startSeconds(match.slice(2, 8));
    if (startTime !== null) found.set(Number(match[1]), { startTime, text: match[8] });
  }
  return found;
}

/**
 * The variables `ps` printed after the command line: `NAME=value` joined by spaces. A value that itself
 * holds " OTHER=" is split there; the markers Corral reads (ids, nonces, paths) are matched whole.
 */
export function parseEnvironment(command: string, withEnvironment: string): string[] | null {
  if (withEnvironment === command) return [];
  if (!withEnvironment.startsWith(`${command} `)) return null; // changed in between, or not what we think
  const text = withEnvironment.slice(command.length + 1);
  if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(text)) return null;
  return text.split(/ (?=[A-Za-z_][A-Za-z0-9_]*=)/);
}

function runPs(args: string[]): string {
  try {
    return execFileSync('ps', args, {
      encoding: 'utf8',
      maxBuffer: MAX_OUTPUT_BYTES,
      timeout: TIMEOUT_MS,
      stdio: ['ignore', 'pipe', 'ignore'],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', TZ: 'UTC' },
      windowsHide: true,
    });
  } catch (error) {
    // Exit status 1 with -p: some pids are gone (none left: empty output). Anything else reads as nothing.
    const failed = error as { status?: number | null; stdout?: unknown };
    return failed.status === 1 && typeof failed.stdout === 'string' ? failed.stdout : '';
  }
}

function inChunks<T>(items: readonly T[]): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += PIDS_PER_CALL) chunks.push(items.slice(start, start + PIDS_PER_CALL));
  return chunks;
}

const TABLE_COLUMNS = ['-o', 'pid=', '-o', 'ppid=', '-o', 'pgid=', '-o', 'stat=', '-o', 'lstart='];
const COMMAND_COLUMNS = ['-ww', '-o', 'pid=', '-o', 'lstart=', '-o', 'args='];

export function psTable(flavour: PsFlavour): ProcessTable {
  const environmentFlag = flavour === 'procps' ? 'e' : '-E';
  return {
    source: 'ps',
    pidusageUsesPs: true,
    // pidusage runs `ps` for these itself.
    usage: () => null,
    entries() {
      return parseTable(runPs(['-A', ...TABLE_COLUMNS])).filter((entry) => entry.pid !== process.pid);
    },
    read(pids) {
      const found = new Map<number, ProcessEntry>();
      for (const chunk of inChunks(pids)) {
        for (const entry of parseTable(runPs([...TABLE_COLUMNS, '-p', chunk.join(',')]))) found.set(entry.pid, entry);
      }
      return found;
    },
    environments(entries) {
      const found = new Map<number, string[]>();
      for (const chunk of inChunks(entries)) {
        const pidList = chunk.map((entry) => entry.pid).join(',');
        const commands = parseCommands(runPs([...COMMAND_COLUMNS, '-p', pidList]));
        const withEnvironments = parseCommands(runPs([environmentFlag, ...COMMAND_COLUMNS, '-p', pidList]));
        for (const entry of chunk) {
          const command = commands.get(entry.pid);
          const withEnvironment = withEnvironments.get(entry.pid);
          if (!command || !withEnvironment || command.startTime !== entry.startTime || withEnvironment.startTime !== entry.startTime) continue;
          const variables = parseEnvironment(command.text, withEnvironment.text);
          if (variables) found.set(entry.pid, variables);
        }
      }
      return found;
    },
    residentBytes(pids) {
      const found = new Map<number, number>();
      for (const chunk of inChunks(pids)) {
        for (const line of runPs(['-o', 'pid=', '-o', 'rss=', '-p', chunk.join(',')]).split('\n')) {
          const match = /^ *(\d+) +(\d+) *$/.exec(line);
          if (match) found.set(Number(match[1]), Number(match[2]) * 1024);
        }
      }
      return found;
    },
  };
}
