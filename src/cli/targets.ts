/** How the CLI's target words (names, ids, namespaces, all, ecosystem files, patterns) become processes. */
import { existsSync } from 'node:fs';
import { isEcosystemFile, loadEcosystem } from '../client/ecosystem';
import { splitList } from '../client/start-request';
import { expandTargetPatterns, needsList } from '../client/target-patterns';
import { CorralError, ErrorCode } from '../shared/errors';
import type { ProcessInfo } from '../shared/protocol';
import { matchTarget } from '../shared/targets';
import { withClient, type Context } from './context';

export function requireTargets(ctx: Context, command: string): string[] {
  if (ctx.positionals.length === 0) throw new CorralError(ErrorCode.BadArgument, `${command}: give a name, id, namespace, "all" or an ecosystem file`);
  return ctx.positionals;
}

export function isEcosystemTarget(target: string): boolean {
  return isEcosystemFile(target) && existsSync(target);
}

/**
 * Ecosystem files among the targets become the names of their apps; regexes and script paths become
 * the ids of the processes they match (target-patterns.ts).
 */
export async function expandTargets(ctx: Context, targets: string[]): Promise<string[]> {
  const expanded: string[] = [];
  for (const target of targets) {
    if (isEcosystemTarget(target)) {
      const { apps } = await loadEcosystem(target, { only: splitList(ctx.values.only) });
      expanded.push(...apps.map((app) => app.name));
    } else expanded.push(target);
  }
  if (!expanded.some(needsList)) return expanded;
  return expandTargetPatterns(expanded, await withClient((client) => client.call('list', {})), process.cwd());
}

/** PM2 exits 1 when an action reached no process (`restart all` of an empty list). */
export function requireSome(command: string, targets: string[], processes: ProcessInfo[]): void {
  if (processes.length === 0)
    throw new CorralError(ErrorCode.NotFound, `${command}: no process matched ${targets.map((target) => JSON.stringify(target)).join(' ')}`);
}

/** The processes of the list a target names, by the daemon's own rule (shared/targets.ts); none given: all. */
export function matchLocal(list: ProcessInfo[], target: string | undefined): ProcessInfo[] {
  return target === undefined ? list : matchTarget(list, target, (process) => process);
}

/** `send`, `attach` and `inspect` reach one process: an id, or the name of an app with one instance. */
export async function oneProcess(command: string, target: string | undefined): Promise<ProcessInfo> {
  if (!target) throw new CorralError(ErrorCode.BadArgument, `${command}: give a process id`);
  const list = await withClient((client) => client.call('list', {}));
  const matched = /^\d+$/.test(target) ? list.filter((process) => process.id === Number(target)) : list.filter((process) => process.name === target);
  if (matched.length === 0)
    throw new CorralError(ErrorCode.NotFound, `${command}: no process with ${/^\d+$/.test(target) ? 'id' : 'name'} ${JSON.stringify(target)}`);
  if (matched.length > 1)
    throw new CorralError(
      ErrorCode.BadArgument,
      `${command}: ${JSON.stringify(target)} has ${matched.length} instances: give one id (${matched.map((process) => process.id).join(', ')})`,
    );
  return matched[0];
}
