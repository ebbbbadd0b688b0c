/** Command-line parsing shared by `corral` and `corral-runtime`: node:util parseArgs with PM2's quirks. */
import { statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CorralError, ErrorCode } from '../shared/errors';
import { CLI_OPTIONS } from './start-options';

export interface CommandLine {
  values: Record<string, unknown>;
  /** Arguments before `--`. */
  positionals: string[];
  /** Arguments after `--`: they go to the app. */
  passthrough: string[];
}

/** Stands in for the minus of a negative positional while parseArgs reads the line. */
const NEGATIVE = '\u0000neg:';

function longName(arg: string): string {
  const short = arg.slice(1);
  const entry = Object.entries(CLI_OPTIONS).find(([, option]) => option.short === short);
  return entry ? `--${entry[0]}` : arg;
}

function takesValue(arg: string): boolean {
  const name = longName(arg).replace(/^--/, '');
  return arg.startsWith('-') && !arg.includes('=') && CLI_OPTIONS[name]?.type === 'string';
}

/**
 * Optional values as commander takes them (the next word unless it is an option), with one guard:
 * `--timestamp` takes only a word that looks like a date format, so `logs --timestamp api` still
 * names the app.
 */
function optionalValueFits(flag: string, word: string): boolean {
  return flag !== '--timestamp' || /YYYY|YY|MM|DD|HH|hh|mm|ss/.test(word);
}

function isWatchList(word: string): boolean {
  if (word.startsWith('-')) return false;
  if (word.includes(',')) return true;
  try {
    return statSync(word).isDirectory();
  } catch {
    return false;
  }
}

export function parseCommandLine(argv: string[]): CommandLine {
  // PM2 allows --watch=path[,path]; parseArgs has no optional values, so map it to --watch-paths
  // (and give -l/--log its optional value by hand).
  // A negative number after a value option (`-i -1`, `--kill-timeout -5`) is that option's value.
  const normalized: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      normalized.push(...argv.slice(i));
      break;
    }
    if (arg.startsWith('--watch=')) normalized.push(`--watch-paths=${arg.slice('--watch='.length)}`);
    // -l/--log [path], as commander reads an optional value: the next word unless it is an option.
    else if (arg === '-l' || arg === '--log' || arg === '--filter-env' || arg === '--timestamp' || arg === '--highlight') {
      const name = arg === '-l' ? '--log' : arg;
      normalized.push(`${name}=${argv[i + 1] !== undefined && !argv[i + 1].startsWith('-') && optionalValueFits(name, argv[i + 1]) ? argv[++i] : ''}`);
    }
    // PM2's `--watch [paths]`: a folder (or a comma list) right after it is what to watch.
    else if (arg === '--watch' && argv[i + 1] !== undefined && isWatchList(argv[i + 1])) normalized.push(`--watch-paths=${argv[++i]}`);
    // PM2's `--stop-exit-codes <codes...>`: the numbers after it are all codes.
    else if (arg === '--stop-exit-codes' && /^\d+$/.test(argv[i + 1] ?? '')) {
      const codes: string[] = [];
      while (/^\d+$/.test(argv[i + 1] ?? '')) codes.push(argv[++i]);
      normalized.push(`--stop-exit-codes=${codes.join(',')}`);
    } else if (/^-\d+$/.test(arg))
      normalized.push(`${NEGATIVE}${arg.slice(1)}`); // a positional such as `scale web -2`
    else if (takesValue(arg) && /^-\d/.test(argv[i + 1] ?? '')) normalized.push(`${arg.startsWith('--') ? arg : longName(arg)}=${argv[++i]}`);
    else normalized.push(arg);
  }
  try {
    const { values, positionals, tokens } = parseArgs({ args: normalized, options: CLI_OPTIONS, allowPositionals: true, strict: true, tokens: true });
    const terminator = tokens.find((token) => token.kind === 'option-terminator');
    const cut = terminator ? positionals.length - (normalized.length - terminator.index - 1) : positionals.length;
    const restore = (items: string[]): string[] => items.map((item) => (item.startsWith(NEGATIVE) ? `-${item.slice(NEGATIVE.length)}` : item));
    return { values, positionals: restore(positionals.slice(0, cut)), passthrough: restore(positionals.slice(cut)) };
  } catch (error) {
    throw new CorralError(ErrorCode.BadArgument, (error as Error).message.replace(/\. To specify a positional.*$/, ''));
  }
}
