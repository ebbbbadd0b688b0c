import { accessSync, constants as fsConstants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { CorralError, ErrorCode } from '../shared/errors';
import { executableProblem, findWindowsCommand, hasPathSeparator } from '../shared/platform/commands';
import { currentPlatform, isWindows, type Platform } from '../shared/platform/platform';

const isFile = (file: string): boolean => {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
};

const isExecutable = (file: string): boolean => {
  try {
    accessSync(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/**
 * The absolute path of an executable on PATH, or undefined. Never runs a shell. On Windows a bare name
 * is looked up with PATHEXT (`node` is `node.exe`), as CreateProcess would not.
 */
export function which(command: string, env: NodeJS.ProcessEnv = process.env, platform: Platform = currentPlatform()): string | undefined {
  if (hasPathSeparator(command, platform)) return undefined;
  if (isWindows(platform)) return findWindowsCommand(command, { platform, env, cwd: '', isFile });
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, command);
    if (isExecutable(candidate) && isFile(candidate)) return candidate;
  }
  return undefined;
}

/**
 * The binary a user named (a path, or a command on PATH) checked before it is spawned, so that a wrong
 * setting is reported by name instead of as spawn's ENOENT. Throws E_ARGUMENT naming `what`.
 */
export function checkedExecutable(value: string, what: string, platform: Platform = currentPlatform()): string {
  if (!hasPathSeparator(value, platform)) {
    const found = which(value, process.env, platform);
    if (!found) throw new CorralError(ErrorCode.BadArgument, `${what} "${value}" is not found on PATH`);
    return found;
  }
  const problem = executableProblem(value, platform, { isFile, isExecutable });
  if (problem) throw new CorralError(ErrorCode.BadArgument, `${what} "${value}" ${problem}`);
  return value;
}
