/**
 * Pure text analysis for the editor: which apps an ecosystem file declares (and where), which files a
 * package.json names as entries, whether a source file creates a server. Never runs the user's code:
 * CodeLenses and pickers must be cheap and side-effect free; starting an app loads the file for real.
 */
import * as path from 'node:path';

/** Ecosystem files worth offering in the workspace (the CLI accepts any .json/.yml; the editor is stricter). */
export function looksLikeEcosystemFile(file: string): boolean {
  return /^(ecosystem|pm2)([.-][^/\\]*)?\.(js|cjs|mjs|json|ya?ml)$/i.test(path.basename(file));
}

export const SCRIPT_EXTENSIONS = ['.js', '.cjs', '.mjs', '.ts', '.mts', '.cts'];

export function isScriptFile(file: string): boolean {
  return SCRIPT_EXTENSIONS.includes(path.extname(file).toLowerCase());
}

export interface DeclaredApp {
  name: string;
  /** Offset of the name's value in the text, for a CodeLens. */
  offset: number;
  /** The script as written, when found. */
  script?: string;
}

const QUOTED = String.raw`(['"\x60])((?:\\.|(?!\1).)+?)\1`;

/**
 * Apps declared in an ecosystem file's text: `name: 'api'` / `"name": "api"` / `- name: api`, each paired
 * with the first `script` after it (before the next name).
 */
export function declaredApps(text: string): DeclaredApp[] {
  const names: Array<{ name: string; offset: number }> = [];
  const nameRe = new RegExp(String.raw`(?:^|[{,\s])["']?name["']?\s*:\s*(?:${QUOTED}|([^\s'"\x60,#{}\[\]][^,#\n}]*))`, 'gm');
  for (let match = nameRe.exec(text); match; match = nameRe.exec(text)) {
    const value = (match[2] ?? match[3] ?? '').trim();
    if (!value) continue;
    const offset = match.index + match[0].lastIndexOf(value);
    names.push({ name: value, offset });
  }
  const scripts: Array<{ script: string; offset: number }> = [];
  const scriptRe = new RegExp(String.raw`(?:^|[{,\s])["']?script["']?\s*:\s*(?:${QUOTED}|([^\s'"\x60,#{}\[\]][^,#\n}]*))`, 'gm');
  for (let match = scriptRe.exec(text); match; match = scriptRe.exec(text)) {
    const value = (match[2] ?? match[3] ?? '').trim();
    if (value) scripts.push({ script: value, offset: match.index });
  }
  // Pair by position: the script that belongs to an app object is near its name, before or after it.
  return names.map((entry, index) => {
    const start = index === 0 ? 0 : names[index - 1].offset;
    const end = index + 1 < names.length ? names[index + 1].offset : text.length;
    const after = scripts.find((script) => script.offset > entry.offset && script.offset < end);
    const before = [...scripts].reverse().find((script) => script.offset < entry.offset && script.offset > start);
    return { ...entry, script: (after ?? before)?.script };
  });
}

/** The files a package.json names as entries: `main`, `bin`, and the script of `scripts.start`. */
export function packageEntries(packageJson: unknown, dir: string): string[] {
  if (packageJson === null || typeof packageJson !== 'object') return [];
  const pkg = packageJson as { main?: unknown; bin?: unknown; scripts?: { start?: unknown } };
  const entries: string[] = [];
  if (typeof pkg.main === 'string') entries.push(pkg.main);
  if (typeof pkg.bin === 'string') entries.push(pkg.bin);
  else if (pkg.bin && typeof pkg.bin === 'object') entries.push(...Object.values(pkg.bin).filter((value): value is string => typeof value === 'string'));
  if (typeof pkg.scripts?.start === 'string') {
    const word = pkg.scripts.start.split(/\s+/).find((item) => isScriptFile(item.replace(/^['"]|['"]$/g, '')));
    if (word) entries.push(word.replace(/^['"]|['"]$/g, ''));
  }
  const resolved: string[] = [];
  for (const entry of entries) {
    const file = path.resolve(dir, entry);
    resolved.push(file);
    // "main": "server" or "./lib" mean server.js and lib/index.js.
    if (!path.extname(file)) resolved.push(`${file}.js`, path.join(file, 'index.js'));
  }
  return resolved;
}

/** A file that starts a server: `createServer(` or `.listen(`. */
export function createsServer(text: string): boolean {
  return /\bcreateServer\s*\(|\.listen\s*\(/.test(text);
}
