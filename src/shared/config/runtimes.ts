/**
 * Bun and Deno as interpreters: which runtime an interpreter names, and the argv each expects. Neither
 * gets what is Node's alone: no IPC channel (so no wait_ready message, shutdown message or inspector),
 * no ELECTRON_RUN_AS_NODE, and cluster mode is refused (node:cluster is Node's; Bun's is partial).
 */
import { pathModule } from '../platform/paths';
import { currentPlatform, isWindows, type Platform } from '../platform/platform';

export type JsRuntime = 'bun' | 'deno';

/**
 * `bun` / `deno`, by name on PATH or a path to one; null for anything else. `.exe` on every platform:
 * the bun npm package's binary is `bin/bun.exe` on Linux too.
 */
export function jsRuntimeOf(interpreter: string, platform: Platform = currentPlatform()): JsRuntime | null {
  const base = pathModule(platform).basename(interpreter);
  const match = new RegExp('^(bun|deno)(\\.exe)?$', isWindows(platform) ? 'i' : '').exec(base);
  return match ? (match[1].toLowerCase() as JsRuntime) : null;
}

/** Deno's subcommands that run a script: interpreter_args starting with one of them replace `run`. */
const DENO_RUNNERS = new Set(['run', 'serve', 'task', 'test', 'eval']);

/**
 * The arguments before and after the script. Bun: `bun [interpreter_args] script args`. Deno:
 * `deno run -A script args` by default; interpreter_args replace `-A` (`['--allow-net']`), or the
 * whole prefix when they begin with a subcommand (`['serve', '-A']`).
 */
export function runtimeArgs(runtime: JsRuntime, interpreterArgs: readonly string[], script: string, args: readonly string[]): string[] {
  if (runtime === 'bun') return [...interpreterArgs, script, ...args];
  const prefix = interpreterArgs.length === 0 ? ['run', '-A'] : DENO_RUNNERS.has(interpreterArgs[0]) ? [...interpreterArgs] : ['run', ...interpreterArgs];
  return [...prefix, script, ...args];
}
