/**
 * Text from outside (app names, paths, args, git subjects, daemon messages, log lines) is printed with
 * every character that could make a terminal do something instead of show something written as a
 * visible escape: C0 and C1 controls (ESC, the 8-bit CSI U+009B, CR, BEL...), bidi overrides and
 * isolates (U+202A-U+202E, U+2066-U+2069, a name could read backwards) and invisible characters
 * (U+200B-U+200F, U+2060-U+2064, U+FEFF, a name could pass for another). Pure: strings in, strings out.
 */

// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;
// eslint-disable-next-line no-control-regex
const UNSAFE_KEEPING_LINES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;
/** Colour and style (SGR) sequences: the one kind of escape sequence that only changes how text looks. */
// eslint-disable-next-line no-control-regex
const SGR = /\u001b\[[0-9;:]{0,32}m/g;
const UNSAFE_IN_JSON = /[\u007f-\u009f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

function visible(char: string): string {
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** One line of data (a table cell, a name, a path): every unsafe character escaped, newlines and tabs too. */
export function safeText(text: string): string {
  return text.replace(UNSAFE, visible);
}

/**
 * Output that may span lines and carry colours: a log line, a message. Newlines, tabs and colour
 * sequences stay; every other control sequence (cursor moves, screen clears, window titles, OSC 52
 * clipboard writes, hyperlinks) is escaped.
 */
export function safeOutput(text: string): string {
  let result = '';
  let last = 0;
  for (const match of text.matchAll(SGR)) {
    result += text.slice(last, match.index).replace(UNSAFE_KEEPING_LINES, visible) + match[0];
    last = match.index + match[0].length;
  }
  return result + text.slice(last).replace(UNSAFE_KEEPING_LINES, visible);
}

/** JSON for a terminal or a pipe: JSON.stringify already escapes C0; C1, bidi and invisibles too here (same value once parsed). */
export function safeJson(value: unknown, space?: number): string {
  return JSON.stringify(value, null, space).replace(UNSAFE_IN_JSON, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
