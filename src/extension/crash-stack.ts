/**
 * Reads V8 error output (what Node prints to stderr for an uncaught exception, or what an app logs with
 * `console.error(error)`): the error's name and message, its frames, its `[cause]`, and the `file:line`
 * header Node prints above the source line and caret. Pure (no `vscode` import): unit-tested in plain Node.
 */

export interface StackFrame {
  /** The function as V8 names it (`run`, `Object.<anonymous>`), when the frame has one. */
  fn?: string;
  /** A path (file:// URLs converted), or `node:internal/...`, `native`, `<anonymous>`. */
  file: string;
  /** 1-based, as V8 prints them. */
  line: number;
  column: number;
  async: boolean;
}

export interface ParsedError {
  /** `TypeError`, `Error [ERR_X]`; empty for a thrown value that is not an Error (`throw 'boom'`). */
  name: string;
  message: string;
  frames: StackFrame[];
  cause?: ParsedError;
  /** The `file:line` header of an uncaught exception (the only location a thrown non-Error has). */
  thrownAt?: { file: string; line: number };
}

// CSI sequences (colours, cursor) and OSC sequences (hyperlinks) that a coloured logger leaves in the text.
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

const FRAME = /^\s*at (?:(async) )?(?:(new) )?(.*)$/;
const SKIPPED = /^\s*\.\.\. \d+ (?:lines? matching cause stack trace|more)(?: \.\.\.)?\s*$/;
const CAUSE = /^\s*\[cause\]: (.*)$/;
const HEADLINE = /^(?:Uncaught(?: exception)?:? )?\[?([A-Za-z_$][\w$.]*(?: \[[A-Z0-9_]+\])?)(?:: ?(.*?))?\]?(?: \{)?$/;
const THROWN_AT = /^(.+):(\d+)$/;
const CARET = /^\s*\^+\s*$/;

/** `file:///C:/x.js` → `C:\x.js`, `file:///srv/x.js` → `/srv/x.js`; other strings unchanged. */
export function fileFromUrl(value: string): string {
  if (!value.startsWith('file://')) return value;
  let rest = value.slice('file://'.length);
  try {
    rest = decodeURIComponent(rest);
  } catch {
    // A stray % stays as it is.
  }
  if (/^\/[A-Za-z]:[/\\]/.test(rest)) return rest.slice(1).replace(/\//g, '\\');
  if (!rest.startsWith('/')) return `\\\\${rest.replace(/\//g, '\\')}`; // file://server/share
  return rest;
}

/** `file:line:col` (or a URL, or `C:\x\y.js:3:5`); eval frames give the place eval was called from. */
function location(text: string): { file: string; line: number; column: number } | undefined {
  const evalOrigin = /^eval at .*? \((.*?:\d+:\d+)\)(?:, .*)?$/.exec(text);
  if (evalOrigin) return location(evalOrigin[1]);
  const match = /^(.*):(\d+):(\d+)$/.exec(text);
  if (!match) return undefined;
  return { file: fileFromUrl(match[1]), line: Number(match[2]), column: Number(match[3]) };
}

export function parseFrame(line: string): StackFrame | undefined {
  const match = FRAME.exec(line);
  if (!match) return undefined;
  const body = match[3].replace(/ \{$/, '');
  const async = match[1] === 'async';
  const named = /^(.*?) \((.*)\)$/.exec(body);
  if (named) {
    const place = location(named[2]);
    if (place) return { fn: (match[2] ? 'new ' : '') + named[1], ...place, async };
    return undefined; // `at fn (native)`, `at fn (<anonymous>)`: nowhere to point at
  }
  const place = location(body);
  return place ? { ...place, async } : undefined;
}

/** node: and internal/ modules, native frames and installed packages: never where a user's bug is. */
export function isInternalFrame(file: string): boolean {
  return (
    file.startsWith('node:') ||
    file.startsWith('internal/') ||
    file === 'native' ||
    file.startsWith('<') ||
    /[/\\]node_modules[/\\]/.test(file) ||
    !/[/\\]/.test(file)
  );
}

interface Builder {
  error: ParsedError;
  /** Where frames go now: the error, or its cause. */
  target: ParsedError;
}

function headline(line: string): { name: string; message: string } | undefined {
  const match = HEADLINE.exec(line);
  if (!match) return undefined;
  return { name: match[1], message: match[2] ?? '' };
}

/** Frames under a line that is no headline (`[api] TypeError: x`, a logger's prefix): the error's name from inside it. */
function looseHeadline(line: string): { name: string; message: string } {
  const match = /([A-Za-z_$][\w$]*(?:Error|Exception|Rejection))(?: \[[A-Z0-9_]+\])?: (.*)$/.exec(line);
  return match ? { name: match[1], message: match[2] } : { name: 'Error', message: line.trim() };
}

/**
 * Every error in the text, in order: a headline followed by frames (a `[cause]` inside belongs to the
 * error before it), and a thrown value that is not an Error (Node's header, the value, no frames).
 */
export function parseErrors(text: string | string[]): ParsedError[] {
  const lines = (Array.isArray(text) ? text : text.split('\n')).map((line) => stripAnsi(line).replace(/\r$/, ''));
  const errors: ParsedError[] = [];
  let current: Builder | undefined;
  let pending: { name: string; message: string; thrownAt?: ParsedError['thrownAt']; index: number; raw: string } | undefined;
  let thrownAt: ParsedError['thrownAt'];
  const finish = (): void => {
    if (current) errors.push(current.error);
    current = undefined;
  };
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index];
    const frame = parseFrame(line);
    if (frame) {
      if (!current) {
        const head = pending && index - pending.index <= 10 ? pending : { ...looseHeadline(lines[index - 1] ?? ''), thrownAt: undefined };
        const error: ParsedError = { name: head.name, message: head.message, frames: [] };
        if (head.thrownAt) error.thrownAt = head.thrownAt;
        current = { error, target: error };
        pending = undefined;
      }
      current.target.frames.push(frame);
      continue;
    }
    if (/^\s*at /.test(line) || SKIPPED.test(line)) continue; // `at fn (native)`, elided frames
    const cause = CAUSE.exec(line);
    if (cause && current) {
      const head = headline(cause[1]) ?? { name: '', message: cause[1] };
      const error: ParsedError = { ...head, frames: [] };
      current.target.cause = error;
      current.target = error;
      continue;
    }
    // Node's header of an uncaught exception: `file:line`, the source line, the caret.
    const at = THROWN_AT.exec(line);
    if (at && CARET.test(lines[index + 2] ?? '')) {
      finish();
      thrownAt = { file: fileFromUrl(at[1]), line: Number(at[2]) };
      pending = undefined;
      index += 2;
      continue;
    }
    if (current) {
      // Own properties printed after the frames (`  code: 'E_X'`, `}`) belong to the error; anything else ends it.
      if (/^\s+\S/.test(line) || line === '}') continue;
      finish();
    }
    if (pending?.thrownAt && (line.trim() === '' || line.startsWith('(Use `node --trace-uncaught'))) {
      // `throw 'boom'`: the value looked like a headline, but no frames follow.
      errors.push({ name: '', message: pending.raw, frames: [], thrownAt: pending.thrownAt });
      pending = undefined;
      continue;
    }
    if (line.trim() === '') continue;
    const head = headline(line);
    if (head) {
      pending = { ...head, index, raw: line.trim(), ...(thrownAt ? { thrownAt } : {}) };
      thrownAt = undefined;
      continue;
    }
    if (thrownAt) {
      // A thrown value that is not an Error: Node prints it right after the header, with no frames.
      if (!line.startsWith('(Use `node --trace-uncaught')) errors.push({ name: '', message: line.trim(), frames: [], thrownAt });
      thrownAt = undefined;
      continue;
    }
    // A line of a multi-line message keeps the headline pending; text far from any frame drops it.
    if (pending && index - pending.index > 10) pending = undefined;
  }
  finish();
  if (pending?.thrownAt) errors.push({ name: '', message: pending.raw, frames: [], thrownAt: pending.thrownAt });
  if (thrownAt) errors.push({ name: '', message: '', frames: [], thrownAt });
  return errors.filter((error) => error.frames.length > 0 || error.thrownAt);
}

/** `TypeError: x is not a function`; a thrown non-Error shows as its value. */
export function errorTitle(error: ParsedError): string {
  if (!error.name) return error.message || 'a value that is not an Error';
  return error.message ? `${error.name}: ${error.message}` : error.name;
}

export interface Located {
  file: string;
  line: number;
  /** 1-based; 1 when only the line is known. */
  column: number;
  fn?: string;
}

/**
 * The frames in the workspace, top first: the error's own, then its causes'; a thrown non-Error has only
 * Node's header. `map` turns a compiled place into its source (source maps); `inWorkspace` decides what the
 * workspace is (and is given only non-internal files).
 */
export function workspaceFrames(error: ParsedError, inWorkspace: (file: string) => boolean, map: (place: Located) => Located = (place) => place): Located[] {
  const found: Located[] = [];
  const seen = new Set<string>();
  const add = (raw: Located): void => {
    if (isInternalFrame(raw.file)) return;
    // Mapped first (a compiled file in dist/ → its source), then judged by where the source is.
    const place = map(raw);
    if (isInternalFrame(place.file) || !inWorkspace(place.file)) return;
    const key = `${place.file}:${place.line}:${place.column}`;
    if (seen.has(key)) return;
    seen.add(key);
    found.push(place);
  };
  for (let error_: ParsedError | undefined = error; error_; error_ = error_.cause) {
    if (error_.frames.length === 0 && error_.thrownAt) add({ ...error_.thrownAt, column: 1 });
    for (const frame of error_.frames) add(frame);
  }
  return found;
}
