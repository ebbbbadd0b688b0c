/**
 * Maps a place in a compiled file (TypeScript output, a bundle) back to its source through the file's
 * `//# sourceMappingURL` (an inline data: URL or a map file), with @jridgewell/trace-mapping. Each map is
 * read once per file version (path + mtime + size) and kept in a small cache; files and maps over the size
 * bound are not read. No `vscode` import: unit-tested in plain Node.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { originalPositionFor, TraceMap } from '@jridgewell/trace-mapping';
import { fileFromUrl } from './crash-stack';

export const MAX_MAPPED_BYTES = 20 * 1024 * 1024;
const CACHED_FILES = 64;
/** The comment is at the end of the file: only its tail is searched. */
const TAIL_BYTES = 4 * 1024 * 1024;

export interface Position {
  file: string;
  /** 1-based line and column, as V8 prints them. */
  line: number;
  column: number;
}

interface Cached {
  version: string;
  map: { trace: TraceMap; base: string } | null;
}

function readTail(file: string, size: number): string {
  const length = Math.min(size, TAIL_BYTES);
  const handle = fs.openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(length);
    fs.readSync(handle, buffer, 0, length, size - length);
    return buffer.toString('utf8');
  } finally {
    fs.closeSync(handle);
  }
}

/** The last `//# sourceMappingURL=` (or the old `//@`) of a script. */
export function sourceMappingUrl(text: string): string | undefined {
  let found: string | undefined;
  for (const match of text.matchAll(/\/\/[#@] ?sourceMappingURL=(\S+)\s*(?:\*\/)?\s*$/gm)) found = match[1];
  return found;
}

function dataUrl(url: string): string | undefined {
  const match = /^data:application\/json[^,]*?(;base64)?,(.*)$/.exec(url);
  if (!match) return undefined;
  return match[1] ? Buffer.from(match[2], 'base64').toString('utf8') : decodeURIComponent(match[2]);
}

export class SourceMaps {
  private readonly cache = new Map<string, Cached>();

  constructor(private readonly maxBytes = MAX_MAPPED_BYTES) {}

  /** The original place, or undefined when the file has no usable map or the place maps to nothing. */
  map(place: Position): Position | undefined {
    const map = this.load(place.file);
    if (!map) return undefined;
    const original = originalPositionFor(map.trace, { line: place.line, column: Math.max(0, place.column - 1) });
    if (original.source === null || original.line === null) return undefined;
    const source = fileFromUrl(original.source);
    if (/^[a-z][a-z0-9+.-]+:/i.test(source) && !/^[A-Za-z]:[/\\]/.test(source)) return undefined; // webpack://, http:
    const file = path.resolve(map.base, source);
    if (!fs.existsSync(file)) return undefined;
    return { file, line: original.line, column: (original.column ?? 0) + 1 };
  }

  private load(file: string): Cached['map'] {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch {
      return null;
    }
    const version = `${stat.mtimeMs}:${stat.size}`;
    const cached = this.cache.get(file);
    if (cached?.version === version) {
      // Most recently used last, so the oldest is the one evicted.
      this.cache.delete(file);
      this.cache.set(file, cached);
      return cached.map;
    }
    const map = stat.isFile() && stat.size <= this.maxBytes ? this.read(file, stat.size) : null;
    this.cache.set(file, { version, map });
    if (this.cache.size > CACHED_FILES) this.cache.delete(this.cache.keys().next().value as string);
    return map;
  }

  private read(file: string, size: number): Cached['map'] {
    try {
      const url = sourceMappingUrl(readTail(file, size));
      if (!url) return null;
      let json = dataUrl(url);
      let mapFile = file;
      if (json === undefined) {
        if (/^[a-z][a-z0-9+.-]+:/i.test(url) && !url.startsWith('file:')) return null;
        mapFile = path.resolve(path.dirname(file), fileFromUrl(url.startsWith('file:') ? url : decodeURIComponent(url)));
        if (fs.statSync(mapFile).size > this.maxBytes) return null;
        json = fs.readFileSync(mapFile, 'utf8');
      }
      // Sources are resolved here (sourceRoot applied by trace-mapping, then relative to the map's folder).
      return { trace: new TraceMap(json), base: path.dirname(mapFile) };
    } catch {
      return null; // no map, an unreadable or malformed one: the compiled place is shown
    }
  }
}
