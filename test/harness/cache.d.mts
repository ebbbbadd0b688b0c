// Types for the parts of cache.mjs that test/unit/harness checks.
export const CODE_SERVER_VERSION: string;
export const NODE_VERSION: string;
export const CACHE_ROOT: string;
export function ensureCodeServer(options: { log: (line: string) => void }): Promise<{ nodeBin: string; codeServerEntry: string; vscodeVersion: string }>;
export function findNpmCli(env?: NodeJS.ProcessEnv): string;
export function npmFreeEnv(source: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
export function checkBuildTools(env?: NodeJS.ProcessEnv): void;
export function explainNpmFailure(spec: string, output: string): string;
