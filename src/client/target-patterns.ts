/**
 * Targets PM2 users write that only the client can expand against the list: a regex over names
 * (`stop /^api-\d+$/`) and a script's path (`stop server.js`: the apps running that file). They
 * become ids before they reach the daemon, so the daemon never runs a user's regex: a pathological
 * pattern costs the CLI, not the supervisor of every app. Names, ids, namespaces and "all" pass as
 * they are. Pure: the list and the working folder come in.
 */
import { resolve } from 'node:path';
import { CorralError, ErrorCode } from '../shared/errors';
import { hasPathSeparator } from '../shared/platform/commands';
import { samePath } from '../shared/platform/paths';
import { currentPlatform } from '../shared/platform/platform';

export interface ListedProcess {
  id: number;
  name: string;
  namespace: string;
  script: string;
}

const REGEX = /^\/(.+)\/([dgimsuvy]*)$/;
const SCRIPT = /\.(c|m)?(js|ts)x?$|\.(sh|py|rb|php|pl|bun)$/i;

/** Whether expanding `target` needs the process list. */
export function needsList(target: string): boolean {
  return REGEX.test(target) || hasPathSeparator(target, currentPlatform()) || SCRIPT.test(target);
}

export function expandTargetPatterns(targets: string[], list: ListedProcess[], cwd: string): string[] {
  const expanded: string[] = [];
  for (const target of targets) {
    const known = list.some((process) => process.name === target || process.namespace === target);
    const regex = REGEX.exec(target);
    if (regex && !known) {
      let pattern: RegExp;
      try {
        pattern = new RegExp(regex[1], regex[2].replace(/[gy]/g, ''));
      } catch (error) {
        throw new CorralError(ErrorCode.BadArgument, `${target}: not a valid regular expression (${(error as Error).message})`);
      }
      const ids = list.filter((process) => pattern.test(process.name)).map((process) => String(process.id));
      if (ids.length === 0) throw new CorralError(ErrorCode.NotFound, `no process name matches ${target}`);
      expanded.push(...ids);
    } else if (!known && (hasPathSeparator(target, currentPlatform()) || SCRIPT.test(target))) {
      const script = resolve(cwd, target);
      const ids = list.filter((process) => samePath(process.script, script, currentPlatform())).map((process) => String(process.id));
      if (ids.length === 0) throw new CorralError(ErrorCode.NotFound, `no process runs ${script}`);
      expanded.push(...ids);
    } else expanded.push(target);
  }
  return expanded;
}
