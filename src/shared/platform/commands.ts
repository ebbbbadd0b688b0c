/**
 * Running a command by name without a shell string. Elsewhere than Windows, spawn's own PATH search is
 * right and arguments travel as an array. On Windows, CreateProcess runs only .exe/.com files: `npm`
 * is `npm.cmd`, which needs cmd.exe, and cmd.exe reads one command line with its own rules. The
 * quoting below follows the rules cross-spawn documents (after https://qntm.org/cmd): quote each
 * argument for CommandLineToArgvW, then escape cmd's metacharacters with ^, twice for npm's
 * node_modules/.bin shims, which hand their arguments to cmd a second time.
 */
import { win32 } from 'node:path';
import { isWindows, type Platform } from './platform';

/** What to hand to child_process.spawn. */
export interface SpawnPlan {
  command: string;
  args: string[];
  /** Set when `args` already holds a complete cmd.exe command line that Node must not quote again. */
  windowsVerbatimArguments?: boolean;
}

export interface ResolveOptions {
  platform: Platform;
  env: Record<string, string | undefined>;
  /** The folder a relative command (one with a separator) is resolved against. */
  cwd: string;
  /** True if a regular file exists at this path. */
  isFile: (file: string) => boolean;
}

const DEFAULT_PATHEXT = '.COM;.EXE;.BAT;.CMD';

/** An environment variable, looked up case-insensitively on Windows (`Path` and `PATH` are one there). */
export function envValue(env: Record<string, string | undefined>, name: string, platform: Platform): string | undefined {
  if (!isWindows(platform)) return env[name];
  const key = Object.keys(env).find((candidate) => candidate.toUpperCase() === name.toUpperCase());
  return key === undefined ? undefined : env[key];
}

/**
 * The file Windows would run for `command`: a name with a separator is looked up only where it points
 * (against cwd), a bare name in each PATH folder in order. In each folder the name is tried as written
 * first if it already has an extension, then with each PATHEXT extension in PATHEXT's order. The
 * current folder is not searched for a bare name (cmd.exe does that, and it lets a file in a project
 * shadow a program). Undefined when nothing matches.
 */
export function findWindowsCommand(command: string, options: ResolveOptions): string | undefined {
  const extensions = (envValue(options.env, 'PATHEXT', 'win32') || DEFAULT_PATHEXT)
    .split(';')
    .map((extension) => extension.trim())
    .filter((extension) => extension.startsWith('.'));
  const hasExtension = win32.extname(command) !== '';
  const suffixes = hasExtension ? ['', ...extensions] : extensions;
  const hasSeparator = /[\\/]/.test(command);
  const folders = hasSeparator
    ? [win32.resolve(options.cwd, win32.dirname(command))]
    : (envValue(options.env, 'PATH', 'win32') ?? '')
        .split(';')
        .map((folder) => folder.trim().replace(/^"(.*)"$/, '$1'))
        .filter((folder) => folder !== '');
  const name = hasSeparator ? win32.basename(command) : command;
  for (const folder of folders) {
    for (const suffix of suffixes) {
      const candidate = win32.join(folder, name + suffix);
      if (options.isFile(candidate)) return candidate;
    }
  }
  return undefined;
}

const CMD_METACHARACTERS = /([()\][%!^"`<>&|;, *?])/g;

/** Escapes cmd.exe's metacharacters with ^ so cmd passes them through as text. */
export function escapeCmdMetacharacters(text: string): string {
  return text.replace(CMD_METACHARACTERS, '^$1');
}

/**
 * One argument quoted for CommandLineToArgvW (the parser the C runtime and Node use): wrapped in
 * double quotes; backslashes are literal except right before a quote, so a run of them before an
 * embedded quote or before the closing quote is doubled, and an embedded quote becomes \".
 */
export function quoteForArgv(argument: string): string {
  let quoted = '"';
  let backslashes = 0;
  for (const character of argument) {
    if (character === '\\') {
      backslashes += 1;
      continue;
    }
    if (character === '"') quoted += '\\'.repeat(backslashes * 2 + 1) + '"';
    else quoted += '\\'.repeat(backslashes) + character;
    backslashes = 0;
  }
  return `${quoted}${'\\'.repeat(backslashes * 2)}"`;
}

/** An argument for a command line that cmd.exe reads: argv-quoted, then cmd-escaped (twice through a shim). */
export function escapeCmdArgument(argument: string, throughShim: boolean): string {
  const once = escapeCmdMetacharacters(quoteForArgv(argument));
  return throughShim ? escapeCmdMetacharacters(once) : once;
}

/** npm's shims in node_modules/.bin run `node ... %*`, a second pass through cmd. */
function isNpmShim(file: string): boolean {
  return /node_modules[\\/]\.bin[\\/][^\\/]+\.cmd$/i.test(file);
}

/** The plan for a .cmd or .bat file: `cmd.exe /d /s /c "<command line>"`, taken verbatim. */
export function cmdPlan(file: string, args: readonly string[], env: Record<string, string | undefined>): SpawnPlan {
  const throughShim = isNpmShim(file);
  const line = [escapeCmdMetacharacters(win32.normalize(file)), ...args.map((argument) => escapeCmdArgument(argument, throughShim))].join(' ');
  // /d: no AutoRun commands from the registry; /s /c "...": strip exactly the outer quotes and run the rest.
  return { command: envValue(env, 'ComSpec', 'win32') || 'cmd.exe', args: ['/d', '/s', '/c', `"${line}"`], windowsVerbatimArguments: true };
}

/** The plan for a PowerShell script: no profile, no execution policy prompt, arguments as an array. */
export function powershellPlan(file: string, args: readonly string[]): SpawnPlan {
  return { command: 'powershell.exe', args: ['-NoProfile', '-ExecutionPolicy', 'Bypass', '-File', file, ...args] };
}

/**
 * How to spawn `command args` without a shell string. Elsewhere than Windows: as given. On Windows:
 * the file found by PATH and PATHEXT, through cmd.exe for .cmd/.bat and PowerShell for .ps1. Null when
 * Windows would find nothing to run.
 */
export function resolveSpawn(command: string, args: readonly string[], options: ResolveOptions): SpawnPlan | null {
  if (!isWindows(options.platform)) return { command, args: [...args] };
  const file = findWindowsCommand(command, options);
  if (file === undefined) return null;
  const extension = win32.extname(file).toLowerCase();
  if (extension === '.cmd' || extension === '.bat') return cmdPlan(file, args, options.env);
  if (extension === '.ps1') return powershellPlan(file, args);
  return { command: file, args: [...args] };
}

/** What is asked of the file system to check an executable. */
export interface ExecutableProbe {
  /** True if a regular file exists at this path. */
  isFile: (file: string) => boolean;
  /** True if this process may execute it (POSIX; Windows has no execute bit to ask for). */
  isExecutable: (file: string) => boolean;
}

/**
 * Why `file` (a path, not a bare name) cannot be spawned, or undefined when it can. On Windows a path
 * without an extension also runs as `<path>.com` or `<path>.exe`, as CreateProcess and libuv allow.
 */
export function executableProblem(file: string, platform: Platform, probe: ExecutableProbe): string | undefined {
  if (isWindows(platform)) {
    const candidates = win32.extname(file) === '' ? [file, `${file}.com`, `${file}.exe`] : [file];
    return candidates.some((candidate) => probe.isFile(candidate)) ? undefined : 'does not exist or is not a file';
  }
  if (!probe.isFile(file)) return 'does not exist or is not a file';
  return probe.isExecutable(file) ? undefined : 'is not executable';
}

/** True when `command` names a file by path rather than a command to look up on PATH. */
export function hasPathSeparator(command: string, platform: Platform): boolean {
  return isWindows(platform) ? /[\\/]/.test(command) : command.includes('/');
}
