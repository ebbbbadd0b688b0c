/**
 * Ecosystem files: `module.exports = { apps }` (.js/.cjs), `export default` (.mjs, or .js in a
 * "type": "module" package), JSON (an object with apps, an array, or one app) and YAML.
 * Loaded in the client, which runs with the user's permissions and cwd; the daemon gets plain data.
 */
import { accessSync, constants as fsConstants, existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, cpus } from 'node:os';
import { basename, dirname, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Yaml from 'yaml';
import { dependencyProblems, normalizeApp, withDependencies, type AppConfig, ConfigError } from '../shared/config';
import { CorralError, ErrorCode } from '../shared/errors';
import { which } from './which';

const ECOSYSTEM_PATTERN = /(\.config\.(js|cjs|mjs)|\.json|\.ya?ml)$/i;

/** PM2's rule: these names are configuration files, anything else is a script to run. */
export function isEcosystemFile(file: string): boolean {
  return ECOSYSTEM_PATTERN.test(file) || /^ecosystem([.-].*)?\.(js|cjs|mjs)$/i.test(basename(file));
}

// Kept out of esbuild's sight so a real dynamic import() survives bundling to CommonJS.
const dynamicImport = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<{ default?: unknown }>;

async function loadModule(file: string): Promise<unknown> {
  if (/\.mjs$/i.test(file)) return (await dynamicImport(pathToFileURL(file).href)).default;
  const requireFrom = createRequire(file);
  try {
    delete requireFrom.cache[file];
    return requireFrom(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (
      code === 'ERR_REQUIRE_ESM' ||
      code === 'ERR_REQUIRE_ASYNC_MODULE' ||
      /Cannot use import statement|export default|Unexpected token 'export'/.test(String(error))
    ) {
      return (await dynamicImport(pathToFileURL(file).href)).default;
    }
    throw error;
  }
}

async function readContent(file: string, shown: string): Promise<unknown> {
  let text: string | undefined;
  const extension = extname(file).toLowerCase();
  try {
    accessSync(file, fsConstants.R_OK);
    if (statSync(file).isDirectory()) throw new Error('is a directory');
    if (extension === '.json' || extension === '.yml' || extension === '.yaml') text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : `cannot read it (${(error as Error).message})`;
    throw new CorralError(ErrorCode.BadConfig, `${shown}: ${reason}`, { cause: error });
  }
  try {
    if (extension === '.json') return parseJson(text as string);
    if (extension === '.yml' || extension === '.yaml') {
      // Loaded on demand: the YAML parser is most of the CLI's code and few commands need it.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      return (require('yaml') as typeof Yaml).parse(text as string);
    }
    return await loadModule(file);
  } catch (error) {
    const message = (error as Error).message.split('\n')[0];
    throw new CorralError(ErrorCode.BadConfig, `${shown}: cannot parse it: ${message}`, { cause: error });
  }
}

/**
 * PM2 reads .json ecosystem files that have comments, trailing commas or unquoted keys; JSON5 (a
 * parser, never eval) takes those. Plain JSON first: it is the common case and JSON5 is loaded only
 * when needed.
 */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // Its messages name the line and column.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('json5') as { parse(text: string): unknown }).parse(text);
  }
}

export interface EcosystemOptions {
  /** `--env <name>`: use env_<name>. */
  envName?: string;
  /** `--only a,b`: just these apps. */
  only?: string[];
  baseEnv?: Record<string, string | undefined>;
  /** Options from the command line for every app that does not set them itself (PM2: namespace, watch, uid...). */
  defaults?: Record<string, unknown>;
}

export interface LoadedEcosystem {
  apps: AppConfig[];
  warnings: string[];
}

/** Extracts the raw app list from whatever shape the file has. */
export function rawApps(content: unknown, shown: string): unknown[] {
  const value =
    content !== null && typeof content === 'object' && 'default' in content && !('apps' in content) ? (content as { default: unknown }).default : content;
  if (Array.isArray(value)) return value;
  if (value !== null && typeof value === 'object') {
    // PM2 also reads { "pm2": [...] } (package.json style).
    const apps = (value as { apps?: unknown; pm2?: unknown }).apps ?? (value as { pm2?: unknown }).pm2;
    if (apps !== undefined) {
      if (Array.isArray(apps)) return apps;
      if (apps !== null && typeof apps === 'object') return [apps];
      throw new CorralError(ErrorCode.BadConfig, `${shown}: apps: expected an array of apps, got ${typeof apps}`);
    }
    if ('script' in value) return [value];
  }
  throw new CorralError(ErrorCode.BadConfig, `${shown}: expected { apps: [...] } (or { pm2: [...] }), an array of apps or one app`);
}

/** Loads and validates every app; throws one ConfigError listing all problems, so nothing starts. */
export async function loadEcosystem(file: string, options: EcosystemOptions = {}): Promise<LoadedEcosystem> {
  const absolute = resolve(file);
  return ecosystemFromContent(await readContent(absolute, file), file, dirname(absolute), options);
}

/** `corral start -`: an ecosystem as JSON (or JSON5) text, e.g. from stdin; paths are relative to `baseDir`. */
export function ecosystemFromText(text: string, shown: string, baseDir: string, options: EcosystemOptions = {}): LoadedEcosystem {
  let content: unknown;
  try {
    content = parseJson(text);
  } catch (error) {
    throw new CorralError(ErrorCode.BadConfig, `${shown}: cannot parse it: ${(error as Error).message.split('\n')[0]}`, { cause: error });
  }
  return ecosystemFromContent(content, shown, baseDir, options);
}

function ecosystemFromContent(content: unknown, shown: string, baseDir: string, options: EcosystemOptions): LoadedEcosystem {
  return ecosystemFromApps(rawApps(content, shown), shown, baseDir, options);
}

/** Validates apps given as an ecosystem file would give them (`corral import pm2`'s, for one). */
export function ecosystemFromApps(apps: unknown[], shown: string, baseDir: string, options: EcosystemOptions = {}): LoadedEcosystem {
  if (apps.length === 0) throw new CorralError(ErrorCode.BadConfig, `${shown}: apps: the list is empty`);
  const problems: string[] = [];
  const warnings: string[] = [];
  const normalized: AppConfig[] = [];
  apps.forEach((raw, index) => {
    try {
      const merged = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? { ...options.defaults, ...(raw as object) } : raw;
      const result = normalizeApp(merged, {
        source: shown,
        index,
        baseDir,
        baseEnv: options.baseEnv ?? process.env,
        envName: options.envName,
        cpuCount: availableParallelism?.() ?? cpus().length,
        fileExists: (candidate) => existsSync(candidate) && statSync(candidate).isFile(),
        which: (command) => which(command),
      });
      warnings.push(...result.warnings);
      normalized.push(result.app);
    } catch (error) {
      if (error instanceof ConfigError) problems.push(...error.problems);
      else throw error;
    }
  });
  if (problems.length > 0) throw new ConfigError(problems);
  const names = new Set<string>();
  normalized.forEach((app, index) => {
    if (names.has(app.name)) problems.push(`${shown}: apps[${index}].name: "${app.name}" is used by another app in this file`);
    names.add(app.name);
  });
  if (problems.length > 0) throw new ConfigError(problems);
  // Names outside the file may be apps the daemon knows: it checks those (and cycles through them).
  problems.push(...dependencyProblems(normalized, null, shown));
  if (problems.length > 0) throw new ConfigError(problems);
  if (options.only && options.only.length > 0) {
    const unknown = options.only.filter((name) => !names.has(name));
    if (unknown.length > 0) throw new CorralError(ErrorCode.NotFound, `--only: no app named ${unknown.map((name) => `"${name}"`).join(', ')} in ${shown}`);
    // As compose does: the chosen apps bring the apps of the file they depend on.
    const chosen = new Set(withDependencies(options.only, new Map(normalized.map((app) => [app.name, app.depends_on]))));
    return { apps: normalized.filter((app) => chosen.has(app.name)), warnings };
  }
  return { apps: normalized, warnings };
}
